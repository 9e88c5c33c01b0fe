"""The whole window at 125 %, 150 % and 200 % scale, light and dark, with no platform theme.

Each case runs :mod:`tests.integration.ui.layout_probe` in a fresh process (the scale factor is
read when the QApplication starts) on a real hub with the screenshot tool's conversation,
at the size a 1366x768 screen has at that scale, and reads back what it found.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktopchat.ui.theme.tokens import DARK
from tests.qt_platform import run_probe, screen_platform

SCREEN = (1366, 768)


def probe(scale: float, size: tuple[int, int], scheme: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORMTHEME"}
    env.update(QT_SCALE_FACTOR=str(scale), QT_QPA_PLATFORM="offscreen")
    result: dict[str, object] = run_probe(
        "tests.integration.ui.layout_probe", *map(str, size), scheme, env=env
    )
    return result


@pytest.mark.parametrize(
    ("scale", "scheme"), [(1.25, "light"), (1.5, "dark"), (2.0, "light"), (2.0, "dark")]
)
def test_nothing_is_clipped_at_a_larger_scale(scale: float, scheme: str) -> None:
    """A 1366x768 screen at this scale: the window fits, nothing in it is cut off."""
    size = (round(SCREEN[0] / scale), round(SCREEN[1] / scale))
    result = probe(scale, size, scheme)
    assert result["ratio"] == pytest.approx(scale)
    assert result["window"] == list(size)
    minimum = result["minimum"]
    assert isinstance(minimum, list)
    assert minimum[0] <= size[0]
    assert minimum[1] <= size[1]
    assert result["problems"] == []
    assert result["horizontal_scrollbars"] == []  # long names and words elide or wrap


def test_dark_is_dark_without_a_platform_theme() -> None:
    """QT_QPA_PLATFORMTHEME unset (a plain X11 session): the app's own dark palette paints."""
    result = probe(1.0, SCREEN, "dark")
    assert result["platform_theme"] is None
    assert result["palette_window"] == DARK.window
    share = result["dark_share"]
    assert isinstance(share, float)
    assert share > 0.85


def fit(tmp_path: Path, scale: float, *size: int) -> dict[str, list[int]]:
    """tests.integration.ui.fit_probe on a 1366x768 screen at ``scale``."""
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORMTHEME"}
    env.update(
        QT_SCALE_FACTOR=str(scale),
        QT_QPA_PLATFORM=screen_platform(tmp_path, *SCREEN),
        DESKTOPCHAT_HOME=str(tmp_path / "home"),
    )
    result: dict[str, list[int]] = run_probe(
        "tests.integration.ui.fit_probe", *map(str, size), env=env
    )
    return result


@pytest.mark.parametrize("scale", [1.25, 1.5, 2.0])
def test_the_window_opens_inside_its_screen_at_any_scale(tmp_path: Path, scale: float) -> None:
    """A first start on a 1366x768 laptop at 125 % to 200 %, and a window saved at
    1300x700 there at 100 % and opened again scaled: it fits the screen, with room for
    the window's frame and title bar."""
    first = fit(tmp_path / "first", scale)
    saved_then_scaled = fit(tmp_path / "saved", 1.0, 1300, 700)
    assert saved_then_scaled["window"] == [1300, 700]  # at 100 % it was kept as saved
    scaled = fit(tmp_path / "saved", scale)
    for result in (first, scaled):
        x, y, width, height = result["screen"]
        assert result["window"][0] + 16 <= width  # with room for a frame
        assert result["window"][1] + 40 <= height  # and a title bar
        assert x <= result["at"][0] <= x + width - result["window"][0]
        assert y <= result["at"][1] <= y + height - result["window"][1]
