"""Clients that tests and benchmarks point at a hub, made one way everywhere.

The official Python server library (triggers and channel queries, signed with the app
secret), and a *slow reader*: a real WebSocket client with a tiny receive buffer that
subscribes and then never reads, so its TCP window closes and the hub's sends pile up.
"""

from __future__ import annotations

import json
import socket

import pusher
import websocket

from desktopchat.server.credentials import AppCredentials


def server_library(port: int, credentials: AppCredentials) -> pusher.Pusher:
    """pusher-http-python pointed at the hub on ``127.0.0.1:port`` (plain HTTP)."""
    return pusher.Pusher(
        app_id=credentials.app_id,
        key=credentials.key,
        secret=credentials.secret,
        host="127.0.0.1",
        port=port,
        ssl=False,
    )


def slow_reader(port: int, key: str, channel: str, timeout: float) -> websocket.WebSocket:
    """Handshake and subscribe to ``channel``, then never read again (SO_RCVBUF 4 KB)."""
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{port}/app/{key}?protocol=7",
        timeout=timeout,
        sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),),
    )
    ws.send(json.dumps({"event": "pusher:subscribe", "data": {"channel": channel}}))
    return ws
