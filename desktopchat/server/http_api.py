"""The Channels HTTP API under ``/apps/{app_id}/``: trigger events and query channels.

Every request is verified with Pusher's request signing before anything happens; a bad
signature gets 401 and nothing is delivered. Errors are JSON:
``{"error": {"code": "...", "message": "..."}}``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from desktopchat.server import limits, signing
from desktopchat.server.http_errors import ApiError, json_object
from desktopchat.server.hub import Hub
from desktopchat.server.websocket import HUB

#: Largest request body: a full batch of ten 10 KB events plus their envelopes.
MAX_BODY_BYTES = 256 * 1024


async def _verified_body(request: web.Request, hub: Hub) -> bytes:
    """The raw body of a correctly signed request for this app, or an :class:`ApiError`."""
    app_id = request.match_info.get("app_id")
    creds = hub.config.credentials
    if app_id is not None and app_id != creds.app_id:
        raise ApiError(404, "unknown_app", f"Unknown app id {app_id[:32]}")
    body = await request.read()
    try:
        signing.verify_request(
            key=creds.key,
            secret=creds.secret,
            method=request.method,
            path=request.path,
            params=request.query,
            body=body,
            now=time.time(),
        )
    except signing.RequestSignatureError as exc:
        raise ApiError(401, "unauthorized", str(exc)) from None
    return body


@dataclass(frozen=True, slots=True)
class TriggerRequest:
    """One validated event to trigger."""

    channels: tuple[str, ...]
    name: str
    data: str
    socket_id: str | None
    info: tuple[str, ...]


def parse_trigger(payload: dict[str, Any], *, batch_item: bool = False) -> TriggerRequest:
    """Validate an ``events`` body or one ``batch_events`` item against Pusher's rules."""
    name = payload.get("name")
    if not limits.is_valid_event_name(name):
        raise ApiError(400, "invalid_event_name", "Event name must be 1-200 characters")
    assert isinstance(name, str)  # noqa: S101 - narrowed by the check above, for mypy
    data = payload.get("data")
    if not isinstance(data, str):
        raise ApiError(400, "invalid_data", "Event data must be a string (JSON-encode objects)")
    if limits.data_too_large(data):
        raise ApiError(413, "payload_too_large", "Event data is over the 10 KB limit")
    channels = payload.get("channels")
    if channels is None and "channel" in payload:
        channels = [payload["channel"]]
    if batch_item and "channels" in payload:
        raise ApiError(400, "invalid_channels", "A batch event takes one 'channel'")
    if not isinstance(channels, list) or not channels:
        raise ApiError(400, "invalid_channels", "Give 'channels' (a list) or 'channel'")
    if len(channels) > limits.MAX_TRIGGER_CHANNELS:
        raise ApiError(400, "too_many_channels", "At most 100 channels per event")
    for channel in channels:
        if not (limits.is_valid_channel_name(channel) or limits.is_server_to_user(channel)):
            raise ApiError(
                400, "invalid_channel_name", f"Invalid channel name: {str(channel)[:64]}"
            )
    socket_id = payload.get("socket_id")
    if socket_id is not None and not limits.is_valid_socket_id(socket_id):
        raise ApiError(400, "invalid_socket_id", "socket_id must look like 123.456")
    info = payload.get("info") or ""
    if not isinstance(info, str):
        raise ApiError(400, "invalid_info", "info must be a comma-separated string")
    fields = tuple(f for f in info.split(",") if f)
    return TriggerRequest(tuple(dict.fromkeys(channels)), name, data, socket_id, fields)


def _channel_attributes(hub: Hub, channel: str, fields: tuple[str, ...]) -> dict[str, int]:
    """``user_count`` (presence channels) and ``subscription_count`` as requested."""
    attributes: dict[str, int] = {}
    if "user_count" in fields and limits.is_presence(channel):
        attributes["user_count"] = hub.core.user_count(channel)
    if "subscription_count" in fields:
        attributes["subscription_count"] = hub.core.subscription_count(channel)
    return attributes


def _info_fields(request: web.Request, channel_or_prefix: str) -> tuple[str, ...]:
    fields = tuple(f for f in request.query.get("info", "").split(",") if f)
    unknown = set(fields) - {"user_count", "subscription_count"}
    if unknown:
        raise ApiError(400, "invalid_info", f"Unknown info attribute: {sorted(unknown)[0][:32]}")
    if "user_count" in fields and not limits.is_presence(channel_or_prefix):
        raise ApiError(400, "invalid_info", "user_count is only available for presence channels")
    return fields


