"""A relay on plain http:// never makes the client load the system's CA certificates.

Loading them (``ssl.create_default_context``) parses every certificate of the system's
store: 20 to 50 ms, on the worker that logs in and fetches the first history page of a
cold start. Only a request to an https:// server needs them; this client talks to a real
relay hub on http://127.0.0.1 and counts the loads.
"""

from __future__ import annotations

import ssl

import pytest

from desktopchat.client import trust
from desktopchat.client.relay_client import RelayClient
from tests.integration.client.helpers import Account, RestartableHub


def test_a_relay_on_plain_http_never_loads_the_system_certificates(
    hub_server: RestartableHub, alice: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    loads: list[object] = []
    original = ssl.create_default_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        loads.append(args)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(trust, "_contexts", {})  # none shared from an earlier test
    monkeypatch.setattr(ssl, "create_default_context", counted)
    client = RelayClient(hub_server.url, alice.token)
    try:
        assert client.me().username == "alice"
        client.send("general", "over plain HTTP", "plain-1")
        assert [m.text for m in client.history("general").messages] == ["over plain HTTP"]
    finally:
        client.close()
    assert loads == []
