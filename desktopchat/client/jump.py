"""Loading a message far back in history, so the window can jump to it.

The window's message list holds one unbroken run of a room's messages, up to the newest,
so a jump to a message before the first one loaded brings the message with a little
context before it (``GET …/messages?around=ID``) and then every message between it and
the first one loaded (pages of ``after=``), oldest first. The local database is asked
first: what was seen before needs no request (and works offline).
"""

from __future__ import annotations

from collections.abc import Callable

from desktopchat.client.domain import AroundPage, HistoryPage, Message

#: Messages of context around the target; messages per page of the gap after it.
AROUND = 50
PAGE = 200

Around = Callable[[str, int, int], AroundPage]
"""``(room, message_id, limit) -> the message and its neighbours``; blocking (HTTP)."""
After = Callable[[str, int, int], HistoryPage]
"""``(room, after_id, limit) -> the page after it``; blocking (HTTP)."""


def fetch_back_to(
    room: str, target: int, first_loaded: int | None, around: Around, after: After
) -> tuple[list[Message], bool]:
    """Messages from a little before ``target`` up to ``first_loaded`` (excluded), in id
    order, and whether older ones exist before them. On a worker thread."""
    chunk = around(room, target, AROUND)
    messages = [m for m in chunk.messages if m.id <= target]
    last = messages[-1].id if messages else target
    end = first_loaded - 1 if first_loaded is not None else None
    if end is None:  # nothing loaded yet: the context after the target will do
        return list(chunk.messages), chunk.has_more
    messages += [m for m in chunk.messages if target < m.id <= end]
    last = max(last, messages[-1].id if messages else last)
    while last < end:
        page = after(room, last, min(PAGE, end - last))
        fresh = [m for m in page.messages if last < m.id <= end]
        if not fresh:
            break
        messages += fresh
        last = fresh[-1].id
        if not page.has_more:
            break
    return messages, chunk.has_more


def from_cache(cached: list[Message], target: int, first_loaded: int) -> list[Message] | None:
    """``cached`` (the local database's run before ``first_loaded``) if it reaches back to
    ``target`` without a gap, else None (ask the relay)."""
    if not cached or cached[-1].id != first_loaded - 1 or cached[0].id > target:
        return None
    ids = [m.id for m in cached]
    return cached if ids == list(range(ids[0], ids[0] + len(ids))) else None
