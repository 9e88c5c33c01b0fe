"""The relay's runtime: its store, its worker threads, its Pusher publisher, its throttles.

Store calls run on the store's own threads (one for SQLite, one per pooled connection for
PostgreSQL) and password hashing on another pool, so the event loop — which in the embedded
hub also serves every WebSocket — never waits on the database or the KDF.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import re
import sqlite3
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
from aiohttp import web

from desktopchat.server.http_errors import ApiError, json_object
from desktopchat.server.relay import limits, storage_errors
from desktopchat.server.relay.client_address import Network
from desktopchat.server.relay.database import PostgresSettings
from desktopchat.server.relay.models import User
from desktopchat.server.relay.publisher import Publisher, Upstream
from desktopchat.server.relay.ratelimit import Throttles
from desktopchat.server.relay.store import Store, StoreError, UnavailableError

log = logging.getLogger(__name__)
T = TypeVar("T")

DATABASE_FILE = "relay.sqlite3"


@dataclass(frozen=True, slots=True)
class ClientEndpoint:
    """How clients reach the WebSocket side, as ``GET /api/config`` tells them.

    ``None`` fields mean "the same host (and port) you reached the relay on", which is
    right for the embedded hub whatever address a client used to reach it.
    """

    cluster: str | None = None
    host: str | None = None
    port: int | None = None
    tls: bool = False


@dataclass(frozen=True, slots=True)
class RelayConfig:
    """Everything a relay needs. ``upstream`` is None when embedded in a hub: it is then
    bound to the hub's own port once that port is known."""

    data_dir: Path
    upstream: Upstream | None = None
    client_endpoint: ClientEndpoint = ClientEndpoint()
    #: Serve the seed page and its endpoints, bridged both ways to the room ``seed_room``.
    seed_compat: bool = False
    seed_room: str = "general"
    #: Accept ``POST /api/sessions/local`` (embedded hubs only): whoever can read the hub's
    #: secret on this machine may log in as a local user without a password.
    local_login: bool = False
    #: A PostgreSQL database shared with other relays; None keeps SQLite in ``data_dir``.
    database: PostgresSettings | None = None
    #: Load balancers whose ``X-Forwarded-For`` names the real client (``--trusted-proxy``).
    trusted_proxies: tuple[Network, ...] = ()
    #: The largest file upload (bytes), and what each user's uploads may take in all.
    max_file_bytes: int = limits.MAX_FILE_BYTES
    file_quota_bytes: int = limits.FILE_QUOTA_BYTES


def open_store(config: RelayConfig) -> Store:
    """The store ``config`` names: PostgreSQL if a database is given, else SQLite."""
    if config.database is not None:
        # psycopg loads only for relays that use it (the frozen desktop app leaves it out).
        try:
            from desktopchat.server.relay.postgres_store import PostgresStore  # noqa: PLC0415
        except ImportError as exc:
            raise UnavailableError(
                f"PostgreSQL support is not in this build ({exc}); install desktopchat with "
                "pip to keep a relay in PostgreSQL"
            ) from exc
        return PostgresStore(config.database)
    from desktopchat.server.relay.sqlite_store import SqliteStore  # noqa: PLC0415

    return SqliteStore(config.data_dir / DATABASE_FILE)


def token_hash(token: str) -> str:
    """Sessions are stored by the SHA-256 of their token: a leaked database logs nobody in."""
    return hashlib.sha256(token.encode()).hexdigest()


