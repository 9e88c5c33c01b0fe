"""Two hubs starting at once on one data dir (two clients each starting the embedded hub)
must both open the relay's database: one creates the schema, the other finds it. So must
relays starting at once on one new PostgreSQL database."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktopchat.server.relay import postgres_schema
from desktopchat.server.relay.postgres_store import PostgresStore
from desktopchat.server.relay.sqlite_store import MIGRATIONS, SqliteStore
from tests.postgres_server import PostgresServer


@pytest.mark.parametrize("attempt", range(15))
def test_two_stores_opening_a_new_database_at_once_both_work(tmp_path: Path, attempt: int) -> None:
    path = tmp_path / "relay.sqlite3"
    start = threading.Barrier(2)
    stores: list[SqliteStore] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        start.wait()
        try:
            stores.append(SqliteStore(path))
        except BaseException as exc:  # recorded for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert errors == []
        assert [s.schema_version for s in stores] == [len(MIGRATIONS)] * 2
        rooms = stores[0].rooms(after="", limit=10).rooms
        assert [r.name for r in rooms] == ["general"]  # created once
    finally:
        for store in stores:
            store.close()


@pytest.mark.parametrize("attempt", range(3))
def test_relays_starting_at_once_on_a_new_postgres_database_migrate_it_once(
    postgres: PostgresServer, attempt: int
) -> None:
    settings = postgres.settings(postgres.new_database(empty=True))
    start = threading.Barrier(4)
    stores: list[PostgresStore] = []
    errors: list[BaseException] = []

    def open_store() -> None:
        start.wait()
        try:
            stores.append(PostgresStore(settings))
        except BaseException as exc:  # recorded for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=open_store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    try:
        assert errors == []
        assert [s.schema_version for s in stores] == [len(postgres_schema.MIGRATIONS)] * 4
        rooms = stores[0].rooms(after="", limit=10).rooms
        assert [r.name for r in rooms] == ["general"]  # created once
    finally:
        for store in stores:
            store.close()
