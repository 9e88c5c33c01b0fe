"""Start at login: the XDG autostart entry the Settings switch writes, and what it runs."""

from __future__ import annotations

import os
from pathlib import Path

from desktopchat import cli
from desktopchat.xdg import autostart, entry
from tests.packaging.test_desktop_entry import exec_argv


def test_enable_writes_a_valid_autostart_entry_that_starts_in_the_tray() -> None:
    path = autostart.enable()
    assert path == Path(os.environ["XDG_CONFIG_HOME"]) / "autostart" / "desktopchat.desktop"
    assert autostart.enabled()
    assert entry.validate(path) == ""
    argv = exec_argv(path)
    assert argv[-1] == "--start-in-tray"
    assert "X-GNOME-Autostart-enabled=true" in path.read_text()
    # `desktopchat --start-in-tray` is the window command with that flag.
    parser = cli.build_parser()
    assert cli._wants_window(parser, argv[1:])
    assert parser.parse_args(["window", *argv[1:]]).start_in_tray is True


def test_disable_removes_it_and_is_idempotent() -> None:
    autostart.enable()
    autostart.disable()
    assert not autostart.enabled()
    assert not autostart.entry_path().exists()
    autostart.disable()
