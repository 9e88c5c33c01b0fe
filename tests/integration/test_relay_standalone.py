"""``desktopchat relay`` as a user runs it: a process in front of a Pusher-compatible upstream.

The upstream is the test's hub (no relay of its own); the relay signs with the same app
secret, given through the environment, and pysher on the hub receives what it triggers.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from desktopchat.commands.relay import ENV
from desktopchat.server.credentials import AppCredentials
from desktopchat.server.runner import HubThread
from tests.conftest import PysherClient
from tests.inbox import WAIT, Inbox
from tests.integration.conftest import SUCCEEDED, Api, events_of, listen_room

READY = re.compile(r"\Adesktopchat relay listening on http://(?P<host>[^\s:]+):(?P<port>\d+)\n\Z")


@dataclass
class RelayProcess:
    """A running ``desktopchat relay`` and the base URL its ready line gave."""

    proc: subprocess.Popen[str]
    base: str

    def stop(self) -> tuple[int, str]:
        """SIGTERM; the exit code and what went to stderr."""
        self.proc.send_signal(signal.SIGTERM)
        _, err = self.proc.communicate(timeout=WAIT)
        return self.proc.returncode, err


def relay_env(secret: str | None) -> dict[str, str]:
    """This process's environment without any DESKTOPCHAT_PUSHER_*, plus ``secret``."""
    env = {k: v for k, v in os.environ.items() if k not in ENV.values()}
    if secret is not None:
        env["DESKTOPCHAT_PUSHER_SECRET"] = secret
    return env


def relay_args(hub: HubThread, credentials: AppCredentials, data_dir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "desktopchat",
        "relay",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
        "--pusher-host",
        "127.0.0.1",
        "--pusher-port",
        str(hub.port),
        "--pusher-app-id",
        credentials.app_id,
        "--pusher-key",
        credentials.key,
    ]


@pytest.fixture
def start_relay(
    hub: HubThread, credentials: AppCredentials, tmp_path: Path
) -> Iterator[Callable[..., RelayProcess]]:
    """Start ``desktopchat relay`` in front of the hub; killed after the test if still up."""
    procs: list[subprocess.Popen[str]] = []

    def start(*options: str) -> RelayProcess:
        proc = subprocess.Popen(
            [*relay_args(hub, credentials, tmp_path / "relay"), *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=relay_env(credentials.secret),
        )
        procs.append(proc)
        assert proc.stdout is not None
        with ThreadPoolExecutor(1) as pool:
            line = pool.submit(proc.stdout.readline).result(timeout=WAIT)
        ready = READY.match(line)
        if ready is None:
            proc.kill()
            _, err = proc.communicate(timeout=WAIT)
            pytest.fail(f"unexpected ready line {line!r}; stderr: {err}")
        return RelayProcess(proc, f"http://{ready['host']}:{ready['port']}")

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=WAIT)


def test_standalone_relay_triggers_into_the_upstream(
    start_relay: Callable[[], RelayProcess],
    pysher_client: Callable[..., PysherClient],
    hub: HubThread,
    credentials: AppCredentials,
) -> None:
    relay = start_relay()
    api = Api(relay.base)
    config = api.call("GET", "/api/config")
    assert config.json()["pusher"] == {
        "key": credentials.key,
        "host": "127.0.0.1",
        "port": hub.port,
        "tls": False,
    }
    assert credentials.secret not in config.text
    alice = api.signed_up("alice")
    # pysher on the hub, holding no secret, subscribed with the standalone relay's auth.
    inbox = listen_room(pysher_client(secret=""), alice, "message")
    message = alice.sent("via the standalone relay")
    assert events_of(inbox["message"], 1) == [message]
    assert alice.history().json()["messages"] == [message]
    code, err = relay.stop()
    assert code == 0, err


def test_sigterm_stops_the_relay_with_exit_0(start_relay: Callable[[], RelayProcess]) -> None:
    relay = start_relay()
    assert Api(relay.base).call("GET", "/api/config").status_code == 200
    code, err = relay.stop()
    assert code == 0, err
    assert "Traceback" not in err


