"""``desktopchat serve`` as a user runs it: a real process, its ready line, signals, files."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pusher
import pytest
import requests

from tests.inbox import WAIT
from tests.integration.raw_client import RawClient

READY = re.compile(
    r"\Adesktopchat hub listening on ws://127\.0\.0\.1:(?P<port>\d+) "
    r"app_id=(?P<app_id>\d+) key=(?P<key>\S+)\n\Z"
)


class HubProcess:
    """A ``desktopchat serve`` subprocess and what its ready line said."""

    def __init__(self, proc: subprocess.Popen[str], ready: re.Match[str]) -> None:
        self.proc = proc
        self.port = int(ready["port"])
        self.app_id = ready["app_id"]
        self.key = ready["key"]

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str]:
        """Send ``signum``; return the exit code and whatever else went to stdout."""
        self.proc.send_signal(signum)
        rest, _ = self.proc.communicate(timeout=WAIT)
        return self.proc.returncode, rest


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktopchat", *args],
        capture_output=True,
        text=True,
        timeout=WAIT,
        env=env,
        check=False,
    )


@pytest.fixture
def start_hub() -> Iterator[Callable[..., HubProcess]]:
    """Start ``desktopchat serve`` processes; each is killed after the test if still running."""
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str, env: dict[str, str] | None = None) -> HubProcess:
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktopchat", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        procs.append(proc)
        assert proc.stdout is not None
        with ThreadPoolExecutor(1) as pool:
            line = pool.submit(proc.stdout.readline).result(timeout=WAIT)
        ready = READY.match(line)
        assert ready, (
            f"unexpected ready line {line!r}; stderr: {proc.stderr and proc.stderr.read()}"
        )
        return HubProcess(proc, ready)

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()


def test_help_and_version() -> None:
    assert run_cli("--version").stdout.startswith("desktopchat ")
    help_text = run_cli("--help")
    assert help_text.returncode == 0
    assert "serve" in help_text.stdout
    serve_help = run_cli("serve", "--help").stdout
    for option in ("--host", "--port", "--app-id", "--app-key", "--app-secret", "--data-dir"):
        assert option in serve_help


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_sends_clients_4100_then_exits_cleanly(start_hub, signum: int) -> None:
    hub = start_hub()
    client = RawClient(hub.port, hub.key)
    try:
        client.socket_id()
        code, rest_of_stdout = hub.stop(signum)
        error = client.expect("pusher:error")
        assert error["data"]["code"] == 4100, "never 42xx: that sends pysher into a busy loop"
        assert client.expect_close() == 4100
    finally:
        client.close()
    assert code == 0
    assert rest_of_stdout == "", "exactly one line goes to stdout"


def test_credentials_are_generated_private_and_reused(start_hub, desktopchat_home: Path) -> None:
    first = start_hub()
    first.stop()
    stored = desktopchat_home / "data" / "hub" / "hub-credentials.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert first.key in stored.read_text()
    second = start_hub()
    assert (second.app_id, second.key) == (first.app_id, first.key)


def test_credentials_from_the_environment_win_and_work(start_hub, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DESKTOPCHAT_APP_ID": "4242",
        "DESKTOPCHAT_APP_KEY": "envkey",
        "DESKTOPCHAT_APP_SECRET": "envsecret",
    }
    hub = start_hub("--data-dir", str(tmp_path / "elsewhere"), env=env)
    assert (hub.app_id, hub.key) == ("4242", "envkey")
    client = pusher.Pusher(
        app_id="4242", key="envkey", secret="envsecret", host="127.0.0.1", port=hub.port, ssl=False
    )
    assert client.channels_info() == {"channels": {}}
    assert (tmp_path / "elsewhere" / "hub-credentials.json").exists()


def test_a_non_numeric_app_id_is_refused_clearly() -> None:
    result = run_cli("serve", "--port", "0", "--app-id", "abc")
    assert result.returncode == 2
    assert "app id must be numeric" in result.stderr


def test_a_busy_port_is_reported_in_one_line() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        result = run_cli("serve", "--port", str(busy.getsockname()[1]))
    assert result.returncode == 1
    assert "cannot listen on 127.0.0.1" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_public_url_is_what_clients_are_told(start_hub, tmp_path: Path) -> None:
    hub = start_hub("--data-dir", str(tmp_path / "hub"), "--public-url", "https://chat.example.org")
    response = requests.get(
        f"http://127.0.0.1:{hub.port}/api/config", headers={"Host": "evil.example:1"}, timeout=WAIT
    )
    pusher_config = response.json()["pusher"]
    assert (pusher_config["host"], pusher_config["port"], pusher_config["tls"]) == (
        "chat.example.org",
        443,
        True,
    )


@pytest.mark.parametrize("url", ["chat.example.org", "ftp://chat.example.org", "https://x/path"])
def test_a_bad_public_url_is_refused_in_one_line(url: str) -> None:
    result = run_cli("serve", "--port", "0", "--public-url", url)
    assert result.returncode == 2
    assert result.stderr.startswith("desktopchat serve: the public URL"), result.stderr
    assert len(result.stderr.splitlines()) == 1


def failed_logins(port: int, forwarded_for: list[str]) -> list[int]:
    """One failed login per entry (each for a new username, so only the per-address limit
    can refuse it), sent with that ``X-Forwarded-For``; the status codes."""
    codes = []
    with requests.Session() as http:
        for n, hop in enumerate(forwarded_for):
            response = http.post(
                f"http://127.0.0.1:{port}/api/sessions",
                json={"username": f"nobody{n}", "password": "wrong password"},
                headers={"X-Forwarded-For": hop},
                timeout=WAIT,
            )
            codes.append(response.status_code)
    return codes


def test_behind_a_trusted_proxy_each_client_has_its_own_login_budget(
    start_hub: Callable[..., HubProcess], tmp_path: Path
) -> None:
    from desktopchat.server.relay.limits import LOGIN_FAILURES_PER_ADDRESS as LIMIT

    # The test talks from 127.0.0.1, as a load balancer on this machine would.
    hub = start_hub("--trusted-proxy", "127.0.0.1", "--data-dir", str(tmp_path / "hub"))
    codes = failed_logins(hub.port, ["198.51.100.1, 203.0.113.7"] * (LIMIT + 1))
    assert codes == [401] * LIMIT + [429]  # the client, not the balancer, used its budget
    assert failed_logins(hub.port, ["203.0.113.8"]) == [401]  # another client still may


@pytest.mark.parametrize("trusted", [None, "10.0.0.0/8"])
def test_anyone_else_cannot_choose_their_address_with_the_header(
    start_hub: Callable[..., HubProcess], tmp_path: Path, trusted: str | None
) -> None:
    from desktopchat.server.relay.limits import LOGIN_FAILURES_PER_ADDRESS as LIMIT

    options = ["--trusted-proxy", trusted] if trusted else []
    hub = start_hub(*options, "--data-dir", str(tmp_path / "hub"))
    forged = [f"203.0.113.{n}" for n in range(LIMIT + 1)]  # a new "address" every time
    assert failed_logins(hub.port, forged) == [401] * LIMIT + [429]


def test_a_trusted_proxy_that_is_not_an_address_exits_2() -> None:
    result = run_cli("serve", "--port", "0", "--trusted-proxy", "balancer.example")
    assert result.returncode == 2
    assert "--trusted-proxy 'balancer.example' is not an IP address or network" in result.stderr
