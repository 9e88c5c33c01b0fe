"""Finding the app's files (icons, the .desktop file, the AppStream metainfo).

They are package data under ``desktopchat/assets/``, read through :mod:`importlib.resources`,
so a source checkout, an installed wheel (pip, pipx) and a PyInstaller bundle (which
collects them as the package's data and serves them through its own resource reader) all
find them the same way. Everything that needs an icon or the .desktop file asks here.

Callers get real file paths, which Qt (``QIcon``), D-Bus notification hints and the
desktop-entry installer need. Every installation this project makes keeps the package
unzipped, so the paths are the package's own files; were it ever imported from a zip, the
files would be extracted once to a temporary directory that lasts as long as the process.
"""

from __future__ import annotations

import atexit
import contextlib
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

#: File names, so callers do not spell them.
APP_ICON_SVG = "desktopchat.svg"
DESKTOP_FILE = "desktopchat.desktop"
METAINFO_FILE = "org.desktopchat.DesktopChat.metainfo.xml"
#: The sizes of ``icons/desktopchat-SIZE.png`` (tools/render_icons.py renders them).
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


def assets() -> Traversable:
    """The ``desktopchat/assets`` folder of this installation."""
    return resources.files("desktopchat") / "assets"


def resource(name: str) -> Path | None:
    """The path of asset ``name`` (e.g. ``icons/desktopchat-64.png``), or None if missing."""
    entry = assets().joinpath(*name.split("/"))
    if not entry.is_file():
        return None
    if isinstance(entry, Path):
        return entry
    return Path(_extracted.enter_context(resources.as_file(entry)))


def app_icon_png(size: int) -> Path | None:
    """The app icon rendered at ``size`` pixels (icons/desktopchat-SIZE.png), if shipped."""
    return resource(f"icons/desktopchat-{size}.png")
