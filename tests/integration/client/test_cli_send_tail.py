"""``desktopchat send`` and ``tail`` as a user runs them: real processes, real hubs.

With nothing configured both use the hub embedded on this machine, starting it (as its own
process, which outlives them) when none answers; here its port is a free one written to
the test's settings, so a real hub on 6001 is never touched. With ``--server`` they talk to
a relay hub running in the test process.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from desktopchat.client.relay_client import RelayClient
from desktopchat.server.relay.limits import MAX_TEXT_BYTES
from desktopchat.server.runner import HubThread
from tests.inbox import WAIT
from tests.integration.client.helpers import (
    Account,
    RestartableHub,
    embedded_hub_pids,
    error_lines,
    free_port,
    run_cli,
    terminate_and_wait,
    wait_for_one_hub,
)
from tests.integration.conftest import PASSWORD, Api, base_url

CONNECTED = "desktopchat: connected"
TEXT_LINE = re.compile(r"\[\d\d:\d\d\] #(?P<id>\d+) (?P<author>.+?): (?P<text>.*)")


def parsed(lines: list[str]) -> list[tuple[int, str]]:
    """``(id, text)`` of tail's text lines, asserting each has the documented shape."""
    result = []
    for line in lines:
        match = TEXT_LINE.fullmatch(line)
        assert match, f"not a tail line: {line!r}"
        result.append((int(match["id"]), match["text"]))
    return result


@pytest.fixture
def embedded_port(desktopchat_home: Path) -> int:
    """A fresh home whose only setting is a free port for the embedded hub."""
    port = free_port()
    config = desktopchat_home / "config"
    config.mkdir(parents=True)
    (config / "settings.toml").write_text(f"embedded_port = {port}\n", encoding="utf-8")
    return port


@pytest.fixture
def hub_data(desktopchat_home: Path) -> Path:
    """Where the embedded hub keeps its state (how its processes are found)."""
    return desktopchat_home / "data" / "hub"


def send_ok(env: dict[str, str], text: str, *options: str) -> int:
    """``desktopchat send TEXT``, asserting success; the id it printed."""
    result = run_cli("send", *options, text, env=env)
    assert result.returncode == 0, result.stderr
    assert error_lines(result.stderr) == [], result.stderr
    assert re.fullmatch(r"\d+\n", result.stdout), result.stdout
    return int(result.stdout)


# ------------------------------------------------------------- the embedded hub, untouched


def test_tail_and_send_work_on_a_fresh_home_with_no_setup(
    cli, cli_env, embedded_port: int, hub_data: Path
) -> None:
    # Both start together: each finds no hub, and both may try to start one.
    tail = cli("tail", env=cli_env)
    assert send_ok(cli_env, "hi") == 1
    tail.wait_stderr(CONNECTED, timeout=3 * WAIT)
    assert send_ok(cli_env, "hi again") == 2

    lines = tail.wait_stdout(2, "both messages on tail's stdout")
    assert parsed(lines) == [(1, "hi"), (2, "hi again")]
    assert len(wait_for_one_hub(hub_data)) == 1, "exactly one hub, left running for others"
    assert tail.stop() == 0, "SIGTERM ends tail cleanly"
    assert tail.stdout.items == lines
    assert f"127.0.0.1:{embedded_port}" in (hub_data.parent.parent / "logs" / "hub.log").read_text()


