"""Records for the notification tests: people, messages, and the situation around them."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from desktopchat.client.domain import Author, Message
from desktopchat.client.notify.policy import RoomMode, Situation

#: The logged-in user (username "alice", display name "Alice Liddell") and two others.
ME = Author(1, "Alice Liddell", "/api/avatars/1.svg")
MY_NAMES = ("Alice Liddell", "alice")
BOB = Author(2, "Bob", "/api/avatars/2.svg")
CAROL = Author(3, "Carol", "/api/avatars/3.svg")

_ids = itertools.count(1)
_START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def message(
    text: str = "hello",
    *,
    room: str = "general",
    author: Author = BOB,
    deleted: bool = False,
    mentions: tuple[int, ...] | None = None,
) -> Message:
    """A stored message (by Bob in #general unless told otherwise); ``mentions`` None is
    a message from before the relay stored mentions as ids."""
    message_id = next(_ids)
    return Message(
        id=message_id,
        room=room,
        client_id=f"c-{message_id}",
        author=author,
        text=text,
        sent_at=_START + timedelta(seconds=message_id),
        edited_at=None,
        deleted=deleted,
        mentions=mentions,
    )


def situation(
    *,
    window_active: bool = True,
    room_on_screen: str | None = "general",
    do_not_disturb: bool = False,
    system_do_not_disturb: bool = False,
    room_modes: dict[str, RoomMode] | None = None,
) -> Situation:
    """Alice's situation: by default looking at #general in the active window."""
    return Situation(
        ME.id,
        MY_NAMES,
        window_active,
        room_on_screen,
        do_not_disturb=do_not_disturb,
        system_do_not_disturb=system_do_not_disturb,
        room_modes=room_modes or {},
    )


def close_leaked_socket(backend: Any) -> None:
    """Close the D-Bus socket FreedesktopBackend.stop() leaves open.

    ``test_freedesktop.py::test_stop_releases_the_connection`` fails for that bug; this
    cleanup keeps its ResourceWarning (an error under ``filterwarnings = error``) from landing
    on whichever test happens to run when the garbage collector finds the socket.
    """
    bus = getattr(backend, "_bus", None)
    if bus is None or bus._sock is None or bus._sock.fileno() == -1:
        return
    bus._stream.close()
    bus._sock.close()
