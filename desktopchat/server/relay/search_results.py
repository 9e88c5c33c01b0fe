"""What a relay search returns, and the cursor that pages through it.

Results are newest first, ordered by ``(sent_at, room, id)`` descending so that ties (two
rooms in one millisecond) still have one order; the cursor is that triple, so the next page
starts exactly after the last result whatever was sent meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktopchat.server.relay.models import ROOM_NAME, Message


@dataclass(frozen=True, slots=True)
class SearchCursor:
    """Where a page of results ended: the last result's sort key."""

    sent_at: float
    room: str
    message_id: int

    def encode(self) -> str:
        """The cursor as ``before=`` takes it (opaque to clients)."""
        return f"{self.sent_at!r}~{self.room}~{self.message_id}"

    @classmethod
    def decode(cls, raw: str) -> SearchCursor | None:
        """A cursor from :meth:`encode`, or None if ``raw`` is not one."""
        parts = raw.split("~")
        if len(parts) != 3 or not ROOM_NAME.match(parts[1]) or not parts[2].isascii():
            return None
        try:
            sent_at, message_id = float(parts[0]), int(parts[2])
        except ValueError:
            return None
        if not 0 <= sent_at < 1e12 or not 0 < message_id < 2**62:
            return None
        return cls(sent_at, parts[1], message_id)


@dataclass(frozen=True, slots=True)
class SearchPage:
    """Matching messages, newest first, and whether older ones match too."""

    messages: list[Message]
    has_more: bool

    @property
    def next_before(self) -> SearchCursor | None:
        """The cursor for the next (older) page, when there is one."""
        if not self.has_more or not self.messages:
            return None
        last = self.messages[-1]
        return SearchCursor(last.sent_at, last.room, last.id)
