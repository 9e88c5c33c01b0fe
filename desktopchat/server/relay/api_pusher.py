"""What clients need from the relay to use Pusher: ``/api/config`` and ``/api/pusher/auth``."""

from __future__ import annotations

from aiohttp import web

from desktopchat import __version__
from desktopchat.server import limits as channel_limits
from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import limits, public_address
from desktopchat.server.relay.models import (
    DIRECTORY_CHANNEL,
    MESSAGE_CHANNEL_PREFIX,
    PRESENCE_CHANNEL_PREFIX,
    USER_CHANNEL_PREFIX,
    user_channel,
)
from desktopchat.server.relay.service import RELAY, read_json


async def get_config(request: web.Request) -> web.Response:
    """How to connect: Pusher key, WebSocket endpoint or cluster, limits. Never a secret."""
    relay = request.app[RELAY]
    endpoint = relay.config.client_endpoint
    pusher: dict[str, object] = {"key": relay.publisher.upstream.key, "tls": endpoint.tls}
    if endpoint.cluster:
        pusher["cluster"] = endpoint.cluster
    else:
        # Embedded: the WebSocket is on the host and port this request reached.
        pusher["host"], pusher["port"] = public_address.websocket_address(request, endpoint)
    return web.json_response(
        {
            "pusher": pusher,
            "auth_endpoint": "/api/pusher/auth",
            "directory_channel": DIRECTORY_CHANNEL,
            "max_message_bytes": limits.MAX_TEXT_BYTES,
            "relay_version": __version__,
        }
    )


async def post_pusher_auth(request: web.Request) -> web.Response:
    """Authorize a socket for a room's private or presence channel (form or JSON body).

    Fields ``socket_id`` and ``channel_name``, as pusher-js posts them. Presence
    ``channel_data`` is built here from the logged-in user, never taken from the client.
    """
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    if request.content_type == "application/json":
        fields = await read_json(request)
    else:
        fields = dict(await request.post())
    socket_id, channel = fields.get("socket_id"), fields.get("channel_name")
    if not channel_limits.is_valid_socket_id(socket_id):
        raise ApiError(400, "invalid_socket_id", "socket_id must look like 123.456")
    if not isinstance(channel, str) or not channel_limits.is_valid_channel_name(channel):
        raise ApiError(400, "invalid_channel", "channel_name is missing or invalid")
    assert isinstance(socket_id, str)  # noqa: S101 - checked just above, narrows for mypy
    if channel == DIRECTORY_CHANNEL:  # room announcements: for every signed-in user
        return web.json_response(relay.publisher.authorize(channel, socket_id))
    if channel.startswith(USER_CHANNEL_PREFIX):  # one person's devices: that person only
        if channel != user_channel(user.id):
            raise ApiError(403, "not_your_channel", "Only its own user may follow this channel")
        return web.json_response(relay.publisher.authorize(channel, socket_id))
    for prefix in (MESSAGE_CHANNEL_PREFIX, PRESENCE_CHANNEL_PREFIX):
        if channel.startswith(prefix):
            room_name = channel.removeprefix(prefix)
            break
    else:
        raise ApiError(403, "not_a_room_channel", "Only rooms' channels are authorized here")
    if await relay.db(relay.store.room, room_name) is None:
        raise ApiError(403, "no_such_room", "No such room")
    presence = None
    if channel.startswith(PRESENCE_CHANNEL_PREFIX):
        info = user.author_json()
        presence = {
            "user_id": str(user.id),
            "user_info": {k: info[k] for k in ("display_name", "avatar_url")},
        }
    return web.json_response(relay.publisher.authorize(channel, socket_id, presence))


def add_routes(app: web.Application) -> None:
    """Mount the Pusher-facing endpoints."""
    app.router.add_get("/api/config", get_config)
    app.router.add_post("/api/pusher/auth", post_pusher_auth)
