"""Files from the client side, against the real relay hub: RelayClient, the outbox, the CLI.

Uploads stream from disk with progress and cancel; downloads land in a cache directory,
checked against their hash; a message with files waits in the outbox through a restart of
the app and through a hub restart that cuts an upload off, and lands once, whole.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktopchat.client.errors import ProtocolError
from desktopchat.client.outbox import OutboxState
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.transfers import FileTooLargeError, TransferCancelledError
from desktopchat.server.runner import HubThread
from tests.inbox import WAIT
from tests.integration.client.helpers import TIMEOUT_MS, Account, RestartableHub, run_cli
from tests.integration.conftest import Api, base_url


def big_file(path: Path, size: int) -> Path:
    """``size`` random bytes at ``path`` (random: nothing along the way compresses them)."""
    path.write_bytes(os.urandom(size))
    return path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_upload_and_download_round_trip_with_progress_and_cancel(
    alice: Account, tmp_path: Path
) -> None:
    source = big_file(tmp_path / "data.bin", 3 * 1024 * 1024 + 17)
    progress: list[tuple[int, int]] = []
    file = alice.client.upload(
        "general", source, progress=lambda done, total: progress.append((done, total))
    )
    assert (file.hash, file.size, file.type) == (
        sha256(source),
        source.stat().st_size,
        "application/octet-stream",
    )
    assert progress[-1] == (source.stat().st_size, source.stat().st_size)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)

    message = alice.client.send("general", "the data", "files-1", attachments=[file.id])
    [carried] = message.attachments
    assert carried == file
    cache = tmp_path / "cache"
    saved = alice.client.download(carried, cache)
    assert saved == cache / file.hash / "data.bin"
    assert sha256(saved) == file.hash
    assert alice.client.download(carried, cache) == saved  # cached: not fetched again

    with pytest.raises(TransferCancelledError):
        alice.client.upload("general", source, cancel=lambda: True)
    calls = iter(range(1000))
    with pytest.raises(TransferCancelledError):
        alice.client.download(carried, tmp_path / "other", cancel=lambda: next(calls) > 2)
    assert not any((tmp_path / "other").rglob("*.bin")), "no partial file under a real name"


def test_a_message_with_files_waits_in_the_outbox_through_a_restart_of_the_app(
    qtbot, open_session, tmp_path: Path, hub_server: RestartableHub, alice: Account
) -> None:
    data = tmp_path / "alice-data"
    shot, log = big_file(tmp_path / "shot.bin", 1000), tmp_path / "build.log"
    log.write_text("all green\n", encoding="utf-8")
    first = open_session(alice, data)
    hub_server.stop()
    first.outbox.enqueue("general", "two files", [shot, log])
    qtbot.waitUntil(
        lambda: bool(first.outbox.items()) and first.outbox.items()[0].error is not None,
        timeout=TIMEOUT_MS,
    )
    first.close()

    second = open_session(alice, data)
    [waiting] = second.outbox.items()
    assert waiting.files == (str(shot), str(log))
    hub_server.start()
    second.start()
    qtbot.waitUntil(lambda: second.outbox.items() == [], timeout=TIMEOUT_MS)
    [stored] = alice.client.history("general").messages
    assert stored.text == "two files"
    assert [(a.name, a.hash) for a in stored.attachments] == [
        ("shot.bin", sha256(shot)),
        ("build.log", sha256(log)),
    ]


def test_an_upload_cut_off_by_a_hub_restart_completes_after_it(
    qtbot, open_session, tmp_path: Path, hub_server: RestartableHub, alice: Account
) -> None:
    source = big_file(tmp_path / "big.bin", 8 * 1024 * 1024)
    session = open_session(alice)
    session.start()
    started, resume, calls = threading.Event(), threading.Event(), [0]

    def hold_the_first_upload(_client_id: str, _index: int, _done: int, _total: int) -> None:
        calls[0] += 1
        if calls[0] == 2:  # on the uploading thread, part way through the first attempt
            started.set()
            resume.wait(WAIT)

    session.outbox.upload_progress.connect(
        hold_the_first_upload, Qt.ConnectionType.DirectConnection
    )
    session.outbox.enqueue("general", "", [source])
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT_MS)
    hub_server.stop()
    resume.set()  # the rest of the body now goes to a closed port
    qtbot.waitUntil(
        lambda: bool(session.outbox.items()) and session.outbox.items()[0].error is not None,
        timeout=TIMEOUT_MS,
    )
    hub_server.start()
    qtbot.waitUntil(lambda: session.outbox.items() == [], timeout=3 * TIMEOUT_MS)
    [stored] = alice.client.history("general").messages
    [file] = stored.attachments
    assert (file.name, file.size, file.hash) == ("big.bin", source.stat().st_size, sha256(source))
    assert sha256(alice.client.download(file, tmp_path / "cache")) == file.hash


# --------------------------------------------------------------------------------- the CLI


@pytest.fixture
def user(api: Api) -> Api:
    """A user of the relay hub, with a session token."""
    return api.signed_up("dana")


@pytest.fixture
def token_env(cli_env: dict[str, str], user: Api) -> dict[str, str]:
    """CLI environment logged in through DESKTOPCHAT_TOKEN."""
    assert user.token is not None
    return {**cli_env, "DESKTOPCHAT_TOKEN": user.token}


def test_send_files_and_tail_shows_them(
    relay_hub: HubThread, user: Api, token_env: dict[str, str], tmp_path: Path, cli
) -> None:
    url = base_url(relay_hub)
    notes = tmp_path / "notes.txt"
    notes.write_text("remember the milk\n", encoding="utf-8")
    blob = big_file(tmp_path / "dump.bin", 2048)
    sent = run_cli(
        "send",
        "--server",
        url,
        "--file",
        str(notes),
        "--file",
        str(blob),
        "see these",
        env=token_env,
    )
    assert (sent.returncode, sent.stdout) == (0, "1\n"), sent.stderr
    only = run_cli("send", "--server", url, "--file", str(notes), env=token_env)
    assert (only.returncode, only.stdout) == (0, "2\n"), only.stderr
    missing = run_cli("send", "--server", url, "--file", str(tmp_path / "nope"), env=token_env)
    assert missing.returncode == 2
    assert "is not a file" in missing.stderr
    nothing = run_cli("send", "--server", url, env=token_env)
    assert nothing.returncode == 2

    as_json = cli("tail", "--server", url, "--json", env=token_env)
    records = [json.loads(line) for line in as_json.wait_stdout(2, "two JSON records")]
    assert [[a["name"] for a in r["attachments"]] for r in records] == [
        ["notes.txt", "dump.bin"],
        ["notes.txt"],
    ]
    assert records[0]["attachments"][1]["hash"] == sha256(blob)
    assert records[0]["attachments"][1]["size"] == 2048
    as_text = cli("tail", "--server", url, env=token_env)
    lines = as_text.wait_stdout(5, "two messages and three file lines")
    assert lines[0].endswith("dana: see these"), lines
    assert lines[1] == "  [file] notes.txt (text/plain, 18 B)"
    assert lines[2] == "  [file] dump.bin (application/octet-stream, 2.0 KB)"
    assert lines[3].endswith("dana:"), lines
    assert lines[4] == "  [file] notes.txt (text/plain, 18 B)"
    assert as_json.stop() == 0
    assert as_text.stop() == 0


def test_a_relay_client_never_sends_its_token_elsewhere(alice: Account, tmp_path: Path) -> None:
    file = alice.client.upload("general", big_file(tmp_path / "x.bin", 10))
    for url in ("http://example.invalid/x", "//example.invalid/api/x", "/elsewhere"):
        with pytest.raises(ProtocolError):
            alice.client.download(replace(file, url=url), tmp_path / "c")
    assert isinstance(alice.client, RelayClient)


def test_cancel_stops_an_upload_under_way_and_the_message_is_not_sent(
    qtbot, open_session, tmp_path: Path, alice: Account
) -> None:
    source = big_file(tmp_path / "big.bin", 4 * 1024 * 1024)
    session = open_session(alice)
    session.start()
    started, resume = threading.Event(), threading.Event()
    gone: list[OutboxState] = []
    session.outbox.changed.connect(lambda item: gone.append(item.state))

    def hold(_client_id: str, _index: int, _done: int, _total: int) -> None:
        if not started.is_set():
            started.set()
            resume.wait(WAIT)

    session.outbox.upload_progress.connect(hold, Qt.ConnectionType.DirectConnection)
    item = session.outbox.enqueue("general", "never", [source])
    qtbot.waitUntil(started.is_set, timeout=TIMEOUT_MS)
    session.outbox.cancel(item.client_id)
    resume.set()
    qtbot.waitUntil(lambda: OutboxState.DISCARDED in gone, timeout=TIMEOUT_MS)
    assert session.outbox.items() == []
    assert session.database.outbox() == []
    assert alice.client.history("general").messages == ()


def test_a_file_over_the_limit_is_refused_before_it_is_queued(
    open_session, tmp_path: Path, alice: Account
) -> None:
    session = open_session(alice)
    assert session.outbox.max_file_bytes == alice.login.server.max_file_bytes == 25 * 1024 * 1024
    session.outbox.max_file_bytes = 100
    with pytest.raises(FileTooLargeError):
        session.outbox.enqueue("general", "too big", [big_file(tmp_path / "x.bin", 101)])
    assert session.outbox.items() == []
    assert session.database.outbox() == []


def test_a_reply_with_files_carries_them_and_a_staged_file_goes_once_sent(
    qtbot, open_session, tmp_path: Path, alice: Account
) -> None:
    """The reply path used to drop files: the outbox had no way to queue a reply with them."""
    session = open_session(alice)
    session.start()
    original = alice.client.send("general", "send me the log", "orig-1")
    own = big_file(tmp_path / "app.log", 70_000)
    staged = session.staging.new_path("Pasted image 2026-12-01 16.45.12.png")
    staged.write_bytes(os.urandom(5000))
    assert session.staging.owns(staged)
    assert staged.is_relative_to(tmp_path / "client")  # under the data directory
    session.outbox.enqueue_reply("general", "here", original.id, [own, staged])
    qtbot.waitUntil(lambda: session.outbox.items() == [], timeout=TIMEOUT_MS)
    reply = alice.client.history("general").messages[-1]
    assert reply.reply_to is not None
    assert reply.reply_to.id == original.id
    assert [(a.name, a.hash) for a in reply.attachments] == [
        ("app.log", sha256(own)),
        ("Pasted image 2026-12-01 16.45.12.png", reply.attachments[1].hash),
    ]
    assert not staged.exists()  # its message is stored: the staged copy goes
    assert own.exists()  # the user's own file is never touched


def test_staged_files_a_crash_left_behind_are_swept_at_the_next_start(
    qtbot, open_session, tmp_path: Path, hub_server: RestartableHub, alice: Account
) -> None:
    data = tmp_path / "client"
    first = open_session(alice, data)
    queued = first.staging.new_path("Pasted image 2026-12-01 16.45.12.png")
    queued.write_bytes(os.urandom(1000))
    orphan = first.staging.new_path("Pasted image 2026-12-01 16.45.13.png")
    orphan.write_bytes(os.urandom(1000))  # pasted, never sent: the app then crashed
    hub_server.stop()
    first.outbox.enqueue("general", "waits", [queued])
    first.close()
    second = open_session(alice, data)
    assert queued.exists()  # its message still waits in the outbox
    assert not orphan.exists()
    assert not orphan.parent.exists()
    assert second.staging.directory == first.staging.directory
