"""Read state shared by a user's devices: how far each room has been read.

The mark only moves forward (a device that catches up late never un-reads a room read
elsewhere). Each move is stored before it is announced as ``read-state`` on the user's
own channel, so the user's other windows clear the room live; one that was away asks
``GET /api/read-state`` when it reconnects, which is also how it learns of moves whose
announcement it missed.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import membership
from desktopchat.server.relay.models import ROOM_NAME, User, user_channel
from desktopchat.server.relay.publisher import PublishError
from desktopchat.server.relay.service import RELAY, Relay, read_json
from desktopchat.server.relay.store import NotFoundError

log = logging.getLogger(__name__)

READ_STATE_EVENT = "read-state"


async def may_read(relay: Relay, user: User, room: str) -> bool:
    """Whether ``user`` may read ``room`` (and so keep a read mark in it): a DM only its
    members."""
    return await membership.may_read(relay, user, room) is not None


async def put_read(request: web.Request) -> web.Response:
    """``{"message_id": N}``: everything up to N in the room is read → the mark as it stands.

    200 ``{"room", "message_id"}``, where ``message_id`` may be higher than asked (another
    device read further); 404 ``no_such_room`` / ``no_such_message`` (N beyond the newest).
    """
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    room = request.match_info["room"]
    if not ROOM_NAME.match(room) or not await may_read(relay, user, room):
        raise ApiError(404, "no_such_room", "No such room")
    raw = (await read_json(request)).get("message_id")
    if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw < 2**63:
        raise ApiError(400, "invalid_message_id", "'message_id' must be a non-negative integer")
    try:
        mark, moved = await relay.db(relay.store.mark_read, user.id, room, raw, time.time())
    except NotFoundError:
        raise ApiError(404, "no_such_message", f"Room {room} has no message {raw}") from None
    answer = {"room": room, "message_id": mark}
    if moved:
        try:
            await relay.publisher.trigger(user_channel(user.id), READ_STATE_EVENT, answer)
        except PublishError as exc:  # the other devices ask again when they reconnect
            log.warning(
                "read mark of user %s in %s stored but not announced: %s", user.id, room, exc
            )
    return web.json_response(answer)


async def get_read_state(request: web.Request) -> web.Response:
    """``{"rooms": [{"room", "message_id"}, …]}``: the user's mark in each room read so far."""
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    marks = await relay.db(relay.store.read_marks, user.id)
    listed = [
        {"room": mark.room, "message_id": mark.message_id}
        for mark in marks
        if await may_read(relay, user, mark.room)
    ]
    return web.json_response({"rooms": listed, "channel": user_channel(user.id)})


def add_routes(app: web.Application) -> None:
    """Mount the read-state endpoints."""
    app.router.add_put("/api/rooms/{room}/read", put_read)
    app.router.add_get("/api/read-state", get_read_state)
