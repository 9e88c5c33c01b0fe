"""Rooms and messages: list/create rooms, send, edit, delete, and page through history.

A message is committed to the store before its event is triggered, so anything a client
was told about is in history; a failed trigger loses nothing, since clients catch up from
history on reconnect.
"""

from __future__ import annotations

import logging
import re
import time

from aiohttp import web

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import api_files, limits, mentions, message_extras, seed_bridge
from desktopchat.server.relay.membership import dm_of, readable_room
from desktopchat.server.relay.models import (
    DIRECTORY_CHANNEL,
    DM_PREFIX,
    ROOM_NAME,
    Message,
    Room,
    User,
)
from desktopchat.server.relay.publisher import Event, PublishError
from desktopchat.server.relay.service import (
    RELAY,
    Relay,
    decimal,
    read_json,
    retry_seconds,
    string_field,
    too_many,
    topic_field,
)
from desktopchat.server.relay.store import AlreadyExistsError, NotFoundError

log = logging.getLogger(__name__)

_CLIENT_ID = re.compile(r"\A[A-Za-z0-9_.:-]{1,64}\Z")
_ROOM_NAME_MAX = 64


async def get_rooms(request: web.Request) -> web.Response:
    """A page of rooms by name: ``{"rooms": [ROOM, …], "has_more"}``.

    ``after=NAME`` starts after that room, ``limit`` (1-500, 200 by default) bounds the page,
    so a relay with very many rooms never answers megabytes at once.
    """
    relay = request.app[RELAY]
    await relay.user_of(request)
    after = request.query.get("after", "")
    if len(after) > _ROOM_NAME_MAX:
        raise ApiError(400, "invalid_after", f"'after' is longer than {_ROOM_NAME_MAX} characters")
    if not after.isprintable():  # NUL, which PostgreSQL's text cannot hold, among others
        raise ApiError(400, "invalid_after", "'after' must be printable text")
    limit = _limit(request, limits.ROOMS_DEFAULT_LIMIT, limits.ROOMS_MAX_LIMIT)
    page = await relay.db(relay.store.rooms, after=after, limit=limit)
    return web.json_response(
        {"rooms": [room.to_json() for room in page.rooms], "has_more": page.has_more}
    )


async def post_rooms(request: web.Request) -> web.Response:
    """Create a room: ``{name, topic}`` → 201 (409 if it exists, 429 over the user's quota)."""
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    body = await read_json(request)
    name = string_field(body, "name", max_length=_ROOM_NAME_MAX) or ""
    if not ROOM_NAME.match(name):
        raise ApiError(
            400, "invalid_room_name", "Room name: 1-64 of a-z, 0-9, '-', '_', starting alphanumeric"
        )
    if name.startswith(DM_PREFIX):
        raise ApiError(
            400, "reserved_room_name", f"Room names starting {DM_PREFIX!r} are direct messages'"
        )
    topic = topic_field(body) or ""
    quota, key, now = relay.throttles.rooms_by_user, str(user.id), time.time()
    wait = await relay.db(quota.reserve, key, now)
    if wait:
        raise too_many(
            "too_many_rooms",
            f"You created {quota.limit} rooms within {quota.window / 60:.0f} minutes; "
            f"retry in {retry_seconds(wait)} s",
            wait,
        )
    try:
        room = await relay.db(relay.store.create_room, name, topic, user.id)
    except AlreadyExistsError:
        await relay.db(quota.cancel, key)
        raise ApiError(409, "room_exists", f"Room {name} already exists") from None
    except BaseException:
        await relay.db(quota.cancel, key)
        raise
    await relay.db(quota.count, key, now)
    await _announce_room(relay, "room-created", room)
    return web.json_response({"room": room.to_json()}, status=201)


async def patch_room(request: web.Request) -> web.Response:
    """Change a room's topic: ``{topic}`` → the room (any signed-in user, as in Slack)."""
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    room = await _room(relay, request, user)
    if await dm_of(relay, room.name) is not None:  # announced to all: a DM keeps no topic
        raise ApiError(409, "not_a_room", "A direct conversation has no topic")
    body = await read_json(request)
    topic = topic_field(body)
    if topic is None:
        raise ApiError(400, "missing_topic", 'Give the new topic as {"topic": "..."}')
    if topic != room.topic:
        try:
            room = await relay.db(relay.store.set_topic, room.name, topic)
        except NotFoundError:
            raise ApiError(404, "no_such_room", "No such room") from None
        await _announce_room(relay, "room-updated", room)
    return web.json_response({"room": room.to_json()})


