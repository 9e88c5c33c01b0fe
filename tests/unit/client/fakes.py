"""Fakes of the client's collaborators: a relay's history and message sending, thread-safe.

They stand where ``ChatSession`` puts the relay client (the blocking callables handed to
``SyncEngine`` and ``Outbox``), run on the task runner's worker threads like the real ones,
and can hold each call until the test releases it, so tests decide what interleaves.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from desktopchat.client.domain import Author, HistoryPage, Message, Room, ServerInfo

#: Seconds a fake waits for the test before giving up (a test bug, never a pass).
WAIT = 10.0

ALICE = Author(1, "Alice", "/api/avatars/1.svg")
SENT_AT = datetime(2026, 11, 28, 16, 21, 46, 123000, tzinfo=UTC)
SERVER = ServerInfo(
    key="278d425bdf160c739803",
    host="127.0.0.1",
    port=9,  # never connected to: the bridge of these tests is never started
    cluster=None,
    tls=False,
    auth_endpoint="/api/pusher/auth",
    max_message_bytes=8192,
    relay_version="test",
)


def room(name: str = "general") -> Room:
    return Room(name, "", f"private-room-{name}", f"presence-room-{name}")


def message(message_id: int, room_name: str = "general", text: str | None = None) -> Message:
    return Message(
        id=message_id,
        room=room_name,
        client_id=f"c-{room_name}-{message_id}",
        author=ALICE,
        text=f"message {message_id}" if text is None else text,
        sent_at=SENT_AT,
        edited_at=None,
        deleted=False,
    )


class Gate:
    """Holds calls on worker threads until the test lets them through, one by one."""

    def __init__(self) -> None:
        self.closed = False
        self._cond = threading.Condition()
        self._tokens = 0
        self.waiting = 0

    def close(self) -> None:
        with self._cond:
            self.closed = True

    def open(self) -> None:
        """Let every call through, now and later."""
        with self._cond:
            self.closed = False
            self._cond.notify_all()

    def release(self) -> None:
        """Let one waiting call through."""
        with self._cond:
            self._tokens += 1
            self._cond.notify_all()

    @property
    def held(self) -> bool:
        """Whether a call waits and no release is on its way to it."""
        with self._cond:
            return self.waiting > 0 and self._tokens == 0

    def pass_through(self) -> None:
        """Called by the fake on its worker thread."""
        with self._cond:
            if not self.closed:
                return
            self.waiting += 1
            try:
                released = self._cond.wait_for(lambda: self._tokens > 0 or not self.closed, WAIT)
                if not released:
                    raise TimeoutError("the test never released this call")
                if self.closed:
                    self._tokens -= 1
            finally:
                self.waiting -= 1


@dataclass
class FakeHistory:
    """A relay's message history; ``__call__`` is a ``HistoryFetcher``.

    Pages are at most ``page_size`` long (a server may cap below the asked limit), with
    ``has_more`` as the relay sets it: more after (catch-up) or older ones (latest).
    """

    page_size: int = 1000
    #: Calls after this many are held (closing the gate): a runaway loop stops there.
    max_calls: int | None = None
    #: What the next calls raise, in order (the relay unreachable...), before answering.
    errors: list[Exception] = field(default_factory=list)
    gate: Gate = field(default_factory=Gate)
    calls: list[tuple[str, int | None, int]] = field(default_factory=list)
    _messages: dict[str, list[Message]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, *ids: int, room_name: str = "general") -> list[Message]:
        """Store messages (ids in order, as the relay commits them)."""
        added = [message(i, room_name) for i in ids]
        with self._lock:
            self._messages.setdefault(room_name, []).extend(added)
        return added

    def __call__(self, room_name: str, after: int | None, limit: int) -> HistoryPage:
        # The page is what the relay has when the request arrives; a held call is an
        # answer still on its way (messages added meanwhile are not in it).
        with self._lock:
            self.calls.append((room_name, after, limit))
            stored = list(self._messages.get(room_name, []))
            if self.max_calls is not None and len(self.calls) > self.max_calls:
                self.gate.close()
            error = self.errors.pop(0) if self.errors else None
        if error is not None:
            raise error
        size = min(limit, self.page_size)
        if after is None:
            page = HistoryPage(tuple(stored[-size:]), len(stored) > size)
        else:
            newer = [m for m in stored if m.id > after]
            page = HistoryPage(tuple(newer[:size]), len(newer) > size)
        self.gate.pass_through()
        return page


@dataclass
class FakeSender:
    """The relay's send endpoint; ``__call__`` is an outbox ``Sender``.

    ``script[text]`` lists what the attempts for that text raise, in order (then success).
    Each call also reads the outbox table through its own connection: ``persisted`` says
    whether the message was already on disk when the attempt was made.
    """

    database: Path
    script: dict[str, list[Exception]] = field(default_factory=dict)
    gate: Gate = field(default_factory=Gate)
    calls: list[tuple[str, str, str]] = field(default_factory=list)
    persisted: list[bool] = field(default_factory=list)
    stored: dict[str, Message] = field(default_factory=dict)
    on_call: Callable[[str, str, str], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, room_name: str, text: str, client_id: str) -> Message:
        on_disk = _outbox_client_ids(self.database)
        with self._lock:
            self.calls.append((room_name, text, client_id))
            self.persisted.append(client_id in on_disk)
            failures = self.script.get(text, [])
            failure = failures.pop(0) if failures else None
        self.gate.pass_through()
        if failure is not None:
            raise failure
        with self._lock:
            # The relay turns repeats of a client_id into the one stored message.
            if client_id not in self.stored:
                next_id = 1 + sum(1 for m in self.stored.values() if m.room == room_name)
                self.stored[client_id] = Message(
                    next_id, room_name, client_id, ALICE, text, SENT_AT, None, False
                )
            return self.stored[client_id]

    def texts(self) -> list[str]:
        with self._lock:
            return [text for _, text, _ in self.calls]


def _outbox_client_ids(path: Path) -> set[str]:
    connection = sqlite3.connect(path)
    try:
        return {row[0] for row in connection.execute("SELECT client_id FROM outbox")}
    finally:
        connection.close()
