"""Several ``desktopchat relay`` processes on one PostgreSQL database, behind one hub.

As deployed past one machine: the relays hold nothing of their own, so any of them answers
any request; the hub (no relay of its own) stands in for Pusher Channels or a cluster.
Everything is real: relay processes started as a user starts them, the test session's
PostgreSQL server (tests/postgres_server.py), HTTP, and a pysher listener on the hub.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import requests

from desktopchat.commands.database_options import ENV_PASSWORD, ENV_URL
from desktopchat.commands.relay import ENV
from desktopchat.server.credentials import AppCredentials, generate
from desktopchat.server.hub import HubConfig
from desktopchat.server.relay import limits
from desktopchat.server.runner import HubThread
from tests.conftest import PysherClient
from tests.inbox import WAIT
from tests.integration.conftest import PASSWORD, Api, error_of, events_of, listen_room
from tests.polling import wait_until
from tests.postgres_server import PostgresServer, start_server

READY = re.compile(r"\Adesktopchat relay listening on (?P<url>http://\S+)\n\Z")


@dataclass
class RelayProcess:
    """A running ``desktopchat relay``, its base URL and the file its stderr goes to."""

    proc: subprocess.Popen[str]
    base: str
    stderr: Path

    @property
    def api(self) -> Api:
        return Api(self.base)

    def stop(self) -> tuple[int, str]:
        """SIGTERM; the exit code and what it wrote to stderr."""
        self.proc.terminate()
        self.proc.wait(timeout=WAIT)
        return self.proc.returncode, self.stderr.read_text()


CLI = (sys.executable, "-m", "desktopchat")


def relay_command(hub_port: int, credentials: AppCredentials, data_dir: Path) -> list[str]:
    """``desktopchat relay`` on a free port in front of the hub (the secret: in the env)."""
    return [
        *CLI,
        "relay",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
        "--pusher-host",
        "127.0.0.1",
        "--pusher-port",
        str(hub_port),
        "--pusher-app-id",
        credentials.app_id,
        "--pusher-key",
        credentials.key,
    ]


def relay_env(credentials: AppCredentials, password: str | None) -> dict[str, str]:
    """This environment without any relay settings, plus the Pusher secret and ``password``."""
    ours = {*ENV.values(), ENV_URL, ENV_PASSWORD, "PGPASSWORD"}
    env = {k: v for k, v in os.environ.items() if k not in ours}
    env["DESKTOPCHAT_PUSHER_SECRET"] = credentials.secret
    if password is not None:
        env[ENV_PASSWORD] = password
    return env


class RelayLauncher:
    """Starts ``desktopchat relay`` processes in front of the hub at ``hub_port``."""

    def __init__(self, hub_port: int, credentials: AppCredentials, workdir: Path) -> None:
        self.hub_port, self.credentials, self.workdir = hub_port, credentials, workdir
        self._procs: list[subprocess.Popen[str]] = []

    def command(self, data_dir: Path) -> list[str]:
        """``desktopchat relay`` on a free port (the Pusher secret: in the environment)."""
        return relay_command(self.hub_port, self.credentials, data_dir)

    def start(self, *options: str, password: str | None = None) -> RelayProcess:
        """Start one with ``options``; returns once its ready line came."""
        n = len(self._procs)
        stderr = self.workdir / f"relay-{n}.stderr"
        with stderr.open("w") as err:
            proc = subprocess.Popen(
                [*self.command(self.workdir / f"relay-{n}"), *options],
                stdout=subprocess.PIPE,
                stderr=err,
                text=True,
                env=relay_env(self.credentials, password),
            )
        self._procs.append(proc)
        assert proc.stdout is not None
        with ThreadPoolExecutor(1) as pool:
            line = pool.submit(proc.stdout.readline).result(timeout=WAIT)
        ready = READY.match(line)
        if ready is None:
            proc.kill()
            proc.wait(timeout=WAIT)
            pytest.fail(f"unexpected ready line {line!r}; stderr: {stderr.read_text()}")
        return RelayProcess(proc, ready["url"], stderr)

    def close(self) -> None:
        """Kill whatever still runs."""
        for proc in self._procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=WAIT)
            assert proc.stdout is not None
            proc.stdout.close()


@pytest.fixture
def start_relay(
    hub: HubThread, credentials: AppCredentials, tmp_path: Path
) -> Iterator[Callable[..., RelayProcess]]:
    """Start ``desktopchat relay`` processes in front of the test's hub; killed after it."""
    launcher = RelayLauncher(hub.port, credentials, tmp_path)
    yield launcher.start
    launcher.close()


