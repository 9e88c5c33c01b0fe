"""The storage interface the relay is written against.

SQLite (:mod:`.sqlite_store`) is the embedded default; PostgreSQL (:mod:`.postgres_store`)
lets several relay processes serve one team behind a load balancer, which is why everything
a relay must remember between requests (the login throttle included) is kept here and not
in the process. Methods are synchronous and run on worker threads (``workers`` of them at
once), so the event loop never waits on the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from desktopchat.search_syntax import Query
from desktopchat.server.relay.models import Message, Room, User
from desktopchat.server.relay.search_results import SearchCursor, SearchPage


class StoreError(Exception):
    """Base of the store's own errors."""


class AlreadyExistsError(StoreError):
    """A unique name (username, room) is taken."""


class NotFoundError(StoreError):
    """No such room, message or user."""


class UnavailableError(StoreError):
    """The database cannot be reached or used now; worth retrying later (an HTTP 503)."""


class FullError(StoreError):
    """The database refuses writes for lack of space; reads may still work (an HTTP 507)."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """What login needs: the user and their stored password hash."""

    user: User
    password_hash: str


@dataclass(frozen=True, slots=True)
class Page:
    """A page of history in id order, and whether more lie beyond it."""

    messages: list[Message]
    has_more: bool


@dataclass(frozen=True, slots=True)
class RoomPage:
    """Rooms in name order, and whether more lie beyond them."""

    rooms: list[Room]
    has_more: bool


@dataclass(frozen=True, slots=True)
class ChangePage:
    """Messages edited or deleted after a room's change counter ``since``, oldest change first.

    ``until`` is the counter to ask from next time.
    """

    messages: list[Message]
    until: int
    has_more: bool


class Store(Protocol):
    """Everything the relay keeps."""

    #: How many calls may run at once (worker threads the relay gives the store).
    workers: int

    def ping(self) -> None:
        """Check the database answers; :class:`UnavailableError` if not (``GET /api/health``)."""
        ...

    def create_user(
        self, username: str, password_hash: str, display_name: str, email: str | None
    ) -> User:
        """Add an account; :class:`AlreadyExistsError` if the username is taken."""
        ...

    def credentials(self, username: str) -> Credentials | None:
        """The account and password hash for ``username`` (case-insensitive), if any."""
        ...

    def set_display_name(self, user_id: int, display_name: str) -> User:
        """Change the name others see (on past messages too)."""
        ...

    def create_session(self, user_id: int, token_hash: str, expires_at: float) -> None:
        """Remember a login by the hash of its token."""
        ...

    def session_user(self, token_hash: str, now: float) -> User | None:
        """The user of an unexpired session, if any."""
        ...

    def delete_session(self, token_hash: str) -> None:
        """Revoke a session (logout)."""
        ...

    def use_once(self, key: str, expires_at: float, now: float) -> bool:
        """Record ``key`` as used until ``expires_at``; False if it already was (a replay).

        Atomic: of two concurrent calls with one key, exactly one gets True.
        """
        ...

    def reserve_attempt(self, scope: str, key: str, limit: int, window: float, now: float) -> float:
        """Reserve one attempt of ``key`` in ``scope`` if fewer than ``limit`` are counted or
        pending within ``window`` seconds, checking and reserving in one atomic step.

        Returns 0 when reserved (settle it with :meth:`settle_attempt`), else the seconds
        until ``key`` may try again. Atomic across every relay on the database, so a burst
        split across relays gets no more attempts than one relay would allow.
        """
        ...

    def settle_attempt(self, scope: str, key: str, now: float, *, counted: bool) -> None:
        """Settle one pending reservation of ``key``: counted (it uses the limit until its
        window passes) or not (it is forgotten)."""
        ...

    def forgive_attempts(self, scope: str, key: str) -> None:
        """Forget ``key``'s counted attempts in ``scope``; pending ones keep counting."""
        ...

    def rooms(self, *, after: str, limit: int) -> RoomPage:
        """Up to ``limit`` rooms named after ``after`` ("": from the first), by name."""
        ...

    def room(self, name: str) -> Room | None:
        """One room, if it exists."""
        ...

    def create_room(self, name: str, topic: str, created_by: int | None) -> Room:
        """Add a room; :class:`AlreadyExistsError` if the name is taken."""
        ...

    def set_topic(self, name: str, topic: str) -> Room:
        """Change a room's topic; :class:`NotFoundError` if there is no such room."""
        ...

    def add_message(
        self, room: str, author_id: int, client_id: str, text: str, now: float
    ) -> tuple[Message, bool]:
        """Store a message, or find the one this author already sent with ``client_id``.

        Returns the message and whether it was newly created. Committed before returning,
        so it is durable before any event announces it.
        """
        ...

    def message(self, room: str, message_id: int) -> Message | None:
        """One message of a room, if it exists."""
        ...

    def update_message(self, room: str, message_id: int, text: str, now: float) -> Message:
        """Replace a message's text and mark it edited."""
        ...

    def delete_message(self, room: str, message_id: int, now: float) -> Message:
        """Blank a message's text and mark it deleted (its id stays, as a placeholder)."""
        ...

    def history(self, room: str, *, after: int | None, before: int | None, limit: int) -> Page:
        """Messages after ``after`` (oldest first), or the newest before ``before``."""
        ...

    def changes(self, room: str, since: int | None, limit: int) -> ChangePage:
        """Edits and deletes after change ``since`` (None: only the current counter)."""
        ...

    def close(self) -> None:
        """Release the database."""
        ...

    # --- search ---

    def search(
        self,
        query: Query,
        *,
        rooms: list[str] | None,
        before: SearchCursor | None,
        limit: int,
    ) -> SearchPage:
        """Messages matching every term of ``query``, newest first (deleted ones never).

        ``rooms`` limits the search to those rooms (None: every room); ``before`` starts
        after a previous page's last result.
        """
        ...
