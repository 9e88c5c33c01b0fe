"""Direct messages through the client core and the CLI: real hub, relay, pysher, sessions.

Two users and two devices of one of them; a DM started while a device was away appears
when it is back (once); a DM message written offline waits in the outbox and lands once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from desktopchat.client.direct import DirectMessage
from desktopchat.client.realtime import ConnectionState
from desktopchat.client.session import ChatSession
from tests.integration.client.helpers import (
    TIMEOUT_MS,
    Account,
    Recorder,
    RestartableHub,
    error_lines,
    run_cli,
)


def started(
    qtbot, open_session: Callable[..., ChatSession], account: Account, data_dir: Path | None = None
):
    """A started session whose own user channel is subscribed (so it hears dm-created) and
    which has the relay's list of DMs (nothing is in flight when a test stops the hub)."""
    session = open_session(account, data_dir=data_dir)
    channel = f"private-user-{account.login.user.id}"
    with qtbot.waitSignals(
        [session.bridge.subscribed, session.direct.listed],
        timeout=TIMEOUT_MS,
        check_params_cbs=[lambda c: c == channel, None],
    ):
        session.start()
    return session


def names(session: ChatSession) -> list[str]:
    return [dm.name for dm in session.direct.all()]


def test_a_new_dm_reaches_both_devices_of_the_other_user_live(
    qtbot, open_session, alice: Account, bob: Account, tmp_path: Path
) -> None:
    desk = started(qtbot, open_session, bob, tmp_path / "desk")
    laptop = started(qtbot, open_session, bob, tmp_path / "laptop")
    added: list[DirectMessage] = []
    desk.direct.added.connect(added.append)
    dm = alice.client.start_direct(["bob"])
    qtbot.waitUntil(
        lambda: names(desk) == [dm.name] and names(laptop) == [dm.name], timeout=TIMEOUT_MS
    )
    assert added == [dm]
    assert dm.title(bob.login.user.id) == "alice"
    # Messages in it are a room's: the sync engine follows it like any other.
    recorder = Recorder(laptop)
    laptop.sync.watch(dm.room)
    alice.client.send(dm.name, "hi Bob", "c-1")
    qtbot.waitUntil(lambda: recorder.texts == ["hi Bob"], timeout=TIMEOUT_MS)
    # Known from the local database at the next start, before the relay answers.
    assert [d.name for d in laptop.database.direct_messages()] == [dm.name]
    assert added == [dm], "announced once"


def test_a_dm_started_while_the_device_was_away_shows_once_it_is_back(
    qtbot, open_session, hub_server: RestartableHub, alice: Account, bob: Account
) -> None:
    session = started(qtbot, open_session, bob)
    recorder = Recorder(session)
    added: list[DirectMessage] = []
    session.direct.added.connect(added.append)
    hub_server.stop()
    qtbot.waitUntil(lambda: ConnectionState.OFFLINE in recorder.states, timeout=TIMEOUT_MS)
    # The event loop does not run until the next wait: the DM is made (and announced)
    # while Bob's session is certainly not subscribed; only the listing can tell him.
    hub_server.start()
    dm = alice.client.start_direct(["bob"])
    assert session.bridge.state is not ConnectionState.CONNECTED
    qtbot.waitUntil(lambda: names(session) == [dm.name], timeout=TIMEOUT_MS)
    assert added == [dm]


def test_a_dm_message_written_offline_waits_in_the_outbox_and_lands_once(
    qtbot, open_session, hub_server: RestartableHub, alice: Account, bob: Account
) -> None:
    dm = alice.client.start_direct(["bob"])
    session = started(qtbot, open_session, alice)
    qtbot.waitUntil(lambda: names(session) == [dm.name], timeout=TIMEOUT_MS)
    recorder = Recorder(session)
    # Its first catch-up done: the hub is not stopped with requests of it half answered.
    with qtbot.waitSignal(
        session.sync.catching_up,
        timeout=TIMEOUT_MS,
        check_params_cb=lambda room, running: room == dm.name and not running,
    ):
        session.sync.watch(dm.room)
    hub_server.stop()
    qtbot.waitUntil(lambda: ConnectionState.OFFLINE in recorder.states, timeout=TIMEOUT_MS)
    session.outbox.enqueue(dm.name, "written on the train")
    assert [row.room for row in session.database.outbox()] == [dm.name]
    hub_server.start()
    qtbot.waitUntil(lambda: not session.outbox.items(), timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: recorder.texts == ["written on the train"], timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: session.bridge.state is ConnectionState.CONNECTED, timeout=TIMEOUT_MS)
    stored = bob.client.history(dm.name, after=0).messages
    assert [m.text for m in stored] == ["written on the train"]


def test_send_to_and_tail_to_a_user(
    hub_server: RestartableHub, alice: Account, bob: Account, cli_env, cli
) -> None:
    bob_env = {**cli_env, "DESKTOPCHAT_TOKEN": bob.token}
    alice_env = {**cli_env, "DESKTOPCHAT_TOKEN": alice.token}
    tail = cli("tail", "--server", hub_server.url, "--to", "alice", env=bob_env)
    tail.wait_stderr("desktopchat: connected")
    sent = run_cli("send", "--server", hub_server.url, "--to", "bob", "psst", env=alice_env)
    assert sent.returncode == 0, sent.stderr
    assert sent.stdout == "1\n"
    [line] = tail.wait_stdout(1, "the DM line")
    assert line.endswith("#1 alice: psst"), line
    [dm] = alice.client.direct_messages()
    assert [m.text for m in bob.client.history(dm.name).messages] == ["psst"]
    assert alice.client.history("general").messages == ()
    assert tail.stop() == 0
    nobody = run_cli("send", "--server", hub_server.url, "--to", "nobody", "hi", env=alice_env)
    assert nobody.returncode == 1
    [error] = error_lines(nobody.stderr)
    assert "no user 'nobody'" in error.lower(), error
