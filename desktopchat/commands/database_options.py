"""``--database-url``: PostgreSQL for ``desktopchat relay`` and ``desktopchat serve``.

The URL may come from the option, ``DESKTOPCHAT_DATABASE_URL`` or the ``[database]`` table
of ``relay --config``; the first given wins. Its password must not be on the command line,
which every user sees in ``ps``: it comes from ``DESKTOPCHAT_DATABASE_PASSWORD``, the
config file (``password`` in ``[database]``), libpq's ``PGPASSWORD`` or ``~/.pgpass``, or a
URL given in the environment or the file. Without a URL the relay keeps SQLite.
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from desktopchat.server.relay.database import (
    DEFAULT_POOL_SIZE,
    DEFAULT_POOL_TIMEOUT,
    DEFAULT_STATEMENT_TIMEOUT,
    DatabaseUrlError,
    PostgresSettings,
    has_password,
)

ENV_URL = "DESKTOPCHAT_DATABASE_URL"
ENV_PASSWORD = "DESKTOPCHAT_DATABASE_PASSWORD"  # noqa: S105 - the variable's name


class DatabaseOptionsError(Exception):
    """The database settings cannot be used; the message says what to change."""


def add_database_options(parser: argparse.ArgumentParser) -> None:
    """Add ``--database-url``."""
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="keep accounts, rooms and history in PostgreSQL, e.g. "
        "postgresql://desktopchat@db.example:5432/desktopchat (shared by several relays); "
        f"also ${ENV_URL}. The password: ${ENV_PASSWORD} or PGPASSWORD, never this option",
    )


def database_from(
    args: argparse.Namespace, table: dict[str, Any] | None = None
) -> PostgresSettings | None:
    """The PostgreSQL database options, environment and ``table`` (a config file's
    ``[database]``) name, or None for SQLite."""
    table = table or {}
    given = getattr(args, "database_url", None)
    if given and has_password(given):
        raise DatabaseOptionsError(
            "refusing a password in --database-url: the command line is visible to every "
            f"user (ps). Give it in ${ENV_PASSWORD}, PGPASSWORD, ~/.pgpass or the [database] "
            "table of --config, and the URL without it"
        )
    url = given or os.environ.get(ENV_URL) or table.get("url")
    if not url:
        return None
    password = os.environ.get(ENV_PASSWORD) or table.get("password")
    try:
        return PostgresSettings(
            str(url),
            password=None if password is None else str(password),
            pool_size=int(table.get("pool_size", DEFAULT_POOL_SIZE)),
            pool_timeout=float(table.get("pool_timeout", DEFAULT_POOL_TIMEOUT)),
            statement_timeout=float(table.get("statement_timeout", DEFAULT_STATEMENT_TIMEOUT)),
        )
    except (DatabaseUrlError, TypeError, ValueError) as exc:
        raise DatabaseOptionsError(str(exc)) from exc
