"""The storage interface the relay is written against.

SQLite (:mod:`.sqlite_store`) is the embedded default; PostgreSQL (:mod:`.postgres_store`)
lets several relay processes serve one team behind a load balancer, which is why everything
a relay must remember between requests (the login throttle included) is kept here and not
in the process. Methods are synchronous and run on worker threads (``workers`` of them at
once), so the event loop never waits on the database.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

from desktopchat.search_syntax import Query
from desktopchat.server.relay.models import Attachment, Dm, Message, Room, User
from desktopchat.server.relay.search_results import SearchCursor, SearchPage


class StoreError(Exception):
    """Base of the store's own errors."""


class AlreadyExistsError(StoreError):
    """A unique name (username, room) is taken."""


class NotFoundError(StoreError):
    """No such room, message or user."""


class AttachmentTakenError(NotFoundError):
    """A file to attach is not the sender's, not in the room, or on another message."""


class DeletedError(StoreError):
    """The message was deleted; it takes no more reactions."""


class CapError(StoreError):
    """The message carries as many distinct reactions as it may."""


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


@dataclass(frozen=True, slots=True)
class ThumbnailRecord:
    """The thumbnail made for blob ``digest``: its own blob and type, or why there is none
    (``thumb_digest`` None, ``reason`` set), so a bad image is decoded once, not per view."""

    digest: str
    thumb_digest: str | None
    type: str
    reason: str


@dataclass(frozen=True, slots=True)
class DmPage:
    """One member's DMs in name order, and whether more lie beyond them."""

    dms: list[Dm]
    has_more: bool


@dataclass(frozen=True, slots=True)
class ReadMark:
    """How far a user has read a room: every message up to ``message_id`` is read."""

    room: str
    message_id: int


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

    def create_session(self, user_id: int, token_hash: str, expires_at: float, now: float) -> None:
        """Remember a login by the hash of its token, and forget the user's expired ones
        (a session is never read after it expires; without this they stayed forever)."""
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

    def post_message(
        self,
        room: str,
        author_id: int,
        client_id: str,
        text: str,
        now: float,
        *,
        reply_to: int | None = None,
        mentions: Collection[int] | None = None,
        file_ids: Sequence[str] = (),
    ) -> tuple[Message, bool]:
        """A message sent with all it carries, stored in one commit: :meth:`add_message`
        (answering message ``reply_to`` of the same room), the users it ``mentions``
        (None: leave them as they are) and the files it carries (as :meth:`attach_files`).

        Nobody can read the message without its mentions and files: stored in steps, a
        catch-up read between them showed it without, and the client, which takes each
        message id once, kept that copy (a mention that never notified, files missing).
        A retry with a known ``client_id`` stores its mentions and files again (harmless).
        :class:`NotFoundError` without the room or the message answered (nothing is
        stored), :class:`AttachmentTakenError` naming the first file it cannot attach.
        """
        ...

    def message(self, room: str, message_id: int) -> Message | None:
        """One message of a room, if it exists."""
        ...

    def update_message(
        self,
        room: str,
        message_id: int,
        text: str,
        now: float,
        mentions: Collection[int] | None = None,
    ) -> Message:
        """Replace a message's text and mark it edited; with ``mentions``, those become its
        mentions in the same transaction (a reader never sees the edit without them)."""
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

    # --- files ---

    def add_file(self, file: Attachment) -> None:
        """Record an uploaded file (not yet carried by a message)."""
        ...

    def file(self, room: str, file_id: str) -> Attachment | None:
        """One file uploaded to ``room``, if it exists."""
        ...

    def uploaded_bytes(self, user_id: int, unattached_since: float) -> int:
        """The sizes of ``user_id``'s files added up (their quota's use): those a message
        carries, and those uploaded since ``unattached_since`` that none carries yet.
        An upload abandoned longer ago (a cancelled send) no longer counts."""
        ...

    def attach_files(
        self, room: str, message_id: int, uploader_id: int, file_ids: Sequence[str]
    ) -> None:
        """Let message ``message_id`` carry ``file_ids``, in that order, all or none.

        Each must be ``uploader_id``'s, in ``room``, and carried by no other message
        (attaching again to the same message is a no-op, for retries); otherwise
        :class:`NotFoundError` names the first that is not.
        """
        ...

    def attachments(self, room: str, message_ids: Sequence[int]) -> dict[int, list[Attachment]]:
        """The files each of ``message_ids`` carries, in order (messages without: absent)."""
        ...

    def thumbnail(self, digest: str) -> ThumbnailRecord | None:
        """The thumbnail made for blob ``digest``, or None if none was tried yet."""
        ...

    def set_thumbnail(self, record: ThumbnailRecord) -> None:
        """Remember a thumbnail (or that none can be made); the first one kept wins."""
        ...

    # --- direct messages ---

    def user(self, user_id: int) -> User | None:
        """One account by id, if it exists."""
        ...

    def user_named(self, username: str) -> User | None:
        """One account by username (case-insensitive), if it exists."""
        ...

    def create_dm(self, name: str, member_ids: frozenset[int], created_by: int) -> tuple[Dm, bool]:
        """The DM room ``name`` with exactly these members: made now (True) or found (False).

        One transaction: two people starting the same DM at once get one room.
        :class:`AlreadyExistsError` if ``name`` is taken by a room that is not a DM.
        """
        ...

    def dm(self, name: str) -> Dm | None:
        """The DM named ``name`` with its members; None if there is none (or it is a room)."""
        ...

    def dms_of(self, user_id: int, *, after: str, limit: int) -> DmPage:
        """Up to ``limit`` DMs ``user_id`` is a member of, named after ``after``, by name."""
        ...

    # --- replies and reactions ---

    def touch_replies(self, room: str, message_id: int) -> int:
        """Message ``message_id`` was edited or deleted: bump the change counter once for
        each reply to it, so a client that was away refreshes their quotes. Returns how many.
        """
        ...

    def react(
        self, room: str, message_id: int, user_id: int, emoji: str, now: float, *, cap: int
    ) -> tuple[Message, bool]:
        """Add ``user_id``'s ``emoji`` to a message; whether it changed anything.

        Idempotent (a second add changes nothing and bumps no counter). :class:`NotFoundError`
        without the message, :class:`DeletedError` if it was deleted, :class:`CapError` if it
        already carries ``cap`` distinct emoji and this one is new to it.
        """
        ...

    def unreact(self, room: str, message_id: int, user_id: int, emoji: str) -> tuple[Message, bool]:
        """Remove ``user_id``'s ``emoji`` from a message (idempotent); whether it changed."""
        ...

    def with_extras(self, messages: list[Message]) -> list[Message]:
        """``messages`` with their ``reply_to`` and ``reactions`` filled in, in a few queries."""
        ...

    # --- mentions + read state ---

    def existing_users(self, user_ids: Collection[int]) -> set[int]:
        """Which of ``user_ids`` are accounts (to refuse mentions of anybody else)."""
        ...

    def mark_read(self, user_id: int, room: str, message_id: int, now: float) -> tuple[int, bool]:
        """Move the user's read mark in ``room`` up to ``message_id``, never back.

        Returns the mark as it stands and whether it moved. :class:`NotFoundError` if the
        room does not exist or has no message ``message_id`` yet.
        """
        ...

    def read_marks(self, user_id: int) -> list[ReadMark]:
        """The user's read mark in every room they have read, by room name."""
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
