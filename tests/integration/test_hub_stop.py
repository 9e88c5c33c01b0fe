"""Stopping a hub closes every connection, even one accepted in the moment it stops.

asyncio sets up an accepted socket one loop turn after accepting it; a server closed in that
turn leaked the socket (CPython gh-109564), which a later test's garbage collection then
reported as an "unclosed transport" error. See ``runner._stop_accepting``.
"""

from __future__ import annotations

import asyncio
import gc
import socket

from desktopchat.server.hub import HubConfig
from desktopchat.server.runner import HubThread


def _open_transports() -> list[asyncio.Transport]:
    gc.collect()
    return [
        obj
        for obj in gc.get_objects()
        if isinstance(obj, asyncio.Transport) and not obj.is_closing()
    ]


def test_a_connection_made_as_the_hub_stops_is_closed_not_leaked(hub_config: HubConfig) -> None:
    already_open = {id(t) for t in _open_transports()}
    leaked = 0
    for _ in range(40):  # without the fix, about two rounds in five leaked here
        hub = HubThread(hub_config)
        hub.start()
        with socket.create_connection(("127.0.0.1", hub.port)):
            hub.stop()
        leaked += sum(1 for t in _open_transports() if id(t) not in already_open)
    assert leaked == 0
