"""Dialog buttons and combo boxes on a real X server (Xvfb), where Qt's generic desktop
theme has a say that the offscreen platform never has."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from tests.notify.desktop import start_xvfb
from tests.private_bus import clean_env
from tests.qt_platform import run_probe


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dialog_buttons_have_no_stock_icons_and_combo_boxes_an_arrow(
    tmp_path: Path, scheme: str
) -> None:
    """No green tick or red cross from the desktop's icon theme on "OK" and "Cancel"; a
    combo box shows its down arrow (it looked like a text field without one)."""
    with contextlib.ExitStack() as stack:
        display = start_xvfb(tmp_path, stack)
        env = clean_env(tmp_path) | {"DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
        env.pop("QT_QPA_PLATFORMTHEME", None)
        result = run_probe("tests.integration.ui.xcb_controls_probe", scheme, env=env)
    assert result["platform"] == "xcb"
    assert result["button_icons"] == [False, False]
    assert result["arrow_pixels"] >= 10
