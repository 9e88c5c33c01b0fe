"""Opening a session on the embedded hub: started on demand, shared, and logged in locally.

``open_login`` is what the window, ``tail`` and ``send`` call first. With the embedded profile
it starts ``desktopchat serve`` as its own process when nothing answers on the embedded port,
then logs in as the local user by proving it can read the hub's secret file.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktopchat.client.credentials import MemoryTokenStore
from desktopchat.client.embedded import local_identity
from desktopchat.client.errors import DesktopChatError
from desktopchat.client.login import Login, open_login
from desktopchat.client.settings import default_settings
from desktopchat.paths import AppDirs
from tests.integration.client.helpers import (
    embedded_hub_pids,
    free_port,
    stop_embedded_hubs,
    wait_for_one_hub,
)

# ensure_hub lets go of the Popen of the hub it starts (the hub outlives the client on
# purpose); in-process, as here and in the window, that is a ResourceWarning.
pytestmark = pytest.mark.filterwarnings(r"ignore:subprocess \d+ is still running:ResourceWarning")


def app_dirs_in(root: Path) -> AppDirs:
    """The four directories, under ``root`` (as DESKTOPCHAT_HOME would put them)."""
    return AppDirs(root / "config", root / "data", root / "cache", root / "logs")


@pytest.fixture
def homes(tmp_path: Path) -> Iterator[list[AppDirs]]:
    """Fresh homes; any hub started in one is stopped after the test."""
    made: list[AppDirs] = []
    yield made
    for dirs in made:
        stop_embedded_hubs(dirs.data / "hub")
    # The hubs' Popen objects sit in reference cycles (via exception tracebacks): reap them
    # now, while their processes are known to be gone, rather than at some later test.
    gc.collect()


def test_the_first_login_starts_the_hub_and_later_ones_share_it(
    homes: list[AppDirs], tmp_path: Path
) -> None:
    dirs = app_dirs_in(tmp_path / "home")
    homes.append(dirs)
    settings = default_settings()
    settings = type(settings)(settings.profiles, settings.current, free_port())
    store = MemoryTokenStore()

    login = open_login(dirs, settings, settings.profile, store)
    assert login.user.username == local_identity()[0]
    assert login.server_url == f"http://127.0.0.1:{settings.embedded_port}"
    assert login.server.port == settings.embedded_port
    (hub,) = embedded_hub_pids(dirs.data / "hub")

    again = open_login(dirs, settings, settings.profile, store)
    assert again.token == login.token, "the remembered token is reused"
    other = open_login(dirs, settings, settings.profile, MemoryTokenStore())
    assert other.user == login.user, "a second client logs in as the same local user"
    assert embedded_hub_pids(dirs.data / "hub") == [hub], "and shares the one hub"


@pytest.mark.parametrize("attempt", range(3))
def test_clients_starting_the_hub_at_the_same_moment_all_log_in(
    homes: list[AppDirs], tmp_path: Path, attempt: int
) -> None:
    """A window and a ``tail`` started together on a fresh machine, say.

    Each finds no hub and starts one; one binds the port, the others exit, and every client
    must then log in to the one that runs. (The race is timing-dependent: several attempts.)
    """
    dirs = app_dirs_in(tmp_path / "home")
    homes.append(dirs)
    settings = default_settings()
    settings = type(settings)(settings.profiles, settings.current, free_port())
    clients = 4
    barrier = threading.Barrier(clients)
    logins: list[Login] = []
    errors: list[str] = []

    def start() -> None:
        barrier.wait()
        try:
            logins.append(open_login(dirs, settings, settings.profile, MemoryTokenStore()))
        except DesktopChatError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=start) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    running = wait_for_one_hub(dirs.data / "hub")
    hub_log = (dirs.logs / "hub.log").read_text(encoding="utf-8", errors="replace")
    assert errors == [], f"{errors}; hub log:\n{hub_log}"
    assert len(logins) == clients
    assert len(running) == 1
