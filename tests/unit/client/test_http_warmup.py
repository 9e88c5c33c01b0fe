"""Which starts import the HTTP stack early: those that must ask the relay before painting."""

from __future__ import annotations

from pathlib import Path

from desktopchat.client import http_warmup
from desktopchat.client.cache import database_path
from desktopchat.client.settings import Profile, Settings, default_settings
from desktopchat.paths import AppDirs


def dirs_in(tmp_path: Path) -> AppDirs:
    return AppDirs(tmp_path / "config", tmp_path / "data", tmp_path / "cache", tmp_path / "logs")


def test_only_a_start_with_no_local_history_goes_to_the_relay_first(tmp_path: Path) -> None:
    dirs = dirs_in(tmp_path)
    settings: Settings = default_settings()
    remote = Profile("work", "https://chat.example.org", "alice")
    assert http_warmup.needs_relay_first(dirs, settings, remote)  # nothing saved yet
    assert http_warmup.needs_relay_first(dirs, settings, Profile("x", remote.server, None))
    saved = database_path(dirs.data, settings.server_url(remote), "alice")
    saved.parent.mkdir(parents=True)
    saved.touch()
    assert not http_warmup.needs_relay_first(dirs, settings, remote)  # a warm start
    embedded = settings.for_server(None)
    assert embedded.embedded
    assert http_warmup.needs_relay_first(dirs, settings, embedded)


def test_the_warm_up_imports_requests_on_its_own_thread() -> None:
    thread = http_warmup.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert thread.daemon  # never keeps a closing app alive
