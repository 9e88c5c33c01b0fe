"""``--seed-compat``: the endpoint the original web chat page posts to.

That page POSTs form field ``message`` to ``/AJAX_save/send`` and listens for
``message_event`` on the public ``test_channel`` with ``{"msg": ...}``; served here it works
against the hub with only its host changed. Public and unauthenticated, exactly like the
seed, so it is off unless asked for.
"""

from __future__ import annotations

from aiohttp import web

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import limits
from desktopchat.server.relay.publisher import PublishError
from desktopchat.server.relay.service import RELAY

SEED_CHANNEL = "test_channel"
SEED_EVENT = "message_event"
_CORS = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Headers": "Content-Type"}


async def post_send(request: web.Request) -> web.Response:
    """Trigger the seed's event with the posted message, as its PHP script did."""
    relay = request.app[RELAY]
    form = await request.post()
    message = form.get("message")
    if not isinstance(message, str) or not message.strip():
        raise ApiError(400, "blank_message", "Form field 'message' is missing or empty", _CORS)
    if limits.text_bytes(message) > limits.MAX_TEXT_BYTES:
        raise ApiError(
            413, "text_too_large", f"Message is over {limits.MAX_TEXT_BYTES} bytes", _CORS
        )
    try:
        await relay.publisher.trigger(SEED_CHANNEL, SEED_EVENT, {"msg": message})
    except PublishError as exc:
        raise ApiError(502, "upstream_failed", str(exc), _CORS) from exc
    return web.json_response({"status": "sent"}, headers=_CORS)


async def options_send(request: web.Request) -> web.Response:
    """CORS preflight, for the seed page served from another origin."""
    return web.Response(status=204, headers={**_CORS, "Access-Control-Allow-Methods": "POST"})


def add_routes(app: web.Application) -> None:
    """Mount the seed's endpoint."""
    app.router.add_post("/AJAX_save/send", post_send)
    app.router.add_route("OPTIONS", "/AJAX_save/send", options_send)
