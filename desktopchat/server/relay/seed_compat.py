"""``--seed-compat``: the endpoints the original web chat page posts to, and its history.

That page POSTs form field ``message`` to ``/AJAX_save/send`` and listens for
``message_event`` on the public ``test_channel`` with ``{"msg": ...}``. Here a post is
stored in the seed room as a message from a web author (see :mod:`.seed_bridge`) and
announced like any other, so desktop clients see it and the page gets it back through the
bridge. Public and unauthenticated, exactly like the seed, so it is off unless asked for
and throttled per client address.
"""

from __future__ import annotations

import re
import time
import uuid

from aiohttp import web

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import limits, seed_bridge
from desktopchat.server.relay.api_rooms import announce, message_text
from desktopchat.server.relay.models import Room
from desktopchat.server.relay.ratelimit import Throttle
from desktopchat.server.relay.service import RELAY, Relay, decimal, retry_seconds

#: The page may be served from anywhere (the seed's own host, a file): any origin may post.
CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Content-Type"}
_CLIENT_ID = re.compile(r"\A[A-Za-z0-9_.:-]{1,64}\Z")


async def _throttled(relay: Relay, throttle: Throttle, request: web.Request, what: str) -> None:
    """Count one request of this address against ``throttle`` (kept in the store, shared by
    every relay on it), or raise a 429 saying when."""
    key, now = request.remote or "unknown", time.time()
    wait = await relay.db(throttle.reserve, key, now)
    if wait:
        raise ApiError(
            429,
            "too_many_requests",
            f"Too many {what} from your address; retry in {retry_seconds(wait)} s",
            {**CORS, "Retry-After": str(retry_seconds(wait))},
        )
    await relay.db(throttle.count, key, now)


async def _seed_room(relay: Relay) -> Room:
    room = await relay.db(relay.store.room, relay.config.seed_room)
    if room is None:
        raise ApiError(404, "no_such_room", f"The seed room {relay.config.seed_room} is gone", CORS)
    return room


def _text(form_value: object) -> str:
    """The ``message`` field, validated as any message's text is (blank, size, NUL)."""
    if not isinstance(form_value, str) or not form_value.strip():
        raise ApiError(400, "blank_message", "Form field 'message' is missing or empty", CORS)
    try:
        return message_text({"text": form_value})
    except ApiError as exc:
        raise ApiError(exc.status, exc.code, str(exc), CORS) from None


async def post_send(request: web.Request) -> web.Response:
    """Store the posted message in the seed room as its web author's, and announce it.

    Fields: ``message``; ``name`` (optional: who wrote it; "web guest" without); and
    ``client_id`` (optional: a retry with the same one is not stored twice).
    """
    relay = request.app[RELAY]
    await _throttled(relay, relay.throttles.seed_posts_by_address, request, "messages")
    form = await request.post()
    text = _text(form.get("message"))
    try:
        display_name = seed_bridge.web_display_name(form.get("name"))
    except ApiError as exc:
        raise ApiError(exc.status, exc.code, str(exc), CORS) from None
    client_id = form.get("client_id")
    if client_id is None:
        client_id = uuid.uuid4().hex
    elif not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        raise ApiError(400, "invalid_client_id", "client_id: 1-64 of A-Z a-z 0-9 _ . : -", CORS)
    room = await _seed_room(relay)
    author = await seed_bridge.web_author(relay, display_name)
    message, created = await relay.db(
        relay.store.add_message, room.name, author.id, client_id, text, time.time()
    )
    if created:
        await announce(relay, room, "message", message)
    return web.json_response(
        {"status": "sent", "id": message.id, "room": room.name, "name": display_name},
        headers=CORS,
    )


async def get_history(request: web.Request) -> web.Response:
    """The seed room's latest messages, oldest first, as the page's events carry them.

    ``limit`` (1-200, 50 by default). ``{"messages": [{"msg", "name", "id", …}, …]}``.
    """
    relay = request.app[RELAY]
    await _throttled(relay, relay.throttles.seed_history_by_address, request, "history requests")
    raw = request.query.get("limit")
    limit = limits.HISTORY_DEFAULT_LIMIT if raw is None else decimal(raw)
    if limit is None or not 1 <= limit <= limits.HISTORY_MAX_LIMIT:
        raise ApiError(400, "invalid_limit", f"'limit' must be 1-{limits.HISTORY_MAX_LIMIT}", CORS)
    room = await _seed_room(relay)
    page = await relay.db(relay.store.history, room.name, after=None, before=None, limit=limit)
    messages = [seed_bridge.seed_payload("message", m) for m in page.messages]
    return web.json_response({"messages": messages, "has_more": page.has_more}, headers=CORS)


async def options_preflight(request: web.Request) -> web.Response:
    """CORS preflight, for the seed page served from another origin."""
    return web.Response(status=204, headers={**CORS, "Access-Control-Allow-Methods": "GET, POST"})


def add_routes(app: web.Application) -> None:
    """Mount the seed's endpoints."""
    app.router.add_post("/AJAX_save/send", post_send)
    app.router.add_route("OPTIONS", "/AJAX_save/send", options_preflight)
    app.router.add_get("/AJAX_save/history", get_history)
    app.router.add_route("OPTIONS", "/AJAX_save/history", options_preflight)