def test_a_missing_secret_exits_2_saying_so(
    hub: HubThread, credentials: AppCredentials, tmp_path: Path
) -> None:
    result = subprocess.run(
        relay_args(hub, credentials, tmp_path / "relay"),
        capture_output=True,
        text=True,
        timeout=WAIT,
        env=relay_env(None),
        check=False,
    )
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert "missing Pusher secret" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("app_id", ["abc", "²", "١٢٣"])
def test_a_non_ascii_numeric_app_id_exits_2_saying_so(
    hub: HubThread, credentials: AppCredentials, tmp_path: Path, app_id: str
) -> None:
    # "²".isdigit() is True; the pusher library's int() would then raise at start-up.
    args = relay_args(hub, credentials, tmp_path / "relay")
    args[args.index("--pusher-app-id") + 1] = app_id
    result = subprocess.run(
        args, capture_output=True, text=True, timeout=WAIT, env=relay_env("s"), check=False
    )
    assert result.returncode == 2, result
    assert "app id must be numeric" in result.stderr
    assert "Traceback" not in result.stderr


def test_health_stays_200_without_the_upstream_and_says_why(
    start_relay: Callable[[], RelayProcess], hub: HubThread
) -> None:
    """Messages are still stored without Pusher (clients catch up), so a load balancer must
    keep the relay; the upstream's state is in the body for whoever monitors it."""
    relay = start_relay()
    hub.stop()
    health = Api(relay.base).call("GET", "/api/health")
    assert health.status_code == 200, health.text
    body = health.json()
    assert body["status"] == "ok"
    assert body["database"] == {"ok": True}
    assert body["upstream"]["ok"] is False
    assert "upstream check failed" in body["upstream"]["error"]


def test_a_standalone_relay_bridges_the_seed_page_to_a_room(
    start_relay: Callable[..., RelayProcess],
    pysher_client: Callable[..., PysherClient],
    hub: HubThread,
    credentials: AppCredentials,
) -> None:
    relay = start_relay("--seed-compat", "--seed-room", "lobby")
    page = Inbox()
    listener = pysher_client(secret="")

    def subscribe() -> None:
        channel = listener.pusher.subscribe("test_channel")
        channel.bind(SUCCEEDED, lambda _: page.put("subscribed"))
        channel.bind("message_event", lambda data: page.put(json.loads(data)))

    listener.on_connect(subscribe)
    listener.connect()
    page.wait_count(1, "subscription to test_channel on the upstream")

    posted = requests.post(
        f"{relay.base}/AJAX_save/send",
        data={"message": "from the page", "name": "Wendy"},
        timeout=WAIT,
    )
    assert posted.status_code == 200, posted.text
    alice = Api(relay.base).signed_up("alice", display_name="Alice")
    alice.sent("from the app", room="lobby")
    events = page.wait_count(3, "both messages on test_channel")[1:]
    assert [e["msg"] for e in events] == ["Wendy (web): from the page", "Alice: from the app"]
    assert [
        (m["author"]["display_name"], m["text"]) for m in alice.history("lobby").json()["messages"]
    ] == [
        ("Wendy (web)", "from the page"),
        ("Alice", "from the app"),
    ]
    # The page it serves points its WebSocket at the upstream, not at the relay.
    html = requests.get(f"{relay.base}/seed/", timeout=WAIT).text
    config = json.loads(
        re.search(r'<script id="seed-config" type="application/json">(.*?)</script>', html)[1]
    )
    assert config["key"] == credentials.key
    assert (config["options"]["wsHost"], config["options"]["wsPort"]) == ("127.0.0.1", hub.port)
    assert credentials.secret not in html
    code, err = relay.stop()
    assert code == 0, err


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        (["--seed-room", "lobby"], "--seed-room needs --seed-compat"),
        (["--seed-compat", "--seed-room", "No Spaces"], "a room name is 1-64"),
    ],
)
def test_bad_seed_options_exit_2_saying_so(
    hub: HubThread, credentials: AppCredentials, tmp_path: Path, options: list[str], complaint: str
) -> None:
    for command in (
        [*relay_args(hub, credentials, tmp_path / "relay"), *options],
        [
            sys.executable,
            "-m",
            "desktopchat",
            "serve",
            "--port",
            "0",
            "--data-dir",
            str(tmp_path / "hub"),
            *options,
        ],
    ):
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=WAIT,
            env=relay_env(credentials.secret),
            check=False,
        )
        assert result.returncode == 2, result
        assert complaint in result.stderr
        assert "Traceback" not in result.stderr
