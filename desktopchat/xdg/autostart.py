"""Starting at login: an XDG autostart entry that opens desktopchat in the tray.

Desktops following the Desktop Application Autostart Specification (GNOME, KDE, Xfce,
LXQt, Cinnamon, MATE…) start every entry in ``$XDG_CONFIG_HOME/autostart`` at login. The
file is the state: the Settings switch shows whether it is there, so removing it by hand
(or from the desktop's own "startup applications") turns the switch off too.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from platformdirs.unix import Unix

from desktopchat.resources import DESKTOP_FILE
from desktopchat.xdg import desktop_file
from desktopchat.xdg.launcher import launch_command

#: The flag the entry passes (``desktopchat window --start-in-tray``).
START_IN_TRAY = "--start-in-tray"


def supported() -> bool:
    """Whether this platform uses XDG autostart (macOS and Windows have their own ways)."""
    return not sys.platform.startswith(("win", "darwin", "cygwin"))


def entry_path() -> Path:
    """``$XDG_CONFIG_HOME/autostart/desktopchat.desktop`` (else under ``~/.config``)."""
    return Unix().user_config_path / "autostart" / DESKTOP_FILE


def enabled() -> bool:
    """Whether desktopchat starts at login (its autostart entry is there)."""
    return entry_path().is_file()


def enable(command: Sequence[str] | None = None) -> Path:
    """Write the autostart entry: this installation, started in the tray."""
    text = desktop_file.render(
        [*(command or launch_command()), START_IN_TRAY],
        {"X-GNOME-Autostart-enabled": "true"},
    )
    path = entry_path()
    desktop_file.write_atomically(path, text.encode("utf-8"))
    return path


def disable() -> None:
    """Remove the autostart entry, if there is one."""
    entry_path().unlink(missing_ok=True)
