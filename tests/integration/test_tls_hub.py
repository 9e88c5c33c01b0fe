"""TLS on the hub, and certificate pinning in the clients, against real TLS servers.

A hub serving its own self-signed certificate (``--tls-self-signed``) or one signed by a
test CA; ``desktopchat send``/``tail`` as processes; pysher over ``wss://``; an impostor
presenting another certificate, which must receive nothing at all from a client that
pinned the real one — not a request line, not a token.
"""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
import requests
import websocket

from desktopchat.client.errors import CertificateChangedError, UntrustedCertificateError
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.trust import (
    KnownHosts,
    PinMismatchError,
    normalize_fingerprint,
    probe_fingerprint,
    websocket_sslopt,
)
from desktopchat.client.trust_adapter import TrustAdapter
from desktopchat.server import tls
from desktopchat.server.credentials import AppCredentials
from desktopchat.server.hub import HubConfig
from desktopchat.server.relay.service import ClientEndpoint, RelayConfig
from desktopchat.server.runner import HubThread
from tests.conftest import PysherClient
from tests.inbox import WAIT, Inbox
from tests.integration.conftest import Api, events_of
from tests.integration.test_relay_standalone import relay_args, relay_env
from tests.integration.tls_fixtures import Impostor, LocalCA, TlsHub, run_cli

TLS_READY = re.compile(
    r"\Adesktopchat hub listening on wss://127\.0\.0\.1:(?P<port>\d+) "
    r"app_id=(?P<app_id>\d+) key=(?P<key>\S+) "
    r"sha256=(?P<sha256>(?:[0-9A-F]{2}:){31}[0-9A-F]{2})\n\Z"
)


def pinned_session(fingerprint: str) -> requests.Session:
    """requests trusting exactly the certificate with ``fingerprint`` (as the client does)."""
    session = requests.Session()
    session.mount("https://", TrustAdapter(fingerprint))
    return session


def signed_up(url: str, username: str, fingerprint: str) -> Api:
    """An account on the hub at ``url`` (whose certificate has ``fingerprint``), logged in."""
    session = pinned_session(fingerprint)
    for path, status in (("/api/users", 201), ("/api/sessions", 201)):
        answer = session.post(
            url + path,
            json={"username": username, "password": "correct horse battery"},
            timeout=WAIT,
        )
        assert answer.status_code == status, answer.text
    session.close()
    body = answer.json()
    return Api(url, body["token"], body["user"])


def history_texts(url: str, token: str, pin: str | None) -> list[str]:
    client = RelayClient(url, token, pin=pin)
    try:
        return [m.text for m in client.history("general").messages]
    finally:
        client.close()


# ---------------------------------------------------------------------- the server side