class Relay:
    """Shared state of the relay's HTTP handlers."""

    def __init__(self, config: RelayConfig) -> None:
        self.config = config
        self.store = open_store(config)
        self._db = ThreadPoolExecutor(self.store.workers, thread_name_prefix="relay-db")
        self._kdf = ThreadPoolExecutor(2, thread_name_prefix="relay-kdf")
        self.throttles = Throttles.in_store(self.store)
        self._session: aiohttp.ClientSession | None = None
        self._publisher: Publisher | None = None

    @property
    def publisher(self) -> Publisher:
        """The Pusher publisher; available once :meth:`start` ran."""
        if self._publisher is None:
            raise ApiError(503, "starting", "The relay is still starting; retry shortly")
        return self._publisher

    async def start(self, upstream: Upstream) -> None:
        """Open the keep-alive session to ``upstream``."""
        self._session = aiohttp.ClientSession()
        self._publisher = Publisher(upstream, self._session)
        log.info("relay triggering into %r", upstream)

    async def close(self) -> None:
        """Close the session, the worker threads and the database."""
        if self._session is not None:
            await self._session.close()
        self._kdf.shutdown(wait=True)
        self._db.submit(self.store.close).result()
        self._db.shutdown(wait=True)

    async def db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run a store call on the store's thread."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._db, partial(fn, *args, **kwargs))
        except (sqlite3.Error, StoreError) as exc:
            answer = storage_errors.api_error(exc)
            if answer is None:
                raise
            raise answer from exc

    async def cpu(self, fn: Callable[..., T], *args: Any) -> T:
        """Run CPU-heavy work (password hashing) off the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._kdf, partial(fn, *args))

    async def user_of(self, request: web.Request) -> tuple[User, str]:
        """The user of the request's ``Authorization: Bearer`` token, and the token's hash."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, "unauthenticated", "Log in first: Authorization: Bearer TOKEN")
        hashed = token_hash(token.strip())
        user = await self.db(self.store.session_user, hashed, time.time())
        if user is None:
            raise ApiError(401, "invalid_token", "Session expired or revoked; log in again")
        return user, hashed


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request's JSON object body, or a 400 saying exactly what is wrong with it."""
    return json_object(await request.read())


def string_field(
    body: dict[str, Any], name: str, *, max_length: int, required: bool = True
) -> str | None:
    """A string field, valid UTF-8 (no lone surrogates), within ``max_length`` characters."""
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str):
        raise ApiError(400, f"invalid_{name}", f"'{name}' must be a string")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ApiError(400, f"invalid_{name}", f"'{name}' is not valid UTF-8") from None
    if "\x00" in value:
        raise ApiError(400, f"invalid_{name}", f"'{name}' must not contain NUL characters")
    if len(value) > max_length:
        raise ApiError(400, f"invalid_{name}", f"'{name}' is longer than {max_length} characters")
    return value


def display_name_field(body: dict[str, Any], *, fallback: str | None) -> str:
    """``display_name``: printable text (no control or bidi-override characters), trimmed.

    Without the field (or with ``""``), ``fallback`` is used if given; a name that is blank
    once trimmed is refused, so every way of naming an account applies the same rule.
    """
    raw = string_field(
        body, "display_name", max_length=limits.MAX_DISPLAY_NAME, required=fallback is None
    )
    name = (raw or fallback or "").strip()
    if not name or not name.isprintable():
        raise ApiError(400, "invalid_display_name", "Display name must be printable text")
    return name


def topic_field(body: dict[str, Any]) -> str | None:
    """``topic``, trimmed (None when absent): printable text, as display names are, since
    every window shows it in the room's title (a bidi override would spoof what follows)."""
    raw = string_field(body, "topic", max_length=limits.MAX_TOPIC, required=False)
    if raw is None:
        return None
    topic = raw.strip()
    if topic and not topic.isprintable():
        raise ApiError(400, "invalid_topic", "A topic must be printable text")
    return topic


#: A non-negative decimal in ASCII digits: ``str.isdigit`` also accepts "²" and "٣".
_DECIMAL = re.compile(r"\A[0-9]{1,18}\Z")


def decimal(raw: str) -> int | None:
    """``raw`` as a non-negative integer that fits SQLite's 64-bit integers, else None."""
    return int(raw) if _DECIMAL.match(raw) else None


def retry_seconds(wait: float) -> int:
    """Whole seconds to tell a throttled client (at least 1), as ``Retry-After`` carries."""
    return max(1, math.ceil(wait))


def too_many(code: str, message: str, wait: float) -> ApiError:
    """A 429 with ``Retry-After``, for a throttle that refused for ``wait`` seconds."""
    return ApiError(429, code, message, headers={"Retry-After": str(retry_seconds(wait))})


RELAY = web.AppKey("relay", Relay)