def test_tail_survives_the_hub_going_away_and_prints_each_message_once(
    cli, cli_env, embedded_port: int, hub_data: Path
) -> None:
    tail = cli("tail", env=cli_env)
    tail.wait_stderr(CONNECTED, timeout=3 * WAIT)
    send_ok(cli_env, "before-1")
    send_ok(cli_env, "before-2")
    tail.wait_stdout(2, "the first two messages")

    (hub,) = embedded_hub_pids(hub_data)
    terminate_and_wait(hub)
    tail.wait_stderr_containing("desktopchat: offline")
    # The first send finds no hub and starts a new one; tail finds it by its own back-off.
    for text in ("after-1", "after-2", "after-3"):
        send_ok(cli_env, text)
    (restarted,) = embedded_hub_pids(hub_data)
    assert restarted != hub

    lines = tail.wait_stdout(5, "all five messages", timeout=3 * WAIT)
    tail.wait_stderr(CONNECTED, count=2, timeout=3 * WAIT)
    sentinel = send_ok(cli_env, "sentinel")
    lines = tail.wait_stdout(6, "the sentinel")
    assert parsed(lines) == list(
        enumerate(["before-1", "before-2", "after-1", "after-2", "after-3", "sentinel"], 1)
    )
    assert sentinel == 6
    assert tail.stop() == 0


# ------------------------------------------------------------------- against a --server


@pytest.fixture
def user(api: Api) -> Api:
    """A user of the relay hub, with a session token."""
    return api.signed_up("dana")


@pytest.fixture
def token_env(cli_env: dict[str, str], user: Api) -> dict[str, str]:
    """CLI environment logged in through DESKTOPCHAT_TOKEN (as bots and CI jobs are)."""
    assert user.token is not None
    return {**cli_env, "DESKTOPCHAT_TOKEN": user.token}


