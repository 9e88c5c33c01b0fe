"""Stopping a hub closes every connection, even one accepted in the moment it stops.

asyncio sets up an accepted socket one loop turn after accepting it; a server closed in that
turn leaked the socket (CPython gh-109564), which a later test's garbage collection then
reported as an "unclosed transport" error. See ``runner._stop_accepting``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
from pathlib import Path

import pytest

from desktopchat.server import runner, tls
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


def test_a_tls_connection_in_its_handshake_as_the_hub_stops_leaves_no_pending_task(
    hub_config: HubConfig, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """asyncio's handshake task of a connection accepted in the moment was left pending on
    the closed loop ("Task was destroyed but it is pending!" in the log)."""
    server_tls = tls.self_signed(tmp_path, "127.0.0.1")
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        for _ in range(10):
            hub = HubThread(hub_config, server_tls)
            hub.start()
            with socket.create_connection(("127.0.0.1", hub.port)):
                hub.stop()
            del hub
            gc.collect()
    assert not [r for r in caplog.records if "destroyed but it is pending" in r.getMessage()]


def test_a_loop_without_readers_still_stops_the_hub(
    hub_config: HubConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows' default loop (proactor) has no ``remove_reader``: the stop must still close
    the port rather than raise before aiohttp's shutdown."""

    class NoReaders(asyncio.SelectorEventLoop):
        def remove_reader(self, fd: object) -> bool:
            raise NotImplementedError

    monkeypatch.setattr(runner.asyncio, "new_event_loop", NoReaders)
    hub = HubThread(hub_config)
    hub.start()
    port = hub.port
    hub.stop()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