async def _announce_room(relay: Relay, event: str, room: Room) -> None:
    """Tell every signed-in client (the directory channel); a client that misses it
    refreshes its room list when it reconnects, so a failed trigger loses nothing."""
    try:
        await relay.publisher.trigger(DIRECTORY_CHANNEL, event, {"room": room.to_json()})
    except PublishError as exc:
        log.warning("room %s stored but %s not announced: %s", room.name, event, exc)


async def _room(relay: Relay, request: web.Request, user: User) -> Room:
    """The request's room if ``user`` may read it; a DM they are not in is "no such room"."""
    return await readable_room(relay, user, request.match_info["room"])


def message_text(body: dict[str, object], *, blank_ok: bool = False) -> str:
    """The ``text`` field: a non-blank string that fits one Pusher event (413 otherwise).

    ``blank_ok``: a message carrying files may have no text (the caption is optional).
    """
    raw = body.get("text")
    # Each character is at least one UTF-8 byte: a longer string is over the limit.
    if isinstance(raw, str) and len(raw) > limits.MAX_TEXT_BYTES:
        raise _text_too_large()
    text = string_field(body, "text", max_length=limits.MAX_TEXT_BYTES, required=not blank_ok)
    text = text or ""
    if not text.strip() and not blank_ok:
        raise ApiError(400, "blank_text", "Message text is empty")
    if limits.text_bytes(text) > limits.MAX_TEXT_BYTES:
        raise _text_too_large()
    return text


def _text_too_large() -> ApiError:
    return ApiError(
        413,
        "text_too_large",
        f"Message text is over the limit of {limits.MAX_TEXT_BYTES} bytes "
        "(UTF-8, JSON-escaped); split it into several messages",
    )


async def announce(relay: Relay, room: Room, event: str, message: Message) -> None:
    """Trigger ``event`` for a stored message on the room's channel, and for the seed page
    when the room is bridged to it (one request); a failure is logged, never raised."""
    events = [Event(room.channel, event, message.to_json())]
    events += seed_bridge.mirrored(relay.config, event, message)
    try:
        await relay.publisher.trigger_all(events)
    except PublishError as exc:
        log.warning("message %s/%s stored but not announced: %s", room.name, message.id, exc)


async def post_message(request: web.Request) -> web.Response:
    """Send ``{text, client_id, attachments?}``: 201 with the stored message, 200 for a retry.

    ``attachments`` lists ids of files the author uploaded to this room (then ``text``,
    the caption, may be blank); they are checked before the message is stored.
    """
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    room = await _room(relay, request, user)
    body = await read_json(request)
    client_id = body.get("client_id")
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        raise ApiError(400, "invalid_client_id", "client_id: 1-64 of A-Z a-z 0-9 _ . : -")
    file_ids = api_files.attachment_ids(body)
    text = message_text(body, blank_ok=bool(file_ids))
    mentioned = mentions.mentions_field(body)
    await mentions.check_mentions(relay, mentioned)
    await api_files.check_attachable(relay, room, user, file_ids)
    # One commit with its mentions and files: nobody reads the message without them.
    message, created = await message_extras.post(
        relay,
        room.name,
        user.id,
        client_id,
        text,
        reply_to=message_extras.reply_target(body),
        mentions=mentioned,
        file_ids=file_ids,
    )
    message = await message_extras.one(relay, message)
    if created:
        await announce(relay, room, "message", message)
    return web.json_response(message.to_json(), status=201 if created else 200)


def _int_param(request: web.Request, name: str) -> int | None:
    raw = request.query.get(name)
    if raw is None:
        return None
    value = decimal(raw)
    if value is None:
        raise ApiError(400, f"invalid_{name}", f"'{name}' must be a non-negative integer")
    return value


def _limit(request: web.Request, default: int, maximum: int) -> int:
    """``limit`` of a page: 1-``maximum``, ``default`` when not given."""
    limit = _int_param(request, "limit")
    if limit is None:
        return default
    if not 1 <= limit <= maximum:
        raise ApiError(400, "invalid_limit", f"'limit' must be 1-{maximum}")
    return limit


