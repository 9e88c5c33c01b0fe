"""Whether a message deserves a notification, and what it says. Pure functions.

The rules users of Slack, Element and Gajim expect: nothing for your own messages;
nothing while do-not-disturb is on (yours or the system's); nothing for the room you are
looking at; otherwise a mention of you (by user id; by name in messages from before ids)
always notifies — even in a muted room, as in Slack — and so does every message in a direct
conversation (it is addressed to you); besides those a muted room stays silent, a "mentions
only" room too.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from desktopchat import markdown_syntax
from desktopchat.client.direct import is_direct
from desktopchat.client.domain import Message


class RoomMode(enum.Enum):
    """Per-room notification setting."""

    ALL = "all"
    MENTIONS = "mentions"
    MUTE = "mute"


@dataclass(frozen=True, slots=True)
class Situation:
    """Everything the decision depends on besides the message."""

    own_user_id: int
    own_names: tuple[str, ...]
    window_active: bool
    room_on_screen: str | None
    do_not_disturb: bool = False
    system_do_not_disturb: bool = False
    room_modes: Mapping[str, RoomMode] = field(default_factory=dict)


def mentions(text: str, names: Iterable[str]) -> bool:
    """Whether ``text`` mentions any of ``names`` as a whole word (``@alice``, ``Alice,``)."""
    for name in names:
        if name and re.search(rf"(?<![\w@])@?{re.escape(name)}(?![\w@])", text, re.IGNORECASE):
            return True
    return False


def mentions_me(message: Message, user_id: int, names: Iterable[str]) -> bool:
    """Whether ``message`` mentions the user: by id when the relay says whom it mentions,
    by name (whole word) only for messages from before mentions were stored as ids."""
    by_id = message.mentions_user(user_id)
    return by_id if by_id is not None else mentions(message.text, names)


def should_notify(message: Message, situation: Situation) -> bool:
    """The policy, in the order a person would explain it."""
    if message.author.id == situation.own_user_id or message.deleted:
        return False
    if situation.do_not_disturb or situation.system_do_not_disturb:
        return False
    if situation.window_active and situation.room_on_screen == message.room:
        return False
    if is_direct(message.room) or mentions_me(message, situation.own_user_id, situation.own_names):
        return True  # a DM speaks to you as a mention does: even a muted one notifies
    mode = situation.room_modes.get(message.room, RoomMode.ALL)
    return mode is RoomMode.ALL


@dataclass(frozen=True, slots=True)
class Content:
    """What a notification shows. ``room`` is None for a summary across rooms."""

    room: str | None
    title: str
    body: str
    count: int


def preview(text: str, limit: int = 200) -> str:
    """One short line of a message for a notification body."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def message_line(message: Message) -> str:
    """A message's line in a notification: its text as plain text (no ``**`` marks), or
    the files it carries when it has no caption ("Sent shot.png", "Sent 3 files: …")."""
    if message.text.strip() or not message.attachments:
        return preview(markdown_syntax.plain_text(message.text))
    names = [a.name for a in message.attachments]
    if len(names) == 1:
        return preview(f"Sent {names[0]}")
    return preview(f"Sent {len(names)} files: {', '.join(names)}")


def room_content(room: str, messages: list[Message]) -> Content:
    """One room's notification: the message itself, or "3 new messages in #room"."""
    last = messages[-1]
    if is_direct(room):  # a DM's name means nothing to people: who wrote is the title
        count = len(messages)
        title = last.author.display_name + (f" ({count} new messages)" if count > 1 else "")
        return Content(room, title, message_line(last), count)
    if len(messages) == 1:
        return Content(room, f"{last.author.display_name} in #{room}", message_line(last), 1)
    body = f"{last.author.display_name}: {message_line(last)}"
    return Content(room, f"{len(messages)} new messages in #{room}", body, len(messages))


def summary_content(by_room: Mapping[str, list[Message]]) -> Content:
    """After a reconnect or a burst across rooms: one summary instead of a storm."""
    total = sum(len(m) for m in by_room.values())
    rooms = sorted(by_room, key=lambda r: -len(by_room[r]))
    listed = ", ".join(
        f"{by_room[r][-1].author.display_name if is_direct(r) else '#' + r} ({len(by_room[r])})"
        for r in rooms[:4]
    )
    more = f" and {len(rooms) - 4} more" if len(rooms) > 4 else ""
    return Content(None, f"{total} new messages in {len(rooms)} rooms", listed + more, total)