@dataclass
class TwoRelays:
    """Two relays on one database behind one hub, shared by this module's tests: each test
    has a room of its own (ids from 1) and usernames of its own."""

    one: RelayProcess
    other: RelayProcess
    hub_port: int
    key: str
    prefix: str = ""
    room: str = "general"

    def name(self, user: str) -> str:
        """A username of this test's own."""
        return f"{self.prefix}{user}"


@pytest.fixture(scope="module")
def relay_pair(
    postgres: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TwoRelays]:
    """The module's hub and two relays on one new database (password in the environment)."""
    credentials = generate()
    hub = HubThread(HubConfig(credentials=credentials, port=0))
    hub.start()
    launcher = RelayLauncher(hub.port, credentials, tmp_path_factory.mktemp("relays"))
    url = postgres.url(postgres.new_database())
    try:
        one, other = (
            launcher.start("--database-url", url, password=postgres.password) for _ in range(2)
        )
        yield TwoRelays(one, other, hub.port, credentials.key)
    finally:
        launcher.close()
        hub.stop()


_tests = itertools.count()


@pytest.fixture
def two_relays(relay_pair: TwoRelays) -> TwoRelays:
    """The module's two relays, with a room and usernames of this test's own."""
    n = next(_tests)
    pair = replace(relay_pair, prefix=f"t{n}-", room=f"room-{n}")
    owner = pair.one.api.signed_up(pair.name("owner"))
    assert owner.call("POST", "/api/rooms", json={"name": pair.room}).status_code == 201
    return pair


def post_all(requests_: list[tuple[str, dict[str, Any], str]]) -> list[tuple[int, Any]]:
    """POST every ``(url, json, token)`` at once; each answer's status and JSON body."""

    async def run() -> list[tuple[int, Any]]:
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def post(url: str, body: dict[str, Any], token: str) -> tuple[int, Any]:
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                async with http.post(url, json=body, headers=headers) as response:
                    return response.status, await response.json()

            return list(await asyncio.gather(*(post(*r) for r in requests_)))

    return asyncio.run(run())


def all_history(api: Api, room: str = "general") -> list[dict[str, Any]]:
    """Every message of ``room``, oldest first, paging as clients do."""
    messages: list[dict[str, Any]] = []
    while True:
        page = api.history(room, after=messages[-1]["id"] if messages else 0, limit=200).json()
        messages += page["messages"]
        if not page["has_more"]:
            return messages


def test_an_account_made_on_one_relay_logs_in_on_the_other(two_relays: TwoRelays) -> None:
    one, other = two_relays.one, two_relays.other
    alice = one.api.signed_up(two_relays.name("alice"))
    session = other.api.login(two_relays.name("alice"))
    assert session.status_code == 201, session.text
    # A session from either relay works on both, and so does its logout.
    token = session.json()["token"]
    assert one.api.as_token(token).call("GET", "/api/me").json()["user"] == alice.user
    logout = other.api.as_token(alice.token).call("DELETE", "/api/sessions/current")
    assert logout.status_code == 204
    error_of(one.api.as_token(alice.token).call("GET", "/api/me"), 401)