def start_serve(*args: str) -> tuple[subprocess.Popen[str], str]:
    """``desktopchat serve --port 0 ARGS``; the process and its first stdout line."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "desktopchat", "serve", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    with ThreadPoolExecutor(1) as pool:
        line = pool.submit(proc.stdout.readline).result(timeout=3 * WAIT)
    return proc, line


def stop_serve(proc: subprocess.Popen[str]) -> tuple[int, str]:
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=WAIT)
    return proc.returncode, err


def test_self_signed_hub_prints_the_fingerprint_it_serves_and_keeps_its_certificate(
    desktopchat_home: Path,
) -> None:
    proc, line = start_serve("--tls-self-signed")
    try:
        ready = TLS_READY.match(line)
        assert ready, f"unexpected ready line {line!r}"
        port = int(ready["port"])
        assert probe_fingerprint("127.0.0.1", port) == ready["sha256"]
        # The same port speaks https (JSON answers) and refuses plain http.
        with pinned_session(ready["sha256"]) as session:
            config = session.get(f"https://127.0.0.1:{port}/api/config", timeout=WAIT)
        assert config.json()["pusher"]["tls"] is True
        with pytest.raises(requests.ConnectionError):
            requests.get(f"http://127.0.0.1:{port}/api/config", timeout=WAIT)
    finally:
        code, err = stop_serve(proc)
    assert code == 0, err
    assert "without TLS" not in err
    tls_dir = desktopchat_home / "data" / "hub" / tls.SELF_SIGNED_DIR
    assert stat.S_IMODE((tls_dir / tls.KEY_FILE).stat().st_mode) == 0o600
    assert stat.S_IMODE(tls_dir.stat().st_mode) == 0o700
    again, line = start_serve("--tls-self-signed")
    stop_serve(again)
    second = TLS_READY.match(line)
    assert second, line
    assert second["sha256"] == ready["sha256"], "a restart must not change the pinned certificate"


def test_the_self_signed_certificate_names_this_machine_and_the_bind_address(
    tmp_path: Path,
) -> None:
    from cryptography import x509

    server = tls.self_signed(tmp_path, "192.0.2.7")
    cert = x509.load_pem_x509_certificate(server.certificate.read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    addresses = {str(a) for a in names.get_values_for_type(x509.IPAddress)}
    assert {"127.0.0.1", "::1", "192.0.2.7"} <= addresses
    assert "localhost" in names.get_values_for_type(x509.DNSName)


def test_serve_with_a_given_certificate_and_wrong_options(test_ca: LocalCA) -> None:
    cert, key = test_ca.issue()
    proc, line = start_serve("--tls-cert", str(cert), "--tls-key", str(key))
    stop_serve(proc)
    ready = TLS_READY.match(line)
    assert ready, line
    assert ready["sha256"] == tls.load(cert, key).fingerprint
    _, other_key = test_ca.issue("other")
    for args, message in [
        (["--tls-key", str(key)], "--tls-key needs --tls-cert"),
        (["--tls-self-signed", "--tls-cert", str(cert)], "not both"),
        (["--tls-cert", str(cert), "--tls-key", str(other_key)], "not the private key"),
        (["--tls-cert", str(cert.with_name("missing.pem"))], "cannot read the certificate"),
    ]:
        result = run_cli("serve", "--port", "0", *args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr


def test_listening_beyond_loopback_without_tls_warns_what_travels_in_clear() -> None:
    proc, line = start_serve("--host", "0.0.0.0")  # noqa: S104 - the point of the test
    assert line.startswith("desktopchat hub listening on ws://0.0.0.0:"), line
    _, err = stop_serve(proc)
    assert "without TLS" in err
    assert "passwords, session tokens and messages cross the network in clear" in err
    proc, line = start_serve("--host", "0.0.0.0", "--tls-self-signed")  # noqa: S104
    assert line.startswith("desktopchat hub listening on wss://0.0.0.0:"), line
    _, err = stop_serve(proc)
    assert "without TLS" not in err
    proc, _ = start_serve()
    _, err = stop_serve(proc)
    assert "without TLS" not in err, "loopback needs no warning"


# ------------------------------------------------------------------ the CLI and pinning


def test_send_and_tail_pin_the_self_signed_hub_on_first_use(
    tls_hub: TlsHub, desktopchat_home: Path
) -> None:
    alice = signed_up(tls_hub.url, "alice", tls_hub.fingerprint)
    token = str(alice.token)
    # First contact, no trust given: refused before sending, with the fingerprint to compare.
    refused = run_cli("send", "--server", tls_hub.url, "never sent", token=token)
    assert refused.returncode == 1
    assert tls_hub.fingerprint in refused.stderr
    assert "--trust-fingerprint" in refused.stderr
    # A wrong fingerprint pins nothing.
    wrong = "AA:" * 31 + "AA"
    mistyped = run_cli(
        "send", "--server", tls_hub.url, "--trust-fingerprint", wrong, "never", token=token
    )
    assert mistyped.returncode == 1
    assert "not the trusted one" in mistyped.stderr
    assert KnownHosts(desktopchat_home / "data").pin_for(tls_hub.url) is None
    # The right one, in lower case without colons as some tools print it: pinned and sent.
    bare = tls_hub.fingerprint.replace(":", "").lower()
    sent = run_cli(
        "send", "--server", tls_hub.url, "--trust-fingerprint", bare, "first", token=token
    )
    assert sent.returncode == 0, sent.stderr
    assert KnownHosts(desktopchat_home / "data").pin_for(tls_hub.url) == tls_hub.fingerprint
    # From now on no option is needed: the pin is used.
    again = run_cli("send", "--server", tls_hub.url, "second", token=token)
    assert again.returncode == 0, again.stderr
    assert history_texts(tls_hub.url, token, tls_hub.fingerprint) == ["first", "second"]


def test_a_changed_certificate_is_refused_and_nothing_is_sent(
    tls_hub: TlsHub, tmp_path: Path, desktopchat_home: Path
) -> None:
    alice = signed_up(tls_hub.url, "alice", tls_hub.fingerprint)
    token = str(alice.token)
    KnownHosts(desktopchat_home / "data").pin(tls_hub.url, tls_hub.fingerprint)
    assert run_cli("send", "--server", tls_hub.url, "before", token=token).returncode == 0
    # The same server, same port and data, now with another certificate.
    tls_hub.restart(tls.self_signed(tmp_path / "new-cert", "127.0.0.1"))
    result = run_cli("send", "--server", tls_hub.url, "after", token=token)
    assert result.returncode == 1
    assert "not the trusted one" in result.stderr
    assert tls_hub.fingerprint in result.stderr  # the new one, to check with the owner
    assert history_texts(tls_hub.url, token, tls_hub.fingerprint) == ["before"]


def test_the_relay_client_sends_nothing_to_a_server_with_another_certificate(
    impostor: Callable[[], Impostor], tls_hub: TlsHub
) -> None:
    fake = impostor()
    url = f"https://127.0.0.1:{fake.port}"
    client = RelayClient(url, "secret-session-token", pin=tls_hub.fingerprint)
    try:
        with pytest.raises(CertificateChangedError) as refused:
            client.me()
    finally:
        client.close()
    assert refused.value.expected == tls_hub.fingerprint
    assert refused.value.presented == fake.tls.fingerprint
    fake.close()
    assert fake.received, "the client never connected"
    assert all(data == b"" for data in fake.received), fake.received


def test_without_a_pin_an_unknown_certificate_is_refused_with_its_fingerprint(
    impostor: Callable[[], Impostor],
) -> None:
    fake = impostor()
    client = RelayClient(f"https://127.0.0.1:{fake.port}", "secret-session-token")
    try:
        with pytest.raises(UntrustedCertificateError) as refused:
            client.me()
    finally:
        client.close()
    assert refused.value.presented == fake.tls.fingerprint
    fake.close()
    assert all(data == b"" for data in fake.received), fake.received


def test_pysher_websocket_sends_no_frame_to_a_server_with_another_certificate(
    impostor: Callable[[], Impostor], tls_hub: TlsHub
) -> None:
    fake = impostor()
    with pytest.raises(PinMismatchError):
        websocket.create_connection(
            f"wss://127.0.0.1:{fake.port}/app/key?protocol=7",
            timeout=WAIT,
            sslopt=websocket_sslopt(tls_hub.fingerprint),
        )
    fake.close()
    assert fake.received == [b""], "not even the upgrade request may be sent"


# --------------------------------------------------------------- CA-verified and pysher


def test_a_hub_with_a_ca_signed_certificate_needs_no_pin(
    start_tls_hub: Callable[..., TlsHub], test_ca: LocalCA, desktopchat_home: Path
) -> None:
    cert, key = test_ca.issue()
    hub = start_tls_hub(tls.load(cert, key))
    alice = signed_up(hub.url, "alice", hub.fingerprint)
    trusted = {"SSL_CERT_FILE": str(test_ca.cert_file)}
    sent = run_cli("send", "--server", hub.url, "via the CA", token=str(alice.token), env=trusted)
    assert sent.returncode == 0, sent.stderr
    assert KnownHosts(desktopchat_home / "data").pin_for(hub.url) is None, "nothing pinned"
    # Without the CA, the same certificate is just unknown.
    untrusted = run_cli("send", "--server", hub.url, "no", token=str(alice.token))
    assert untrusted.returncode == 1
    assert hub.fingerprint in untrusted.stderr


def test_tail_receives_over_wss_with_the_ca_and_with_a_pin(
    start_tls_hub: Callable[..., TlsHub], test_ca: LocalCA, tmp_path: Path
) -> None:
    cert, key = test_ca.issue()
    hub = start_tls_hub(tls.load(cert, key))
    alice = signed_up(hub.url, "alice", hub.fingerprint)
    pinned_home = tmp_path / "pinned-home"
    KnownHosts(pinned_home / "data").pin(hub.url, hub.fingerprint)
    tails = [
        _tail(hub.url, str(alice.token), tmp_path / "ca-home", str(test_ca.cert_file)),
        _tail(hub.url, str(alice.token), pinned_home, None),
    ]
    try:
        for proc, _, err in tails:
            err.wait_for(lambda lines: "desktopchat: connected" in lines, f"{proc.args} connect")
        relay = RelayClient(hub.url, alice.token, pin=hub.fingerprint)
        relay.send("general", "over wss", "c-wss")
        relay.close()
        for _, out, _ in tails:
            out.wait_for(
                lambda lines: any(json.loads(x)["text"] == "over wss" for x in lines), "message"
            )
    finally:
        for proc, _, _ in tails:
            proc.terminate()
            proc.communicate(timeout=WAIT)


def _tail(
    url: str, token: str, home: Path, ca_file: str | None
) -> tuple[subprocess.Popen[str], Inbox, Inbox]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKTOPCHAT_")}
    env |= {"DESKTOPCHAT_HOME": str(home), "DESKTOPCHAT_NO_KEYRING": "1"}
    env |= {"DESKTOPCHAT_TOKEN": token, "PYTHONUNBUFFERED": "1"}
    if ca_file:
        env["SSL_CERT_FILE"] = ca_file
    proc = subprocess.Popen(
        # The default backlog: a message sent while tail subscribes shows up either way.
        [sys.executable, "-m", "desktopchat", "tail", "--server", url, "--json"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    out, err = Inbox(), Inbox()
    for stream, inbox in ((proc.stdout, out), (proc.stderr, err)):
        threading.Thread(
            target=lambda s=stream, i=inbox: [i.put(line.rstrip("\n")) for line in s],
            daemon=True,
        ).start()
    return proc, out, err


def test_pysher_receives_room_events_over_wss_from_the_relay_triggering_its_own_tls_hub(
    tls_hub: TlsHub, credentials: AppCredentials
) -> None:
    alice = signed_up(tls_hub.url, "alice", tls_hub.fingerprint)
    client = PysherClient(credentials.key, tls_hub.port, secret="")
    client.pusher.connection.url = client.pusher.connection.url.replace("ws://", "wss://", 1)
    client.pusher.connection.socket_kwargs["sslopt"] = websocket_sslopt(tls_hub.fingerprint)
    events = Inbox()
    channel = "private-room-general"
    subscribed = threading.Event()

    def subscribe() -> None:
        relay = RelayClient(tls_hub.url, alice.token, pin=tls_hub.fingerprint)
        auth = relay.pusher_auth(client.socket_id, channel)["auth"]
        relay.close()
        room = client.pusher.subscribe(channel, auth=auth)
        room.bind("message", events.put)
        room.bind("pusher_internal:subscription_succeeded", lambda _: subscribed.set())

    client.on_connect(subscribe)
    try:
        client.connect()
        assert subscribed.wait(WAIT), "no subscription over wss"
        relay = RelayClient(tls_hub.url, alice.token, pin=tls_hub.fingerprint)
        relay.send("general", "hello over wss", "c-1")
        relay.close()
        assert events_of(events, 1, "the relay's trigger into its TLS hub")[0]["text"] == (
            "hello over wss"
        )
    finally:
        client.close()


def test_fingerprints_are_accepted_in_the_usual_spellings() -> None:
    colon = "AB:" * 31 + "CD"
    assert normalize_fingerprint(colon.lower()) == colon
    assert normalize_fingerprint(colon.replace(":", "")) == colon
    assert normalize_fingerprint(f"SHA256:{colon}") == colon
    assert normalize_fingerprint(f"sha256={colon}") == colon
    for bad in ("", "AB:CD", "ZZ" * 32, colon + ":EF"):
        with pytest.raises(ValueError, match="SHA-256"):
            normalize_fingerprint(bad)


def test_standalone_relay_serves_https_with_its_own_kept_certificate(
    hub: HubThread, credentials: AppCredentials, tmp_path: Path
) -> None:
    args = relay_args(hub, credentials, tmp_path / "relay")
    proc = subprocess.Popen(
        [*args, "--host", "0.0.0.0", "--tls-self-signed"],  # noqa: S104 - beyond loopback
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=relay_env(credentials.secret),
    )
    assert proc.stdout is not None
    with ThreadPoolExecutor(1) as pool:
        line = pool.submit(proc.stdout.readline).result(timeout=3 * WAIT)
    try:
        ready = re.match(
            r"\Adesktopchat relay listening on https://0\.0\.0\.0:(?P<port>\d+) "
            r"sha256=(?P<sha256>[0-9A-F:]{95})\n\Z",
            line,
        )
        assert ready, line
        assert (tmp_path / "relay" / tls.SELF_SIGNED_DIR / tls.KEY_FILE).is_file()
        with pinned_session(ready["sha256"]) as session:
            config = session.get(f"https://127.0.0.1:{ready['port']}/api/config", timeout=WAIT)
        assert config.json()["pusher"]["port"] == hub.port
    finally:
        _, err = stop_serve(proc)
    assert "without TLS" not in err


def test_a_ca_signed_certificate_for_another_name_is_not_trusted(
    hub_config: HubConfig,
    test_ca: LocalCA,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cert, key = test_ca.issue()  # for 127.0.0.1 and localhost only
    relay = RelayConfig(data_dir=tmp_path / "hub", client_endpoint=ClientEndpoint(tls=True))
    hub = HubThread(replace(hub_config, host="0.0.0.0", relay=relay), tls.load(cert, key))  # noqa: S104
    hub.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(test_ca.cert_file))
    try:
        for host, trusted in (("127.0.0.1", True), ("127.0.0.2", False)):
            client = RelayClient(f"https://{host}:{hub.port}")
            try:
                if trusted:
                    assert client.server_info().tls
                else:
                    with pytest.raises(UntrustedCertificateError, match=re.escape("127.0.0.2")):
                        client.server_info()
            finally:
                client.close()
    finally:
        hub.stop()


def test_hubs_starting_at_once_share_one_self_signed_pair(tmp_path: Path) -> None:
    with ThreadPoolExecutor(4) as pool:
        made = list(pool.map(lambda _: tls.self_signed(tmp_path, "127.0.0.1"), range(8)))
    assert len({server.fingerprint for server in made}) == 1
    assert sorted(p.name for p in (tmp_path / tls.SELF_SIGNED_DIR).iterdir()) == [
        tls.CERT_FILE,
        tls.KEY_FILE,
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tls-")], "staging left"
    # Half a pair is never replaced behind the user's back (clients pinned the old one).
    (tmp_path / tls.SELF_SIGNED_DIR / tls.KEY_FILE).unlink()
    with pytest.raises(tls.TlsConfigError, match="half a certificate pair"):
        tls.self_signed(tmp_path, "127.0.0.1")


def test_a_ca_named_only_in_requests_ca_bundle_is_trusted_by_http_and_the_websocket(
    start_tls_hub: Callable[..., TlsHub], test_ca: LocalCA, monkeypatch: pytest.MonkeyPatch
) -> None:
    """REQUESTS_CA_BUNDLE adds CAs for the relay's HTTP and for pysher's WebSocket alike:
    a relay whose CA is only there is reached both ways, not logged in to and then never
    connected live."""
    cert, key = test_ca.issue()
    hub = start_tls_hub(tls.load(cert, key))
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(test_ca.cert_file))
    client = RelayClient(hub.url)
    try:
        info = client.server_info()
    finally:
        client.close()
    assert info.tls
    ws = websocket.create_connection(
        f"wss://127.0.0.1:{hub.port}/app/{info.key}?protocol=7",
        timeout=WAIT,
        sslopt=websocket_sslopt(None),
    )
    try:
        assert json.loads(ws.recv())["event"] == "pusher:connection_established"
    finally:
        ws.close()
    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    with pytest.raises(UntrustedCertificateError):  # and without it, no CA vouches for it
        RelayClient(hub.url).server_info()
