"""Fixtures of the client's unit tests: a task runner, and a real relay hub where HTTP is tested.

The relay hub is the same real hub the integration tests start (relay mounted at ``/api/``
on port 0); it is replicated here rather than imported so these tests do not depend on the
integration suite's conftest.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from desktopchat.client.tasks import TaskRunner
from desktopchat.server.hub import HubConfig
from desktopchat.server.relay.service import RelayConfig
from desktopchat.server.runner import HubThread

PASSWORD = "correct horse battery"


@pytest.fixture
def relay_hub(hub_config: HubConfig, tmp_path: Path) -> Iterator[HubThread]:
    """A real hub with its relay, on a free loopback port; its data outside DESKTOPCHAT_HOME."""
    thread = HubThread(replace(hub_config, relay=RelayConfig(data_dir=tmp_path / "relay")))
    thread.start()
    yield thread
    thread.stop()


@pytest.fixture
def relay_url(relay_hub: HubThread) -> str:
    """The relay hub's base URL."""
    return f"http://127.0.0.1:{relay_hub.port}"


@pytest.fixture
def tasks(qtbot: QtBot) -> Iterator[TaskRunner]:
    """A worker pool delivering on the GUI thread; shut down (threads joined) after the test."""
    runner = TaskRunner()
    yield runner
    runner.shutdown(wait=True)