def _trigger(hub: Hub, event: TriggerRequest) -> dict[str, dict[str, int]]:
    hub.perform(
        hub.core.trigger(event.channels, event.name, event.data, exclude_socket_id=event.socket_id)
    )
    return {ch: _channel_attributes(hub, ch, event.info) for ch in event.channels}


async def post_events(request: web.Request) -> web.Response:
    """``POST events``: one event to 1-100 channels."""
    hub = request.app[HUB]
    event = parse_trigger(json_object(await _verified_body(request, hub)))
    attributes = _trigger(hub, event)
    return web.json_response({"channels": attributes} if event.info else {})


async def post_batch_events(request: web.Request) -> web.Response:
    """``POST batch_events``: up to 10 events, validated all before any is delivered."""
    hub = request.app[HUB]
    batch = json_object(await _verified_body(request, hub)).get("batch")
    if not isinstance(batch, list) or not batch:
        raise ApiError(400, "invalid_batch", "'batch' must be a non-empty list")
    if len(batch) > limits.MAX_BATCH_EVENTS:
        raise ApiError(400, "batch_too_large", "At most 10 events per batch")
    if not all(isinstance(item, dict) for item in batch):
        raise ApiError(400, "invalid_batch", "Each batch item must be an object")
    events = [parse_trigger(item, batch_item=True) for item in batch]
    results = [_trigger(hub, event) for event in events]
    if any(event.info for event in events):
        return web.json_response({"batch": [next(iter(r.values())) for r in results]})
    return web.json_response({})


async def get_channels(request: web.Request) -> web.Response:
    """``GET channels``: occupied channels, by prefix, with ``user_count`` for presence."""
    hub = request.app[HUB]
    await _verified_body(request, hub)
    prefix = request.query.get("filter_by_prefix", "")
    fields = _info_fields(request, prefix)
    channels = {
        ch: _channel_attributes(hub, ch, fields) for ch in hub.core.occupied_channels(prefix)
    }
    return web.json_response({"channels": channels})


async def get_channel(request: web.Request) -> web.Response:
    """``GET channels/{name}``: whether it is occupied, and counts on request."""
    hub = request.app[HUB]
    await _verified_body(request, hub)
    channel = request.match_info["channel"]
    if not limits.is_valid_channel_name(channel):
        raise ApiError(400, "invalid_channel_name", "Invalid channel name")
    fields = _info_fields(request, channel)
    occupied = hub.core.subscription_count(channel) > 0
    return web.json_response({"occupied": occupied, **_channel_attributes(hub, channel, fields)})


async def get_users(request: web.Request) -> web.Response:
    """``GET channels/{name}/users``: the members of a presence channel."""
    hub = request.app[HUB]
    await _verified_body(request, hub)
    channel = request.match_info["channel"]
    if not limits.is_presence(channel) or not limits.is_valid_channel_name(channel):
        raise ApiError(400, "not_presence", "Users are only available for presence channels")
    return web.json_response({"users": [{"id": uid} for uid in hub.core.user_ids(channel)]})


async def post_terminate_connections(request: web.Request) -> web.Response:
    """``POST users/{id}/terminate_connections``: disconnect a signed-in user everywhere."""
    hub = request.app[HUB]
    await _verified_body(request, hub)
    hub.perform(hub.core.terminate_user(request.match_info["user_id"]))
    return web.json_response({})


def add_routes(app: web.Application) -> None:
    """Mount the API with and without the ``/apps/{id}`` prefix where Pusher's clients differ."""
    prefix = "/apps/{app_id}"
    app.router.add_post(f"{prefix}/events", post_events)
    app.router.add_post(f"{prefix}/batch_events", post_batch_events)
    app.router.add_get(f"{prefix}/channels", get_channels)
    app.router.add_get(f"{prefix}/channels/{{channel}}", get_channel)
    app.router.add_get(f"{prefix}/channels/{{channel}}/users", get_users)
    app.router.add_post(
        f"{prefix}/users/{{user_id}}/terminate_connections", post_terminate_connections
    )
    # pusher-http-python posts here without the /apps/{id} prefix.
    app.router.add_post("/users/{user_id}/terminate_connections", post_terminate_connections)
