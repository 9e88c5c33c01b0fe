"""What replies and reactions add to the room endpoints: ``reply_to`` on send, ``around``
on history, and each message's ``reply_to`` and ``reactions`` before it leaves the relay.

Kept apart from :mod:`.api_rooms` so that module only calls in here at a few points.
"""

from __future__ import annotations

import time

from aiohttp import web

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import api_files
from desktopchat.server.relay.models import Message
from desktopchat.server.relay.service import Relay, decimal
from desktopchat.server.relay.store import AttachmentTakenError, NotFoundError, Page

#: The largest id a message can have (SQLite's 64-bit integers).
_MAX_ID = 2**63 - 1


async def with_extras(relay: Relay, messages: list[Message]) -> list[Message]:
    """``messages`` (of one room) with their files, quotes and reactions: everything a
    message carries beside its own row (one round of queries for a page)."""
    if not messages:
        return messages
    messages = await api_files.with_attachments(relay, messages[0].room, messages)
    return await relay.db(relay.store.with_extras, messages)


async def one(relay: Relay, message: Message) -> Message:
    """One message with its files, quote and reactions."""
    return (await with_extras(relay, [message]))[0]


def reply_target(body: dict[str, object]) -> int | None:
    """``reply_to`` of a send: a message id (a positive integer), or None/absent."""
    value = body.get("reply_to")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_ID:
        raise ApiError(400, "invalid_reply_to", "'reply_to' must be a message id (an integer)")
    return value


async def post(
    relay: Relay,
    room: str,
    author_id: int,
    client_id: str,
    text: str,
    *,
    reply_to: int | None,
    mentions: tuple[int, ...] | None,
    file_ids: list[str],
) -> tuple[Message, bool]:
    """Store a message with what it carries, in one commit (``Store.post_message``).

    400 ``no_such_reply_target`` if ``reply_to`` is not in ``room``; 409
    ``attachment_taken`` if a file went onto another message since it was checked.
    """
    try:
        return await relay.db(
            relay.store.post_message,
            room,
            author_id,
            client_id,
            text,
            time.time(),
            reply_to=reply_to,
            mentions=mentions,
            file_ids=file_ids,
        )
    except AttachmentTakenError as exc:
        raise ApiError(
            409, "attachment_taken", f"File {str(exc)[:64]!r} is already on another message"
        ) from None
    except NotFoundError:
        if reply_to is None:
            raise  # no such room: the caller checked it, so a bug
        raise ApiError(
            400, "no_such_reply_target", f"Message {reply_to} is not in this room"
        ) from None


async def touch_replies(relay: Relay, room: str, message_id: int) -> None:
    """After an edit or delete: replies to it are changed too (their quote), for catch-up."""
    await relay.db(relay.store.touch_replies, room, message_id)


async def around(relay: Relay, request: web.Request, room: str, limit: int) -> web.Response:
    """``?around=ID``: message ID with up to ``limit`` messages in all, centred on it.

    ``has_more`` says older messages lie before the page (as for ``before``),
    ``has_more_after`` that newer ones follow it. 404 ``no_such_message`` without ID.
    """
    if "after" in request.query or "before" in request.query:
        raise ApiError(400, "invalid_range", "Give 'around' alone, without 'after' or 'before'")
    target = decimal(request.query["around"])
    if target is None or target > _MAX_ID - 1:
        raise ApiError(400, "invalid_around", "'around' must be a message id")
    if await relay.db(relay.store.message, room, target) is None:
        raise ApiError(404, "no_such_message", "No such message")
    # Up to ``limit`` on each side, then a window of ``limit`` centred on the target,
    # shifted when one side runs short (the first or the newest messages of the room).
    older: Page = await relay.db(
        relay.store.history, room, after=None, before=target + 1, limit=limit
    )
    newer: Page = await relay.db(relay.store.history, room, after=target, before=None, limit=limit)
    after_count = min(len(newer.messages), max(limit // 2, limit - len(older.messages)))
    before_count = min(len(older.messages), limit - after_count)
    kept_older = older.messages[len(older.messages) - before_count :]
    kept_newer = newer.messages[:after_count]
    has_more = older.has_more or before_count < len(older.messages)
    has_more_after = newer.has_more or after_count < len(newer.messages)
    messages = await with_extras(relay, kept_older + kept_newer)
    return web.json_response(
        {
            "messages": [m.to_json() for m in messages],
            "has_more": has_more,
            "has_more_after": has_more_after,
        }
    )
