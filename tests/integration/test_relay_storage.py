"""The relay when its storage fails: a full disk, a data dir that cannot be written.

The disk is made full for real, without mounting anything: SQLite's own size cap
(``PRAGMA max_page_count``) makes every write that needs a new page fail with SQLITE_FULL,
the same error a full disk gives, and raising the cap is space coming back.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from desktopchat.server.relay.sqlite_store import SqliteStore
from desktopchat.server.runner import HubThread
from tests.inbox import WAIT
from tests.integration.conftest import Api, error_of

#: What these tests look at (files in the data dir, SQLite's size cap) is SQLite's alone.
pytestmark = pytest.mark.relay_stores("sqlite")

#: Sends that must fill the capped database (each message is up to 8 KB of text).
MAX_SENDS = 100


def store_of(hub: HubThread) -> SqliteStore:
    relay = hub.running.relay
    assert relay is not None
    return relay.store


def test_a_full_disk_answers_507_keeps_serving_and_recovers(relay_hub: HubThread, api: Api) -> None:
    alice = api.signed_up("alice")
    alice.sent("before the disk filled")
    store = store_of(relay_hub)
    relay_hub.call(lambda: store.limit_size(store.size()))

    failed = None
    for _ in range(MAX_SENDS):
        client_id = uuid.uuid4().hex
        response = alice.send("x" * 8000, client_id=client_id)
        if response.status_code != 201:
            failed = client_id
            break
    assert failed is not None, f"{MAX_SENDS} sends of 8 KB fitted under the cap"
    error = error_of(response, 507)
    assert error["code"] == "storage_full"
    assert "rollback" not in error["message"]
    stored = alice.history(limit=200).json()["messages"]

    # Reads, logins and the Pusher side still work while the disk is full.
    assert api.login("alice").status_code in (201, 507)
    assert alice.call("GET", "/api/rooms").status_code == 200
    assert alice.call("GET", "/api/config").status_code == 200

    relay_hub.call(lambda: store.limit_size(None))  # space is back
    retried = alice.send("x" * 8000, client_id=failed)
    assert retried.status_code == 201, retried.text
    after = alice.history(limit=200).json()["messages"]
    assert [m["id"] for m in after] == list(range(1, len(stored) + 2))
    assert after[-1]["client_id"] == failed


def serve(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``desktopchat serve`` on ``data_dir``, expected to exit at once."""
    return subprocess.run(
        [sys.executable, "-m", "desktopchat", "serve", "--port", "0", "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )


@pytest.mark.parametrize(
    "layout",
    ["data-dir-is-a-file", "parent-is-a-file", "database-is-a-directory"],
)
def test_a_data_dir_that_cannot_be_written_is_one_clear_line(tmp_path: Path, layout: str) -> None:
    # chmod does not stop root (CI runs as root), so the obstacles are files in the way.
    if layout == "data-dir-is-a-file":
        data_dir = tmp_path / "hub"
        data_dir.write_text("not a directory\n")
    elif layout == "parent-is-a-file":
        (tmp_path / "parent").write_text("not a directory\n")
        data_dir = tmp_path / "parent" / "hub"
    else:
        data_dir = tmp_path / "hub"
        (data_dir / "relay.sqlite3").mkdir(parents=True)

    result = serve(data_dir)

    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("desktopchat serve: "), lines[0]
    assert str(data_dir) in lines[0], lines[0]
