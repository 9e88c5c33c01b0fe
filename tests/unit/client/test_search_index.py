"""The local database's search index: kept right on every write, built for old caches."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktopchat.client import cache
from desktopchat.client.cache import LocalDatabase
from desktopchat.client.domain import Author, Message
from desktopchat.client.search import SearchQueryError, search_local
from desktopchat.sqlite_files import open_database

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def message(n: int, text: str, room: str = "general", *, deleted: bool = False) -> Message:
    author = Author(1, "Ann", "/api/avatars/1.svg")
    return Message(n, room, f"c{n}", author, text, T0 + timedelta(seconds=n), None, deleted)


def found(db: LocalDatabase, query: str, room: str | None = None) -> list[tuple[str, int]]:
    return [(h.message.room, h.message.id) for h in search_local(db, query, room=room).hits]


def test_inserts_edits_and_deletes_keep_the_index_right(tmp_path: Path) -> None:
    db = LocalDatabase(tmp_path / "c.sqlite3")
    db.store([message(1, "Café au lait"), message(2, "lait frais", "dev"), message(3, "tea")])
    assert found(db, "lait") == [("dev", 2), ("general", 1)]
    assert found(db, "cafe") == [("general", 1)], "accents do not count"
    assert found(db, "lait", room="dev") == [("dev", 2)]
    db.store([replace(message(1, "espresso"), edited_at=T0)])
    assert found(db, "cafe") == []
    assert found(db, "espresso") == [("general", 1)]
    db.store([message(2, "", "dev", deleted=True)])
    assert found(db, "lait") == []
    db.store([message(3, "tea")])  # stored again, unchanged: still found once
    assert found(db, "tea") == [("general", 3)]
    hit = search_local(db, "espresso").hits[0]
    assert hit.highlights == ((0, 8),)
    db.close()


def test_messages_sent_in_one_millisecond_are_all_found(tmp_path: Path) -> None:
    db = LocalDatabase(tmp_path / "c.sqlite3")
    same = [replace(message(n, "burst"), sent_at=T0) for n in range(1, 6)]
    db.store(same)
    assert sorted(found(db, "burst")) == [("general", n) for n in range(1, 6)]
    db.close()


def test_a_cache_from_before_search_is_indexed_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    old = open_database(path, cache._MIGRATIONS[:3])
    rows = [message(1, "old news"), message(2, "", deleted=True), message(3, "older news")]
    old.executemany(
        "INSERT INTO messages VALUES (?, ?, ?)",
        [(m.room, m.id, json.dumps(m.to_json())) for m in rows],
    )
    old.close()
    db = LocalDatabase(path)
    assert found(db, "news") == [("general", 3), ("general", 1)]
    db.store([message(4, "newest news")])
    assert found(db, "news") == [("general", 4), ("general", 3), ("general", 1)]
    db.close()


@pytest.mark.parametrize(("query", "code"), [("", "empty_query"), ('"x', "invalid_query")])
def test_bad_queries_are_refused_with_their_code(tmp_path: Path, query: str, code: str) -> None:
    db = LocalDatabase(tmp_path / "c.sqlite3")
    with pytest.raises(SearchQueryError) as caught:
        search_local(db, query)
    assert caught.value.code == code
    db.close()