def test_400_concurrent_sends_across_two_relays_get_gap_free_ids_and_one_event_each(
    two_relays: TwoRelays,
) -> None:
    one, other, room = two_relays.one, two_relays.other, two_relays.room
    alice = one.api.signed_up(two_relays.name("alice"))
    bob = other.api.signed_up(two_relays.name("bob"))
    listener = PysherClient(two_relays.key, two_relays.hub_port)
    try:
        inbox = listen_room(listener, alice, "message", room=room)["message"]
        path = f"/api/rooms/{room}/messages"
        sends = [
            (f"{(one, other)[n % 2].base}{path}", {"text": f"m{n}", "client_id": f"c{n}"}, token)
            for n in range(400)
            for token in [(alice.token, bob.token)[n % 4 // 2] or ""]
        ]
        answers = post_all(sends)

        assert [status for status, _ in answers] == [201] * 400, answers[:5]
        ids = sorted(body["id"] for _, body in answers)
        assert ids == list(range(1, 401)), "ids are 1..400, no gap, no duplicate"
        stored = all_history(other.api.as_token(bob.token), room)
        assert [m["id"] for m in stored] == list(range(1, 401))
        assert sorted(m["client_id"] for m in stored) == sorted(f"c{n}" for n in range(400))
        # Every send was announced before it was answered, so an event triggered now
        # arrives after all of them: by then the listener must have each exactly once.
        last = alice.sent("after the burst", room=room)
        events = events_of(inbox, 401, "every message and the last one")
        assert events[-1] == last
        assert sorted(e["id"] for e in events[:-1]) == list(range(1, 401))
        by_id = {body["id"]: body for _, body in answers}
        assert all(event == by_id[event["id"]] for event in events[:-1])
    finally:
        listener.close()


def test_a_retry_on_the_other_relay_finds_the_message_sent_on_the_first(
    two_relays: TwoRelays,
) -> None:
    one, other, room = two_relays.one, two_relays.other, two_relays.room
    alice = one.api.signed_up(two_relays.name("alice"))
    first = alice.sent("once", client_id="retry-me", room=room)
    retried = Api(other.base, alice.token).send("once", client_id="retry-me", room=room)
    assert retried.status_code == 200
    assert retried.json() == first
    path = f"/api/rooms/{room}/messages"
    body = {"text": "x", "client_id": "same"}
    again = post_all([(f"{r.base}{path}", body, alice.token or "") for r in (one, other) * 10])
    assert sorted(status for status, _ in again) == [200] * 19 + [201]
    assert len({body["id"] for _, body in again}) == 1
    assert [m["id"] for m in all_history(alice, room)] == [1, 2]


def test_the_login_throttle_holds_across_both_relays(two_relays: TwoRelays) -> None:
    one, other = two_relays.one, two_relays.other
    alice = two_relays.name("alice")
    one.api.register(alice)
    guesses = [
        (f"{(one, other)[n % 2].base}/api/sessions", {"username": alice, "password": f"{n}"}, "")
        for n in range(40)
    ]
    statuses = [status for status, _ in post_all(guesses)]

    assert set(statuses) <= {401, 429}, statuses
    assert statuses.count(401) <= limits.LOGIN_FAILURES_PER_USER, (
        f"{statuses.count(401)} passwords checked across two relays"
    )
    for relay in (one, other):
        assert error_of(relay.api.login(alice), 429)["code"] == "too_many_attempts"


def test_health_reports_the_database_and_the_upstream(two_relays: TwoRelays) -> None:
    for relay in (two_relays.one, two_relays.other):
        health = relay.api.call("GET", "/api/health")
        assert health.status_code == 200
        assert health.json() == {"status": "ok", "database": {"ok": True}, "upstream": {"ok": True}}


def test_a_password_in_the_argv_url_is_refused_and_not_printed(
    hub: HubThread, credentials: AppCredentials, tmp_path: Path
) -> None:
    url = "postgresql://desktopchat:hunter2secret@127.0.0.1:5432/chat"
    result = subprocess.run(
        [*relay_command(hub.port, credentials, tmp_path), "--database-url", url],
        capture_output=True,
        text=True,
        timeout=WAIT,
        env=relay_env(credentials, None),
        check=False,
    )
    assert result.returncode == 2
    assert "refusing a password in --database-url" in result.stderr
    assert "hunter2secret" not in result.stderr + result.stdout


def test_an_unreachable_database_at_start_is_one_line_without_the_password(
    hub: HubThread, credentials: AppCredentials, tmp_path: Path
) -> None:
    env = relay_env(credentials, None)
    # In the environment a password may be in the URL; messages still must not show it.
    env[ENV_URL] = "postgresql://desktopchat:hunter2secret@127.0.0.1:1/chat"
    result = subprocess.run(
        relay_command(hub.port, credentials, tmp_path),
        capture_output=True,
        text=True,
        timeout=WAIT,
        env=env,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        "desktopchat relay: cannot use the database postgresql://desktopchat:***@127.0.0.1:1/chat"
    ), lines
    assert "hunter2secret" not in result.stderr + result.stdout


# ----------------------------------------------------------------- the database goes away


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server of this test's own, which it may stop and start."""
    server = start_server()
    yield server
    server.remove()


class Sender(threading.Thread):
    """Sends ``count`` messages one after another through ``relay``, each retried with
    its ``client_id`` until it is acknowledged (201, or 200 for one already stored), as
    the desktop client's outbox does; records every 5xx answer on the way."""

    def __init__(self, relay: RelayProcess, token: str, name: str, count: int) -> None:
        super().__init__(name=name, daemon=True)
        self.relay, self.token, self.count = relay, token, count
        self.acknowledged: dict[str, int] = {}
        self.errors: list[tuple[int, Any]] = []
        self.failure: BaseException | None = None

    def run(self) -> None:
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {self.token}"
        url = f"{self.relay.base}/api/rooms/general/messages"
        try:
            for n in range(self.count):
                client_id = f"{self.name}-{n}"
                while client_id not in self.acknowledged:
                    response = http.post(
                        url, json={"text": client_id, "client_id": client_id}, timeout=WAIT
                    )
                    if response.status_code in (200, 201):
                        self.acknowledged[client_id] = response.json()["id"]
                    elif response.status_code >= 500:
                        self.errors.append((response.status_code, response.json()))
                        threading.Event().wait(0.05)  # the client's retry delay
                    else:
                        raise AssertionError(f"{response.status_code}: {response.text}")
        except BaseException as exc:
            self.failure = exc


def test_the_database_stopped_and_restarted_under_load_loses_nothing_acknowledged(
    start_relay: Callable[..., RelayProcess], own_postgres: PostgresServer, tmp_path: Path
) -> None:
    database = own_postgres.new_database()
    # The password and a short pool timeout from a config file, as a deployment might.
    config = tmp_path / "relay.toml"
    config.write_text(
        "[database]\n"
        f'url = "{own_postgres.url(database)}"\n'
        f'password = "{own_postgres.password}"\n'
        "pool_timeout = 1.0\n"
    )
    relays = [start_relay("--config", str(config)) for _ in range(2)]
    tokens = [relays[0].api.signed_up(f"user{n}").token for n in range(4)]
    senders = [Sender(relays[n % 2], token or "", f"s{n}", 60) for n, token in enumerate(tokens)]
    for sender in senders:
        sender.start()
    wait_until(lambda: sum(len(s.acknowledged) for s in senders) >= 40, "sends before the stop")

    own_postgres.stop("fast")
    wait_until(lambda: any(s.errors for s in senders), "a sender to see the outage")
    for relay in relays:
        health = relay.api.call("GET", "/api/health")
        assert health.status_code == 503, health.text
        assert health.json()["database"]["ok"] is False
        assert health.json()["upstream"] == {"ok": True}
    own_postgres.start()

    for sender in senders:
        sender.join(WAIT * 2)
        assert not sender.is_alive(), f"{sender.name} still sending"
        assert sender.failure is None, sender.failure
    errors = [error for s in senders for error in s.errors]
    assert {status for status, _ in errors} == {503}, errors[:5]
    assert {body["error"]["code"] for _, body in errors} == {"storage_unavailable"}
    acknowledged = {cid: mid for s in senders for cid, mid in s.acknowledged.items()}
    assert len(acknowledged) == 240
    stored = all_history(relays[1].api.as_token(tokens[0]))
    assert [m["id"] for m in stored] == list(range(1, 241)), "gap-free, nothing twice"
    assert {m["client_id"]: m["id"] for m in stored} == acknowledged
    for relay in relays:
        assert relay.api.call("GET", "/api/health").status_code == 200
        code, err = relay.stop()
        assert code == 0, err
        assert own_postgres.password not in err


# ------------------------------------------------------------------ from SQLite to PostgreSQL


def migrate(source: Path, url: str, password: str) -> subprocess.CompletedProcess[str]:
    """``desktopchat relay migrate-sqlite --from source --database-url url``."""
    env = {k: v for k, v in os.environ.items() if k not in (ENV_URL, ENV_PASSWORD)}
    env[ENV_PASSWORD] = password
    return subprocess.run(
        [*CLI, "relay", "migrate-sqlite", "--from", str(source), "--database-url", url],
        capture_output=True,
        text=True,
        timeout=WAIT,
        env=env,
        check=False,
    )


def test_migrate_sqlite_copies_a_relay_that_then_carries_on_in_postgres(
    start_relay_hub: Callable[..., HubThread],
    start_relay: Callable[..., RelayProcess],
    postgres: PostgresServer,
    tmp_path: Path,
) -> None:
    data_dir = tmp_path / "sqlite-relay"
    embedded = start_relay_hub(data_dir=data_dir)
    api = Api(f"http://127.0.0.1:{embedded.port}")
    alice, bob = api.signed_up("alice"), api.signed_up("bob")
    assert alice.call("POST", "/api/rooms", json={"name": "ops", "topic": "pager"}).ok
    sent = [alice.sent(f"hello {n}") for n in range(3)] + [bob.sent("in ops", room="ops")]
    alice.call("PATCH", f"/api/rooms/general/messages/{sent[0]['id']}", json={"text": "edited"})
    alice.call("DELETE", f"/api/rooms/general/messages/{sent[1]['id']}")
    # Replies and reactions come along too (their own tables).
    body = {"text": "re", "client_id": "reply-1", "reply_to": sent[2]["id"]}
    assert bob.call("POST", "/api/rooms/general/messages", json=body).status_code == 201
    assert bob.call("PUT", f"/api/rooms/general/messages/{sent[2]['id']}/reactions/:+1:").ok
    dm = alice.call("POST", "/api/dms", json={"users": ["bob"]}).json()["dm"]
    bob.sent("between us", room=dm["name"])
    assert bob.user is not None
    mention = {"text": "hi @bob", "mentions": [bob.user["id"]]}
    assert alice.call("PATCH", f"/api/rooms/general/messages/{sent[2]['id']}", json=mention).ok
    assert alice.call("PUT", "/api/rooms/general/read", json={"message_id": 2}).ok
    read_state = alice.call("GET", "/api/read-state").json()
    before = {room: all_history(alice, room) for room in ("general", "ops", dm["name"])}
    changes = alice.call("GET", "/api/rooms/general/changes", params={"since": 0}).json()
    embedded.stop()

    url = postgres.url(postgres.new_database(empty=True))
    result = migrate(data_dir / "relay.sqlite3", url, postgres.password)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"copied 2 users, 2 sessions, 3 rooms, 6 messages, 0 used_once, 0 files, 0 thumbnails, "
        f"2 dm_members, 1 replies, 1 reactions, 1 message_mentions, 1 read_marks "
        f"from {data_dir / 'relay.sqlite3'} into {url}\n"
    )
    relay = start_relay("--database-url", url, password=postgres.password)
    moved = Api(relay.base, alice.token)  # the old session still works
    assert moved.call("GET", "/api/me").json()["user"] == alice.user
    assert {room: all_history(moved, room) for room in before} == before
    assert moved.call("GET", "/api/rooms/general/changes", params={"since": 0}).json() == changes
    assert moved.call("GET", "/api/read-state").json() == read_state
    assert moved.call("GET", "/api/rooms").json()["rooms"][1]["topic"] == "pager"
    assert moved.call("GET", "/api/dms").json()["dms"] == [dm]  # still theirs alone
    assert error_of(relay.api.signed_up("dave").history(dm["name"]), 404)
    assert relay.api.login("bob").status_code == 201  # the password hash came along
    assert moved.sent("next")["id"] == 5
    carol = relay.api.signed_up("carol")
    assert carol.user is not None
    assert carol.user["id"] == 4

    again = migrate(data_dir / "relay.sqlite3", url, postgres.password)
    assert again.returncode == 1
    assert "already holds 4 accounts" in again.stderr
    assert PASSWORD not in again.stderr


def test_serve_keeps_its_embedded_relay_in_postgres(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    database = postgres.new_database()
    env = {k: v for k, v in os.environ.items() if k not in (ENV_URL, ENV_PASSWORD)}
    env[ENV_PASSWORD] = postgres.password
    data_dir = tmp_path / "hub"
    args = [*CLI, "serve", "--port", "0", "--data-dir", str(data_dir)]
    with (tmp_path / "serve.stderr").open("w") as err:
        proc = subprocess.Popen(
            [*args, "--database-url", postgres.url(database)],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
            env=env,
        )
    try:
        assert proc.stdout is not None
        with ThreadPoolExecutor(1) as pool:
            line = pool.submit(proc.stdout.readline).result(timeout=WAIT)
        ready = re.match(r"desktopchat hub listening on ws://(\S+) ", line)
        assert ready is not None, (line, (tmp_path / "serve.stderr").read_text())
        Api(f"http://{ready[1]}").signed_up("alice")
        with postgres.admin(database) as conn:
            assert conn.execute("SELECT username FROM users").fetchall() == [("alice",)]
        assert not (data_dir / "relay.sqlite3").exists()
    finally:
        proc.terminate()
        assert proc.wait(timeout=WAIT) == 0
        assert proc.stdout is not None
        proc.stdout.close()
