"""A relay database from before search gets its existing messages indexed on upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktopchat.search_syntax import parse
from desktopchat.server.relay.sqlite_store import MIGRATIONS, SqliteStore
from desktopchat.sqlite_files import open_database


def test_messages_stored_before_the_search_migration_are_found(tmp_path: Path) -> None:
    path = tmp_path / "relay.sqlite3"
    old = open_database(path, MIGRATIONS[:4])
    old.execute(
        "INSERT INTO users (username, display_name, password_hash, created_at)"
        " VALUES ('ann', 'Ann', 'x', 0)"
    )
    rows = [(1, 1, "c1", 1, "an old deploy note", 10.0, 0), (1, 2, "c2", 1, "", 11.0, 1)]
    old.executemany(
        "INSERT INTO messages (room_id, id, client_id, author_id, text, sent_at, deleted)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    old.close()
    store = SqliteStore(path)
    try:
        assert store.schema_version == len(MIGRATIONS)
        page = store.search(parse("deploy"), rooms=None, before=None, limit=10)
        assert [(m.room, m.id, m.text) for m in page.messages] == [
            ("general", 1, "an old deploy note")
        ]
    finally:
        store.close()
    # Nothing else was indexed (the deleted row's blank text is not there).
    db = sqlite3.connect(path)
    assert db.execute("SELECT count(*) FROM message_search").fetchone()[0] == 1
    db.close()
