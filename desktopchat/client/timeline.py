"""Ordering and de-duplication of one room's messages, whatever order they arrive in.

Ids are 1, 2, 3... per room with no gaps (a deleted message keeps its id), so the
timeline delivers exactly the contiguous run after the last id it delivered: duplicates
are dropped, early arrivals wait, and a waiting message means a gap that a history fetch
must fill. Live events and catch-up pages go through the same ``offer`` in any order,
which is what makes a reconnect lose nothing and repeat nothing.
"""

from __future__ import annotations

from desktopchat.client.domain import Message


class RoomTimeline:
    """The delivered prefix of one room's message sequence.

    Args:
        last_id: the last id already delivered (from the local cache), or None when
            unknown — then nothing is delivered until :meth:`start_after` sets the base.
    """

    def __init__(self, last_id: int | None = None) -> None:
        self.last_id = last_id
        self._waiting: dict[int, Message] = {}

    @property
    def has_gap(self) -> bool:
        """Whether messages wait for earlier ones: fetch history after :attr:`last_id`."""
        return bool(self._waiting)

    @property
    def based(self) -> bool:
        """Whether the timeline knows where it starts."""
        return self.last_id is not None

    def start_after(self, last_id: int) -> list[Message]:
        """Set the base when it was unknown (e.g. ``tail --last N`` starts mid-history)."""
        if self.last_id is None:
            self.last_id = last_id
            for message_id in [i for i in self._waiting if i <= last_id]:
                del self._waiting[message_id]
        return self._drain()

    def offer(self, messages: list[Message] | tuple[Message, ...]) -> list[Message]:
        """Take messages in any order; return the newly deliverable ones, in id order."""
        for message in messages:
            if self.last_id is not None and message.id <= self.last_id:
                continue  # already delivered
            self._waiting.setdefault(message.id, message)
        return self._drain()

    def update(self, message: Message) -> tuple[Message | None, list[Message]]:
        """An edit or delete (a full message object).

        Returns the message to apply if it was already delivered; otherwise it stands in
        for the original (newer version) and is returned among the deliverable ones.
        """
        if self.last_id is not None and message.id <= self.last_id:
            return message, []
        self._waiting[message.id] = message
        return None, self._drain()

    def _drain(self) -> list[Message]:
        if self.last_id is None:
            return []
        delivered = []
        while (self.last_id + 1) in self._waiting:
            self.last_id += 1
            delivered.append(self._waiting.pop(self.last_id))
        return delivered
