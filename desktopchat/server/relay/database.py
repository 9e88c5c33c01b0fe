"""Which database a relay uses: SQLite in its data dir (the default) or a PostgreSQL URL.

The URL names user, host, port and database; the password is kept apart from it so that
nothing prints it: it comes from the environment or a config file, never the command line
(``ps`` shows every process's arguments to every user). libpq's own ``PGPASSWORD`` and
``~/.pgpass`` work as well, since the password is only added when one is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: URL schemes libpq accepts for a connection URI.
SCHEMES = ("postgresql", "postgres")
#: Connections each relay process keeps at most, and so store calls it runs at once.
DEFAULT_POOL_SIZE = 8
#: Seconds a request waits for a connection before it answers 503.
DEFAULT_POOL_TIMEOUT = 5.0
#: Seconds one statement of a request may run (or wait on a lock) before PostgreSQL
#: cancels it and the request answers 503: a stuck transaction elsewhere must not hold
#: every worker of every relay, and the person waiting, forever.
DEFAULT_STATEMENT_TIMEOUT = 10.0


class DatabaseUrlError(ValueError):
    """The database URL is not one the relay can use; the message says why."""


def has_password(url: str) -> bool:
    """Whether ``url`` carries a password (``user:pw@`` or ``?password=``)."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    return parts.password is not None or "password" in query


def redacted(url: str) -> str:
    """``url`` with any password replaced by ``***``: what logs and messages may show."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, hostinfo = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:***@{hostinfo}"
    query = [(k, "***" if k == "password" else v) for k, v in parse_qsl(parts.query)]
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), ""))


def check_url(url: str) -> str:
    """``url`` if it is a PostgreSQL connection URI, else :class:`DatabaseUrlError`."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise DatabaseUrlError(f"the database URL is malformed: {exc}") from None
    if parts.scheme not in SCHEMES:
        raise DatabaseUrlError(
            "the database URL must start with postgresql:// (e.g. "
            "postgresql://desktopchat@db.example:5432/desktopchat)"
        )
    return url


@dataclass(frozen=True, slots=True)
class PostgresSettings:
    """A PostgreSQL database and how a relay uses it; ``repr`` never shows the password."""

    url: str
    password: str | None = field(default=None, repr=False)
    pool_size: int = DEFAULT_POOL_SIZE
    pool_timeout: float = DEFAULT_POOL_TIMEOUT
    statement_timeout: float = DEFAULT_STATEMENT_TIMEOUT

    def __post_init__(self) -> None:
        check_url(self.url)
        if self.pool_size < 1:
            raise DatabaseUrlError("the database pool size must be at least 1")
        if self.pool_timeout <= 0:
            raise DatabaseUrlError("the database pool timeout must be positive")
        if self.statement_timeout <= 0:
            raise DatabaseUrlError("the database statement timeout must be positive")

    def __repr__(self) -> str:
        return f"PostgresSettings({self.display!r}, pool_size={self.pool_size})"

    @property
    def display(self) -> str:
        """The URL as logs show it (any password in it replaced by ``***``)."""
        return redacted(self.url)
