"""A bare WebSocket client for frames no well-behaved library would send (websocket-client)."""

from __future__ import annotations

import json
import struct
from typing import Any

import websocket

from tests.inbox import WAIT


class ClosedError(Exception):
    """The server closed the socket; ``code`` is the close code it sent."""

    def __init__(self, code: int | None) -> None:
        super().__init__(f"closed with {code}")
        self.code = code


class RawClient:
    """Speaks the Pusher protocol by hand, frame by frame."""

    def __init__(self, port: int, key: str, query: str = "protocol=7") -> None:
        url = f"ws://127.0.0.1:{port}/app/{key}"
        self.ws = websocket.create_connection(f"{url}?{query}" if query else url, timeout=WAIT)

    def send(self, frame: Any) -> None:
        """Send ``frame`` as JSON text (or as is, if it is already a string)."""
        self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    def recv(self) -> dict[str, Any]:
        """The next text frame as a dict; raise :class:`ClosedError` on a close frame."""
        while True:
            opcode, frame = self.ws.recv_data_frame(control_frame=True)
            if opcode == websocket.ABNF.OPCODE_TEXT:
                message: dict[str, Any] = json.loads(frame.data)
                return message
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                code = struct.unpack("!H", frame.data[:2])[0] if len(frame.data) >= 2 else None
                raise ClosedError(code)

    def expect(self, event: str) -> dict[str, Any]:
        """The next frame, which must be ``event``."""
        frame = self.recv()
        assert frame["event"] == event, frame
        return frame

    def socket_id(self) -> str:
        """Read ``connection_established`` and return the socket id from its string data."""
        frame = self.expect("pusher:connection_established")
        assert isinstance(frame["data"], str), "data must be a JSON string (pysher json.loads it)"
        return str(json.loads(frame["data"])["socket_id"])

    def expect_close(self) -> int | None:
        """Read until the server closes; return its close code."""
        try:
            while True:
                self.recv()
        except ClosedError as closed:
            return closed.code

    def close(self) -> None:
        """Close our side (also after the server closed, to release the socket)."""
        if self.ws.connected:
            self.ws.close(timeout=1)
        self.ws.shutdown()
