"""The whole window at 125 %, 150 % and 200 % scale, light and dark, with no platform theme.

Each case runs :mod:`tests.integration.ui.layout_probe` in a fresh process (the scale factor is
read when the QApplication starts) on a real hub with the screenshot tool's conversation,
at the size a 1366x768 screen has at that scale, and reads back what it found.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktopchat.ui.theme.tokens import DARK

ROOT = Path(__file__).resolve().parents[3]
SCREEN = (1366, 768)


def probe(scale: float, size: tuple[int, int], scheme: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORMTHEME"}
    env.update(QT_SCALE_FACTOR=str(scale), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "tests.integration.ui.layout_probe", *map(str, size), scheme],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
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
