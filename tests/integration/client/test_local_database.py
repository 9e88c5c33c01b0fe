"""The local database when several clients of one user open it at once.

The window and a ``tail`` (or two ``tail``\\ s in two terminals) of the same user on the
same server share one SQLite file; on a new machine they create it together. Each open is
a separate SQLite connection, as in separate processes.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from desktopchat.client.cache import LocalDatabase, database_path


@pytest.mark.parametrize("attempt", range(4))
def test_clients_opening_a_new_database_at_the_same_moment_all_succeed(
    tmp_path: Path, attempt: int
) -> None:
    """Timing-dependent by nature, hence several attempts of four clients each."""
    path = database_path(tmp_path, "http://127.0.0.1:6001", "alice")
    clients = 4
    barrier = threading.Barrier(clients)
    errors: list[str] = []

    def open_and_write(n: int) -> None:
        barrier.wait()
        try:
            database = LocalDatabase(path)
            try:
                database.outbox_add(f"client-{n}", "general", f"from client {n}")
            finally:
                database.close()
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=open_and_write, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    database = LocalDatabase(path)
    try:
        assert sorted(row.client_id for row in database.outbox()) == [
            f"client-{n}" for n in range(clients)
        ]
    finally:
        database.close()
