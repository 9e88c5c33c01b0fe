"""``GET /api/health``: whether this relay can serve, for a load balancer to poll.

200 when the database answers, 503 when it does not (send requests to another relay). The
upstream (Pusher Channels or a compatible cluster) is reported but does not fail the check:
a relay that cannot trigger still stores every message, clients catch up from history, and
every relay shares the one upstream, so taking them all out of the pool would help nobody.
The upstream's answer is kept for a few seconds, so frequent polls cost it little.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import Any

from aiohttp import web

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay.publisher import PublishError
from desktopchat.server.relay.service import RELAY, Relay

#: Seconds each check may take before it counts as failed.
CHECK_TIMEOUT = 3.0
#: Seconds the upstream's last answer is reused.
UPSTREAM_CACHE_SECONDS = 5.0


class _UpstreamCache:
    """The upstream's last answer and when it came (monotonic seconds)."""

    def __init__(self) -> None:
        self.at = -math.inf
        self.result: dict[str, Any] = {}

    async def get(self, relay: Relay) -> dict[str, Any]:
        if time.monotonic() - self.at >= UPSTREAM_CACHE_SECONDS:
            self.result = await _upstream(relay)
            self.at = time.monotonic()
        return self.result


_UPSTREAM = web.AppKey("health_upstream", _UpstreamCache)


async def _database(relay: Relay) -> dict[str, Any]:
    try:
        await asyncio.wait_for(relay.db(relay.store.ping), CHECK_TIMEOUT)
    except ApiError as exc:
        return {"ok": False, "error": str(exc)}
    except TimeoutError:
        return {"ok": False, "error": f"no answer within {CHECK_TIMEOUT:.0f} s"}
    return {"ok": True}


async def _upstream(relay: Relay) -> dict[str, Any]:
    try:
        await asyncio.wait_for(relay.publisher.check(), CHECK_TIMEOUT)
    except ApiError as exc:  # still starting
        return {"ok": False, "error": str(exc)}
    except PublishError as exc:
        return {"ok": False, "error": str(exc)}
    except TimeoutError:
        return {"ok": False, "error": f"no answer within {CHECK_TIMEOUT:.0f} s"}
    return {"ok": True}


async def get_health(request: web.Request) -> web.Response:
    """``{"status", "database": {"ok", "error"?}, "upstream": {"ok", "error"?}}``."""
    relay = request.app[RELAY]
    database, upstream = await asyncio.gather(_database(relay), request.app[_UPSTREAM].get(relay))
    healthy = database["ok"]
    return web.json_response(
        {"status": "ok" if healthy else "unavailable", "database": database, "upstream": upstream},
        status=200 if healthy else 503,
        headers={"Cache-Control": "no-store"},
    )


def add_routes(app: web.Application) -> None:
    """Mount the health endpoint."""
    app[_UPSTREAM] = _UpstreamCache()
    app.router.add_get("/api/health", get_health)
