"""The relay's database is private (0600, with its -wal and -shm) whatever its directory."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktopchat.server.relay.service import DATABASE_FILE
from desktopchat.server.runner import HubThread
from tests.integration.conftest import Api, base_url

#: What these tests look at (files in the data dir, SQLite's size cap) is SQLite's alone.
pytestmark = pytest.mark.relay_stores("sqlite")


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A umask that lets files be created readable by all, as on many desktops (022)."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def database_files(data_dir: Path) -> list[Path]:
    return [data_dir / (DATABASE_FILE + suffix) for suffix in ("", "-wal", "-shm")]


@pytest.mark.usefixtures("open_umask")
def test_the_database_is_0600_in_a_world_readable_data_dir(
    start_relay_hub: Callable[..., HubThread], tmp_path: Path
) -> None:
    data_dir = tmp_path / "shared"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    hub = start_relay_hub(data_dir=data_dir)
    Api(base_url(hub)).signed_up("alice").sent("written to the WAL")
    files = database_files(data_dir)
    assert all(file.exists() for file in files), sorted(p.name for p in data_dir.iterdir())
    assert {file.name: oct(mode(file)) for file in files} == {file.name: "0o600" for file in files}
    assert mode(data_dir) == 0o755, "the user's own directory is left as it was"


@pytest.mark.usefixtures("open_umask")
def test_a_database_left_world_readable_is_made_private(
    start_relay_hub: Callable[..., HubThread], tmp_path: Path
) -> None:
    data_dir = tmp_path / "old"
    data_dir.mkdir(mode=0o755)
    first = start_relay_hub(data_dir=data_dir)
    Api(base_url(first)).signed_up("alice")
    first.stop()
    for file in database_files(data_dir):
        if file.exists():
            file.chmod(0o644)
    hub = start_relay_hub(data_dir=data_dir)
    Api(base_url(hub)).signed_up("bob").sent("hi")
    assert {oct(mode(file)) for file in database_files(data_dir)} == {"0o600"}
