"""Finding the files under ``resources/`` from a source checkout and from a frozen bundle.

PyInstaller unpacks data next to the executable (``sys._MEIPASS``); from source they are
in the repository's top-level ``resources/``. Everything that needs an icon or the
.desktop file asks here, so both layouts work the same.
"""

from __future__ import annotations

import sys
from pathlib import Path

#: File names, so callers do not spell them.
APP_ICON_SVG = "desktopchat.svg"
DESKTOP_FILE = "desktopchat.desktop"


def resources_dir() -> Path:
    """The directory holding the resources, source or frozen."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root is not None:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(name: str) -> Path | None:
    """The path of resource ``name``, or None if this installation lacks it."""
    path = resources_dir() / name
    return path if path.is_file() else None


def app_icon_png(size: int) -> Path | None:
    """The app icon rendered at ``size`` pixels (icons/desktopchat-SIZE.png), if shipped."""
    return resource(f"icons/desktopchat-{size}.png")
