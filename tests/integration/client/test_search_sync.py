"""Search on the client: the local index follows the relay (live, and after a hub restart,
on two devices of one user), and ``desktopchat search`` falls back to it offline."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from desktopchat.client.realtime import ConnectionState
from desktopchat.client.search import search_local, search_online
from desktopchat.client.session import ChatSession
from tests.integration.client.helpers import (
    TIMEOUT_MS,
    Account,
    Recorder,
    RestartableHub,
    run_cli,
)
from tests.integration.conftest import PASSWORD


def watching(qtbot, session: ChatSession) -> Recorder:
    recorder = Recorder(session)
    with qtbot.waitSignal(session.bridge.subscribed, timeout=TIMEOUT_MS):
        session.sync.watch(general_of(session))
        session.start()
    return recorder


def general_of(session: ChatSession):
    client = session.login.relay_client()
    try:
        return next(room for room in client.rooms() if room.name == "general")
    finally:
        client.close()


def local_ids(session: ChatSession, query: str) -> list[int]:
    return [hit.message.id for hit in search_local(session.database, query).hits]


def send(account: Account, text: str) -> int:
    return account.client.send("general", text, f"t-{uuid.uuid4().hex}").id


def test_an_edit_made_while_away_is_found_by_its_new_text_on_both_devices(
    qtbot, open_session, *, tmp_path: Path, hub_server: RestartableHub, alice: Account, bob: Account
) -> None:
    laptop = open_session(alice, tmp_path / "laptop")
    recorder = watching(qtbot, laptop)
    edited, gone = send(bob, "the bikeshed colour"), send(bob, "bikeshed secret")
    qtbot.waitUntil(lambda: recorder.ids == [edited, gone], timeout=TIMEOUT_MS)
    assert local_ids(laptop, "bikeshed") == [gone, edited]

    hub_server.stop()
    qtbot.waitUntil(lambda: recorder.states.count(ConnectionState.OFFLINE) >= 1, timeout=TIMEOUT_MS)
    hub_server.start()  # the event loop does not run until the next wait: still away
    bob.client.edit("general", edited, "the bikeshed hue")
    bob.client.delete("general", gone)

    qtbot.waitUntil(lambda: len(recorder.changed) == 2, timeout=TIMEOUT_MS)
    assert [m.id for m in recorder.changed] == [edited, gone], "each change once, in order"
    assert local_ids(laptop, "hue") == [edited]
    assert local_ids(laptop, "colour") == []
    assert local_ids(laptop, "secret") == []

    # A second device of alice's, new: history brings the current text only.
    phone = open_session(alice, tmp_path / "phone")
    watching(qtbot, phone)
    qtbot.waitUntil(lambda: local_ids(phone, "bikeshed") == [edited], timeout=TIMEOUT_MS)
    # And the relay agrees, for alice and for bob.
    for account in (alice, bob):
        online = search_online(account.client, "bikeshed")
        assert [hit.message.id for hit in online.hits] == [edited]
        hit = online.hits[0]
        assert [hit.message.text[a:b] for a, b in hit.highlights] == ["bikeshed"]


def cli_env(desktopchat_home: Path, token: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("DESKTOPCHAT_")}
    env.update(DESKTOPCHAT_HOME=str(desktopchat_home), DESKTOPCHAT_NO_KEYRING="1")
    env["DESKTOPCHAT_TOKEN"] = token
    return env


def test_cli_searches_the_relay_and_falls_back_to_the_local_copy_offline(
    qtbot, open_session, desktopchat_home: Path, hub_server: RestartableHub, alice: Account
) -> None:
    session = open_session(alice, desktopchat_home / "data")  # where the CLI looks
    recorder = watching(qtbot, session)
    first = send(alice, "deploy finished")
    qtbot.waitUntil(lambda: recorder.ids == [first], timeout=TIMEOUT_MS)
    session.close()
    later = send(alice, "deploy started again")  # the relay has it; this computer does not
    env = cli_env(desktopchat_home, alice.token)
    # `login` remembers the profile (who uses that server), as a user does once.
    login = run_cli(
        "login",
        "--server",
        hub_server.url,
        "--username",
        "alice",
        "--password-stdin",
        env=env,
        stdin=PASSWORD + "\n",
    )
    assert login.returncode == 0, login.stderr

    online = run_cli("search", "--server", hub_server.url, "--json", "deploy", env=env)
    assert online.returncode == 0, online.stderr
    records = [json.loads(line) for line in online.stdout.splitlines()]
    assert [(r["room"], r["id"]) for r in records] == [("general", later), ("general", first)]
    assert records[1]["highlights"] == [[0, 6]]
    assert "copy" not in online.stderr

    hub_server.stop()
    offline = run_cli("search", "--server", hub_server.url, "--json", "deploy", env=env)
    assert offline.returncode == 0, offline.stderr
    assert [json.loads(line)["id"] for line in offline.stdout.splitlines()] == [first]
    assert "searching this computer's copy of the messages only" in offline.stderr

    text = run_cli("search", "--server", hub_server.url, "finished", env=env)
    assert text.returncode == 0, text.stderr
    assert text.stdout.endswith("#general #1 alice: deploy finished\n"), text.stdout

    bad = run_cli("search", "--server", hub_server.url, '"unclosed', env=env)
    assert bad.returncode == 2
    assert "closing" in bad.stderr


def test_an_edit_queued_offline_in_the_outbox_is_searchable_once_the_relay_stored_it(
    qtbot, open_session, *, tmp_path: Path, hub_server: RestartableHub, alice: Account
) -> None:
    session = open_session(alice, tmp_path / "laptop")
    recorder = watching(qtbot, session)
    mine = send(alice, "draft wording")
    qtbot.waitUntil(lambda: recorder.ids == [mine], timeout=TIMEOUT_MS)
    hub_server.stop()
    qtbot.waitUntil(lambda: recorder.states.count(ConnectionState.OFFLINE) >= 1, timeout=TIMEOUT_MS)
    session.outbox.enqueue_edit("general", mine, "final wording")
    # Queued, not stored: this computer's copy (and so its index) still has the old text.
    assert local_ids(session, "draft") == [mine]
    hub_server.start()
    qtbot.waitUntil(lambda: session.outbox.items() == [], timeout=TIMEOUT_MS)
    qtbot.waitUntil(lambda: local_ids(session, "final") == [mine], timeout=TIMEOUT_MS)
    assert local_ids(session, "draft") == []
    assert [h.message.id for h in search_online(alice.client, "final").hits] == [mine]
