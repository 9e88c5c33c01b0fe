"""Qt's offscreen platform with a screen the size of a laptop's, for tests and benchmarks.

The offscreen platform's own screen is 800x800, and the main window fits itself to its
screen (``MainWindow._fit_screen``): on it every test's window would open at 720x720
instead of its first-start 1100x720, without its members column. A 1920x1080 screen
(``offscreen_screen.json``) keeps windows at the size a user's first start has.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from pathlib import Path

#: The screen: 1920x1080 at 96 dpi, device pixel ratio 1.
SCREEN_FILE = Path(__file__).with_name("offscreen_screen.json")


def offscreen() -> str:
    """``QT_QPA_PLATFORM`` for the offscreen platform on that screen."""
    return f"offscreen:configfile={SCREEN_FILE}"


def use_laptop_screen(env: MutableMapping[str, str]) -> None:
    """Point plain ``offscreen`` (or no platform at all) in ``env`` at that screen."""
    if env.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
        env["QT_QPA_PLATFORM"] = offscreen()
