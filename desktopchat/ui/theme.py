"""Light, dark, or whatever the system uses (the default), through Qt's own color scheme."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

_SCHEMES = {
    "light": Qt.ColorScheme.Light,
    "dark": Qt.ColorScheme.Dark,
    "system": Qt.ColorScheme.Unknown,  # Unknown = follow the platform
}


def apply(name: str) -> None:
    """Use theme ``name`` ("system", "light" or "dark") for the whole application."""
    QGuiApplication.styleHints().setColorScheme(_SCHEMES.get(name, Qt.ColorScheme.Unknown))
