"""``desktopchat desktop-entry install|uninstall``: the launcher entry and icons, for real.

The command runs as a user would run it, into this test's own XDG data home; the entry
is checked with desktop-file-validate, and its Exec line is parsed and started by GLib's
own launcher (``gio launch``), as GNOME and most menus do.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from desktopchat import __version__
from desktopchat.resources import ICON_SIZES
from desktopchat.ui import notifications
from desktopchat.xdg import desktop_file, entry
from tests.polling import wait_until


def desktopchat(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktopchat", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def exec_argv(desktop_file: Path) -> list[str]:
    """The Exec line of a simple entry (no field codes), split as the spec quotes it."""
    for line in desktop_file.read_text().splitlines():
        if line.startswith("Exec="):
            return shlex.split(line.removeprefix("Exec=").replace("\\\\", "\\"))
    raise AssertionError("no Exec line")


def test_install_writes_a_valid_entry_and_every_icon() -> None:
    data = Path(os.environ["XDG_DATA_HOME"])
    result = desktopchat("desktop-entry", "install")
    assert result.returncode == 0, result.stderr
    desktop_file = data / "applications" / "desktopchat.desktop"
    expected = [desktop_file, data / "icons/hicolor/scalable/apps/desktopchat.svg"] + [
        data / f"icons/hicolor/{s}x{s}/apps/desktopchat.png" for s in ICON_SIZES
    ]
    for path in expected:
        assert path.is_file(), path
        assert f"wrote {path}" in result.stdout
    assert "desktop-file-validate: no complaints" in result.stdout
    subprocess.run(["desktop-file-validate", str(desktop_file)], check=True)
    assert entry.installed_entry() == desktop_file
    # The notifications' desktop-entry hint names exactly this file.
    assert desktop_file.name == f"{notifications.DESKTOP_ENTRY}.desktop"


def test_the_entry_starts_this_installation() -> None:
    """From a checkout, Exec is the checkout's .ci/app, which runs this very code."""
    assert desktopchat("desktop-entry", "install").returncode == 0
    argv = exec_argv(entry.entry_path())
    assert argv[0] == str(Path(__file__).resolve().parents[2] / ".ci" / "app")
    version = subprocess.run(
        [*argv, "--version"], capture_output=True, text=True, timeout=120, check=False
    )
    assert version.stdout.strip() == f"desktopchat {__version__}", version.stderr


def test_uninstall_removes_what_install_wrote() -> None:
    data = Path(os.environ["XDG_DATA_HOME"])
    assert desktopchat("desktop-entry", "install").returncode == 0
    result = desktopchat("desktop-entry", "uninstall")
    assert result.returncode == 0
    assert [p for p in data.rglob("*") if p.is_file()] == []
    assert entry.installed_entry() is None
    again = desktopchat("desktop-entry", "uninstall")
    assert "nothing to remove" in again.stdout


@pytest.mark.parametrize("folder", ["My Apps", 'odd $HOME "quoted" `tick` \\back'])
def test_exec_survives_spaces_and_reserved_characters(tmp_path: Path, folder: str) -> None:
    """A checkout or venv in a folder with spaces, quotes, $ and backslashes still starts.

    (A ``%`` is doubled as the specification says, see the next test; GLib then looks
    for the program under the doubled name, so such a path cannot be launched by it.)
    """
    program = tmp_path / folder / "desktopchat"
    program.parent.mkdir(parents=True)
    argv_file = tmp_path / "argv"
    program.write_text(f'#!/bin/sh\nprintf "%s\\n" "$0" "$@" > "{argv_file}"\n')
    program.chmod(0o755)
    written = entry.install([str(program), "--flag=a b"])
    desktop_file = written[-1]
    assert entry.validate(desktop_file) == ""
    subprocess.run(["gio", "launch", str(desktop_file)], check=True, timeout=30)
    wait_until(argv_file.exists, "the entry's program to run")
    wait_until(lambda: argv_file.read_text().count("\n") == 2, "its arguments")
    assert argv_file.read_text().splitlines() == [str(program), "--flag=a b"]


def test_percent_signs_are_doubled_as_the_specification_says() -> None:
    assert desktop_file.exec_value(["/opt/100%/desktopchat", "--x"]) == "/opt/100%%/desktopchat --x"