def _page_limit(request: web.Request) -> int:
    """``limit`` of a history or changes page: 1-200, 50 when not given."""
    return _limit(request, limits.HISTORY_DEFAULT_LIMIT, limits.HISTORY_MAX_LIMIT)


async def get_messages(request: web.Request) -> web.Response:
    """History: ``after=ID`` (catch-up) or ``before=ID`` (scroll back), ``limit``, ``has_more``."""
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    room = await _room(relay, request, user)
    if "around" in request.query:
        return await message_extras.around(relay, request, room.name, _page_limit(request))
    after, before = _int_param(request, "after"), _int_param(request, "before")
    if after is not None and before is not None:
        raise ApiError(400, "invalid_range", "Give 'after' or 'before', not both")
    limit = _page_limit(request)
    page = await relay.db(relay.store.history, room.name, after=after, before=before, limit=limit)
    messages = await message_extras.with_extras(relay, page.messages)
    return web.json_response(
        {"messages": [m.to_json() for m in messages], "has_more": page.has_more}
    )


async def get_changes(request: web.Request) -> web.Response:
    """Edits and deletes since a change counter: how an offline client learns of them.

    ``since`` omitted: no messages, just the current counter (``until``) to start from.
    """
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    room = await _room(relay, request, user)
    since = _int_param(request, "since")
    limit = _page_limit(request)
    page = await relay.db(relay.store.changes, room.name, since, limit)
    messages = await message_extras.with_extras(relay, page.messages)
    return web.json_response(
        {
            "messages": [m.to_json() for m in messages],
            "until": page.until,
            "has_more": page.has_more,
        }
    )


async def _own_message(relay: Relay, request: web.Request) -> tuple[Room, Message]:
    user, _ = await relay.user_of(request)
    room = await _room(relay, request, user)
    # Ids are ASCII digits within SQLite's 64-bit integers; anything else names no message.
    message_id = decimal(request.match_info["message_id"])
    message = (
        None if message_id is None else await relay.db(relay.store.message, room.name, message_id)
    )
    if message is None:
        raise ApiError(404, "no_such_message", "No such message")
    if message.author.id != user.id:
        raise ApiError(403, "not_your_message", "You can only change your own messages")
    if message.deleted:
        raise ApiError(409, "message_deleted", "The message was deleted")
    return room, message


async def patch_message(request: web.Request) -> web.Response:
    """Edit your own message: ``{text}`` → the updated message; announces ``message-updated``."""
    relay = request.app[RELAY]
    room, message = await _own_message(relay, request)
    body = await read_json(request)
    text = message_text(body)
    mentioned = mentions.mentions_field(body)  # absent: the mentions stay as they were
    await mentions.check_mentions(relay, mentioned)
    try:
        updated = await relay.db(
            relay.store.update_message, room.name, message.id, text, time.time(), mentioned
        )
    except NotFoundError:
        raise ApiError(404, "no_such_message", "No such message") from None
    await message_extras.touch_replies(relay, room.name, message.id)
    updated = await message_extras.one(relay, updated)
    await announce(relay, room, "message-updated", updated)
    return web.json_response(updated.to_json())


async def delete_message(request: web.Request) -> web.Response:
    """Delete your own message: its id stays as a placeholder; announces ``message-deleted``."""
    relay = request.app[RELAY]
    room, message = await _own_message(relay, request)
    deleted = await relay.db(relay.store.delete_message, room.name, message.id, time.time())
    await message_extras.touch_replies(relay, room.name, message.id)
    deleted = await message_extras.one(relay, deleted)
    await announce(relay, room, "message-deleted", deleted)
    return web.json_response(deleted.to_json())


def add_routes(app: web.Application) -> None:
    """Mount the room and message endpoints."""
    app.router.add_get("/api/rooms", get_rooms)
    app.router.add_post("/api/rooms", post_rooms)
    app.router.add_patch("/api/rooms/{room}", patch_room)
    app.router.add_get("/api/rooms/{room}/messages", get_messages)
    app.router.add_post("/api/rooms/{room}/messages", post_message)
    app.router.add_get("/api/rooms/{room}/changes", get_changes)
    app.router.add_patch("/api/rooms/{room}/messages/{message_id}", patch_message)
    app.router.add_delete("/api/rooms/{room}/messages/{message_id}", delete_message)
