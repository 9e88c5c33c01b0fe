"""A request's statement that waits on a stuck transaction is cancelled and answers 503.

Without a statement timeout, one transaction left holding a lock (a hung migration, an
operator's open psql session) held every worker of every relay, and each person waiting,
for as long as it lasted.
"""

from __future__ import annotations

import dataclasses

import pytest

from desktopchat.server.relay.database import DatabaseUrlError, PostgresSettings
from desktopchat.server.relay.postgres_store import PostgresStore
from desktopchat.server.relay.store import UnavailableError
from tests.postgres_server import PostgresServer


@pytest.mark.timeout(30)  # without the timeout it waits on the lock for ever
def test_a_statement_blocked_by_a_held_lock_is_cancelled(postgres: PostgresServer) -> None:
    database = postgres.new_database()
    settings = dataclasses.replace(postgres.settings(database), statement_timeout=0.3)
    store = PostgresStore(settings)
    try:
        with postgres.admin(database) as stuck:
            stuck.autocommit = False
            stuck.execute("LOCK TABLE rooms IN ACCESS EXCLUSIVE MODE")  # held, never released
            with pytest.raises(UnavailableError, match="statement timeout"):
                store.set_topic("general", "waits on the lock")
            stuck.rollback()
        assert store.set_topic("general", "free again").topic == "free again"
    finally:
        store.close()


def test_the_statement_timeout_must_be_positive(postgres: PostgresServer) -> None:
    with pytest.raises(DatabaseUrlError, match="statement timeout"):
        dataclasses.replace(postgres.settings("x"), statement_timeout=0)


def test_migrations_are_not_bound_by_it() -> None:
    from desktopchat.server.relay.postgres_store import connect_kwargs, pool_kwargs

    settings = PostgresSettings("postgresql://relay@db.example/chat", statement_timeout=2.5)
    assert pool_kwargs(settings)["options"] == "-c statement_timeout=2500"
    assert "options" not in connect_kwargs(settings)


def test_a_config_file_sets_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from desktopchat.commands.database_options import DatabaseOptionsError, database_from

    monkeypatch.delenv("DESKTOPCHAT_DATABASE_URL", raising=False)
    table = {"url": "postgresql://relay@db.example/chat", "statement_timeout": 4}
    settings = database_from(argparse.Namespace(database_url=None), table)
    assert settings is not None
    assert settings.statement_timeout == 4.0
    with pytest.raises(DatabaseOptionsError, match="statement timeout must be positive"):
        database_from(argparse.Namespace(database_url=None), {**table, "statement_timeout": -1})
