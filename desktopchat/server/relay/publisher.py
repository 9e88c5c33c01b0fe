"""The relay's only contact with Pusher: trigger room events and sign channel authorizations.

It uses the official ``pusher`` library — request building, signing, validation and error
mapping — in both deployments, so the embedded hub exercises the same path as Pusher
Channels. Only the transport is ours: the library's bundled aiohttp backend opens a new
session (a new TCP connection) per request, which would add a connection set-up to every
message; :class:`_KeepAliveBackend` reuses one session.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import aiohttp
import pusher
import pusher.errors
from pusher.http import process_response

log = logging.getLogger(__name__)

#: The channel ``check`` asks about: any valid name does; this one is the relay's own.
HEALTH_CHANNEL = "private-directory"


@dataclass(frozen=True, slots=True)
class Upstream:
    """Where the relay triggers: a cluster of Pusher Channels, or a host (hub, soketi...)."""

    app_id: str
    key: str
    secret: str
    cluster: str | None = None
    host: str | None = None
    port: int | None = None
    tls: bool = True
    #: Trust exactly this certificate (SHA-256, ``AB:CD:…``) rather than the CAs: the
    #: embedded relay triggering into its own hub, whose certificate may be self-signed.
    fingerprint: str | None = None

    def __repr__(self) -> str:  # keep the secret out of logs and tracebacks
        where = self.cluster or f"{self.host}:{self.port}"
        return f"Upstream(app_id={self.app_id!r}, key={self.key!r}, at={where!r}, tls={self.tls})"


@dataclass(frozen=True, slots=True)
class Event:
    """One event to trigger: its channel, its name and its (JSON-able) data."""

    channel: str
    name: str
    payload: dict[str, Any]


class PublishError(Exception):
    """Pusher refused or could not be reached; the message says which."""


class _KeepAliveBackend:
    """pusher-http-python transport over one long-lived aiohttp session."""

    def __init__(
        self, client: Any, session: aiohttp.ClientSession, fingerprint: str | None = None
    ) -> None:
        self.client = client
        self._session = session
        # aiohttp checks the pin right after the handshake, before the request goes out.
        self._ssl: aiohttp.Fingerprint | bool = (
            aiohttp.Fingerprint(bytes.fromhex(fingerprint.replace(":", "")))
            if fingerprint
            else True
        )

    async def send_request(self, request: Any) -> Any:
        async with self._session.request(
            request.method,
            f"{request.base_url}{request.path}",
            params=request.query_params,
            data=request.body,
            headers=request.headers,
            timeout=aiohttp.ClientTimeout(total=self.client.timeout),
            ssl=self._ssl,
        ) as response:
            body = await response.text("utf-8")
        return process_response(response.status, body)


class Publisher:
    """Triggers events and signs subscriptions for one upstream Pusher app."""

    def __init__(self, upstream: Upstream, session: aiohttp.ClientSession) -> None:
        self.upstream = upstream
        self._client = pusher.Pusher(
            app_id=upstream.app_id,
            key=upstream.key,
            secret=upstream.secret,
            cluster=upstream.cluster,
            host=upstream.host,
            port=upstream.port,
            ssl=upstream.tls,
            timeout=5,
            backend=_KeepAliveBackend,
            session=session,
            fingerprint=upstream.fingerprint,
        )

    async def trigger(self, channel: str, event: str, payload: dict[str, Any]) -> None:
        """Send ``event`` with ``payload`` to ``channel``; :class:`PublishError` on failure."""
        await self.trigger_all([Event(channel, event, payload)])

    async def trigger_all(self, events: list[Event]) -> None:
        """Send up to 10 events in one request (Pusher's batch); :class:`PublishError` on failure.

        One request, so a room's event and its copy for the seed page cost one round trip.
        """
        try:
            # Pre-encoded, so the library skips its sys.getsizeof() "size" check, which counts
            # 4 bytes per character of a str holding any non-BMP character (an emoji) and so
            # refuses messages within limits.MAX_TEXT_BYTES; the relay's limit and the
            # upstream's 10 KB check both count real UTF-8 bytes.
            batch = [
                {
                    "channel": e.channel,
                    "name": e.name,
                    "data": json.dumps(e.payload, ensure_ascii=False),
                }
                for e in events
            ]
            await self._client.trigger_batch(batch, already_encoded=True)
        except (pusher.errors.PusherError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
            names = ", ".join(f"{e.name} on {e.channel}" for e in events)
            raise PublishError(f"trigger {names} failed: {exc}") from exc

    async def check(self) -> None:
        """Ask the upstream about one channel: it is reachable and accepts our signature.

        :class:`PublishError` if not. ``GET /api/health`` reports it.
        """
        try:
            await self._client.channel_info(HEALTH_CHANNEL)
        except (pusher.errors.PusherError, aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise PublishError(f"upstream check failed: {exc}") from exc

    def authorize(
        self, channel: str, socket_id: str, presence: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The auth JSON for subscribing ``socket_id`` to ``channel`` (presence data signed in)."""
        result: dict[str, Any] = self._client.authenticate(channel, socket_id, presence)
        return result
