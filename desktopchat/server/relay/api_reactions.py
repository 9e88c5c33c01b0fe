"""Reactions: put or take back one emoji on a message.

``PUT`` and ``DELETE /api/rooms/{room}/messages/{id}/reactions/{emoji}`` are idempotent:
a repeat changes nothing, announces nothing and answers the message as it is, so the
client's outbox may send one as often as a flaky network makes it. A change bumps the
room's change counter (a client that was away gets it from ``/changes``) and is announced
as ``message-reactions`` with the whole message, like an edit.
"""

from __future__ import annotations

import logging
import time

from aiohttp import web

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import message_extras, reactions
from desktopchat.server.relay.membership import readable_room
from desktopchat.server.relay.models import Message, Room, User
from desktopchat.server.relay.publisher import PublishError
from desktopchat.server.relay.service import RELAY, Relay, decimal
from desktopchat.server.relay.store import CapError, DeletedError, NotFoundError

log = logging.getLogger(__name__)

#: The event carrying a message whose reactions changed (the whole message, as JSON).
EVENT = "message-reactions"


async def _target(relay: Relay, request: web.Request) -> tuple[User, Room, int, str]:
    user, _ = await relay.user_of(request)
    room = await readable_room(relay, user, request.match_info["room"])  # DMs: members only
    message_id = decimal(request.match_info["message_id"])
    if message_id is None:
        raise ApiError(404, "no_such_message", "No such message")
    emoji = reactions.normalise(request.match_info["emoji"])
    if emoji is None:
        raise ApiError(
            400, "invalid_emoji", "A reaction is one emoji, or a shortcode such as :thumbsup:"
        )
    return user, room, message_id, emoji


async def _change(request: web.Request, *, add: bool) -> web.Response:
    relay = request.app[RELAY]
    user, room, message_id, emoji = await _target(relay, request)
    try:
        if add:
            message, changed = await relay.db(
                relay.store.react,
                room.name,
                message_id,
                user.id,
                emoji,
                time.time(),
                cap=reactions.MAX_DISTINCT_PER_MESSAGE,
            )
        else:
            message, changed = await relay.db(
                relay.store.unreact, room.name, message_id, user.id, emoji
            )
    except NotFoundError:
        raise ApiError(404, "no_such_message", "No such message") from None
    except DeletedError:
        raise ApiError(409, "message_deleted", "The message was deleted") from None
    except CapError:
        raise ApiError(
            409,
            "too_many_reactions",
            f"A message takes at most {reactions.MAX_DISTINCT_PER_MESSAGE} different emoji",
        ) from None
    message = await message_extras.one(relay, message)
    if changed:
        await _announce(relay, room, message)
    return web.json_response(message.to_json())


async def _announce(relay: Relay, room: Room, message: Message) -> None:
    """Tell the room; not the seed page, which would show the message again as new. A
    failed trigger loses nothing: clients catch up through the change counter."""
    try:
        await relay.publisher.trigger(room.channel, EVENT, message.to_json())
    except PublishError as exc:
        log.warning("reaction on %s/%s stored but not announced: %s", room.name, message.id, exc)


async def put_reaction(request: web.Request) -> web.Response:
    """React: 200 with the message (its ``reactions`` include yours), whether new or not."""
    return await _change(request, add=True)


async def delete_reaction(request: web.Request) -> web.Response:
    """Take a reaction back: 200 with the message, whether you had reacted so or not."""
    return await _change(request, add=False)


def add_routes(app: web.Application) -> None:
    """Mount the reaction endpoints."""
    path = "/api/rooms/{room}/messages/{message_id}/reactions/{emoji}"
    app.router.add_put(path, put_reaction)
    app.router.add_delete(path, delete_reaction)
