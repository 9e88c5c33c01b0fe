"""``desktopchat desktop-entry install|uninstall``: the launcher entry and the hicolor icons.

Files go to the user's XDG data directory (``$XDG_DATA_HOME``, else ``~/.local/share``):
``applications/desktopchat.desktop`` and ``icons/hicolor/SIZE/apps/desktopchat.{png,svg}``,
the names the freedesktop icon theme and menu specifications look up. The entry's ``Exec``
starts this installation (:func:`~desktopchat.xdg.launcher.launch_command`). Its file name
is the ``desktop-entry`` hint notifications carry, so desktop settings list the app.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from platformdirs.unix import Unix

from desktopchat.resources import APP_ICON_SVG, DESKTOP_FILE, ICON_SIZES, app_icon_png, resource
from desktopchat.xdg import desktop_file
from desktopchat.xdg.launcher import launch_command

#: The icon name the entry's ``Icon=`` key uses.
ICON_NAME = "desktopchat"
#: The entry's ID (its file name without ``.desktop``), the notifications' ``desktop-entry``.
ENTRY_ID = DESKTOP_FILE.removesuffix(".desktop")


def data_home() -> Path:
    """``$XDG_DATA_HOME``, else ``~/.local/share``."""
    return Unix().user_data_path


def data_dirs() -> list[Path]:
    """``$XDG_DATA_HOME`` then ``$XDG_DATA_DIRS`` (else /usr/local/share:/usr/share)."""
    system = Unix(multipath=True).site_data_dir.split(os.pathsep)
    return [data_home(), *(Path(d) for d in system if d)]


def installed_entry() -> Path | None:
    """The desktopchat entry a launcher would find (the user's own, or a package's)."""
    for directory in data_dirs():
        path = directory / "applications" / DESKTOP_FILE
        if path.is_file():
            return path
    return None


def entry_path() -> Path:
    """Where :func:`install` writes the entry."""
    return data_home() / "applications" / DESKTOP_FILE


def icon_paths() -> dict[Path, Path]:
    """Each shipped icon and where :func:`install` puts it."""
    hicolor = data_home() / "icons" / "hicolor"
    icons: dict[Path, Path] = {}
    for size in ICON_SIZES:
        source = app_icon_png(size)
        if source is not None:
            icons[source] = hicolor / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
    svg = resource(APP_ICON_SVG)
    if svg is not None:
        icons[svg] = hicolor / "scalable" / "apps" / f"{ICON_NAME}.svg"
    return icons


def install(command: Sequence[str] | None = None) -> list[Path]:
    """Write the entry (``Exec`` = ``command``, default this installation) and the icons.

    Returns the files written. Icons first: a desktop that notices the entry at once
    then finds its icon too.
    """
    written: list[Path] = []
    for source, target in icon_paths().items():
        desktop_file.write_atomically(target, source.read_bytes())
        written.append(target)
    if written:
        os.utime(data_home() / "icons" / "hicolor")  # icon caches compare this mtime
    text = desktop_file.render(list(command or launch_command()))
    desktop_file.write_atomically(entry_path(), text.encode("utf-8"))
    written.append(entry_path())
    return written


def uninstall() -> list[Path]:
    """Remove what :func:`install` wrote; returns the files that were there."""
    removed = []
    for path in [entry_path(), *icon_paths().values()]:
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed


class InvalidEntryError(ValueError):
    """``desktop-file-validate`` refused an entry; the message is what it said."""


def validate(path: Path) -> str:
    """Check ``path`` with ``desktop-file-validate``; returns its hints ("" if none).

    Raises:
        InvalidEntryError: the file breaks the Desktop Entry Specification.
        FileNotFoundError: ``desktop-file-validate`` (Debian: desktop-file-utils) is missing.
    """
    program = shutil.which("desktop-file-validate")
    if program is None:
        raise FileNotFoundError("desktop-file-validate is not installed (desktop-file-utils)")
    result = subprocess.run(  # noqa: S603 - a fixed program on a path we wrote
        [program, str(path)], capture_output=True, text=True, check=False
    )
    output = (result.stdout + result.stderr).strip()
    if result.returncode != 0:
        raise InvalidEntryError(output or f"{path} is not a valid desktop entry")
    return output