def one_error(result: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """Assert a run failed (exit 1) saying one line on stderr with ``fragments``; that line."""
    assert result.returncode == 1, result
    assert result.stdout == "", result.stdout
    lines = error_lines(result.stderr)
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def test_send_prints_the_id_and_reads_stdin(relay_hub: HubThread, user: Api, token_env) -> None:
    url = base_url(relay_hub)
    assert send_ok(token_env, "from the command line", "--server", url) == 1
    piped = run_cli("send", "--server", url, "-", env=token_env, stdin="from stdin\n")
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout == "2\n"
    texts = [m["text"] for m in user.history().json()["messages"]]
    assert texts == ["from the command line", "from stdin"]


def test_send_reply_to_sends_a_reply_and_a_wrong_id_fails_with_one_line(
    relay_hub: HubThread, user: Api, token_env
) -> None:
    url = base_url(relay_hub)
    assert send_ok(token_env, "the question", "--server", url) == 1
    assert send_ok(token_env, "the answer", "--server", url, "--reply-to", "1") == 2
    reply = user.history().json()["messages"][-1]
    assert reply["reply_to"]["id"] == 1
    assert reply["reply_to"]["excerpt"] == "the question"
    missing = run_cli("send", "--server", url, "--reply-to", "99", "lost", env=token_env)
    assert "not in this room" in one_error(missing)


def test_send_fails_with_one_clear_line(relay_hub: HubThread, cli_env, token_env) -> None:
    url = base_url(relay_hub)
    nobody = f"http://127.0.0.1:{free_port()}"
    one_error(run_cli("send", "--server", nobody, "hi", env=cli_env), "cannot reach", nobody)
    wrong_room = run_cli("send", "--server", url, "--room", "nowhere", "hi", env=token_env)
    assert "no such room" in one_error(wrong_room).lower()
    oversize = run_cli(
        "send", "--server", url, "-", env=token_env, stdin="x" * (MAX_TEXT_BYTES + 1)
    )
    one_error(oversize, str(MAX_TEXT_BYTES))
    one_error(
        run_cli("send", "--server", url, "hi", env=cli_env),
        f"not logged in to {url}",
        "desktopchat login",
    )


def test_send_waits_for_a_hub_that_is_restarting(
    hub_server: RestartableHub, alice: Account, cli_env, cli
) -> None:
    # The relay is down when send starts: opening the session (GET /api/config) fails
    # first, and must be retried like the send itself, not end the command at once.
    env = {**cli_env, "DESKTOPCHAT_TOKEN": alice.token}
    hub_server.stop()
    sender = cli("-v", "send", "--server", hub_server.url, "through a restart", env=env)
    sender.wait_stderr_containing("INFO desktopchat.commands.send: retrying in")
    hub_server.start()
    assert sender.proc.wait(3 * WAIT) == 0, sender.stderr.items
    [printed] = sender.wait_stdout(1, "the new message's id")
    stored = alice.client.history("general").messages
    assert [(m.id, m.text) for m in stored] == [(int(printed), "through a restart")]


def subscribers(hub: HubThread, channel: str) -> int:
    """How many sockets the hub has subscribed to ``channel`` right now."""
    count = hub.call(lambda: hub.running.hub.core.subscription_count(channel))
    assert isinstance(count, int)
    return count


def test_tail_json_and_text_output(qtbot, relay_hub: HubThread, user: Api, token_env, cli) -> None:
    url = base_url(relay_hub)
    # One after the other: two clients creating the local database at the same moment is
    # test_local_database's subject.
    as_json = cli("tail", "--server", url, "--json", env=token_env)
    as_json.wait_stderr(CONNECTED)
    as_text = cli("tail", "--server", url, env=token_env)
    as_text.wait_stderr(CONNECTED)
    # Edits must come as events, so both must be subscribed before anything is sent (an
    # edit made before that is only seen as the current text in the catch-up).
    qtbot.waitUntil(
        lambda: subscribers(relay_hub, "private-room-general") == 2, timeout=int(WAIT * 1000)
    )

    plain = user.sent("plain")
    ansi = user.sent("\x1b[31mred\x1b[0m \u202eevil")
    client = RelayClient(url, user.token)
    try:
        client.edit("general", plain["id"], "plain, edited")
        client.delete("general", ansi["id"])
    finally:
        client.close()

    records = [json.loads(line) for line in as_json.wait_stdout(4, "four JSON records")]
    for record in records:
        assert {"id", "room", "author", "text", "sent_at", "type"} <= set(record), record
        assert record["room"] == "general"
        assert record["author"]["display_name"] == "dana"
    assert [(r["type"], r["id"], r["text"]) for r in records] == [
        ("message", 1, "plain"),
        ("message", 2, "\x1b[31mred\x1b[0m \u202eevil"),
        ("edit", 1, "plain, edited"),
        ("delete", 2, ""),
    ]
    assert records[3]["deleted"] is True
    assert all("\x1b" not in line for line in as_json.stdout.items)

    lines = as_text.wait_stdout(4, "four text lines")
    assert lines[1].endswith(r"dana: \x1b[31mred\x1b[0m \u202eevil"), lines[1]
    assert all("\x1b" not in line and "\u202e" not in line for line in lines)
    assert lines[2].endswith("dana: (edited) plain, edited"), lines[2]
    assert lines[3].endswith("#2 dana: (deleted)"), lines[3]
    assert as_json.stop() == 0
    assert as_text.stop() == 0


def test_register_login_logout_with_a_password_on_stdin(
    relay_hub: HubThread, keyring_env: dict[str, str]
) -> None:
    url = base_url(relay_hub)
    env = keyring_env

    def account_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return run_cli(*args, "--server", url, env=env, stdin=stdin)

    registered = account_cli(
        "register", "--username", "erin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert registered.returncode == 0, registered.stderr
    assert registered.stdout == f"registered and logged in as erin on {url}\n"
    assert send_ok(env, "registered", "--server", url) == 1

    out = account_cli("logout")
    assert (out.returncode, out.stdout) == (0, f"logged out of {url}\n"), out.stderr
    one_error(account_cli("send", "after logout"), f"not logged in to {url}")

    wrong = account_cli(
        "login", "--username", "erin", "--password-stdin", stdin="not the password\n"
    )
    one_error(wrong, "Wrong username or password")
    one_error(account_cli("send", "after a wrong password"), f"not logged in to {url}")

    logged_in = account_cli(
        "login", "--username", "erin", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert logged_in.returncode == 0, logged_in.stderr
    assert logged_in.stdout == f"logged in as erin on {url}\n"
    assert send_ok(env, "logged in again", "--server", url) == 2
    assert account_cli("logout").returncode == 0
    one_error(account_cli("send", "after the second logout"), "not logged in")
