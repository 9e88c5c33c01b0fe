"""The wheel (what ``pip install .`` and pipx install) carries the app's own files.

Built for real from this checkout with pip; then the self-test runs from the unpacked
wheel, finding the icons, the .desktop file and the metainfo where the wheel put them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from desktopchat import resources

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    (found,) = out.glob("desktopchat-*.whl")
    return found


def test_wheel_lists_every_asset(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        f"desktopchat/assets/{name}"
        for name in (
            resources.APP_ICON_SVG,
            resources.DESKTOP_FILE,
            resources.METAINFO_FILE,
            *(f"icons/desktopchat-{size}.png" for size in resources.ICON_SIZES),
        )
    }
    assert expected <= names, sorted(expected - names)


def test_self_test_from_the_unpacked_wheel_finds_them(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {
        **os.environ,
        "PYTHONPATH": str(site),  # ahead of the checkout's editable install
        "QT_QPA_PLATFORM": "offscreen",
    }
    code = (
        "import desktopchat, sys; print(desktopchat.__file__);"
        "from desktopchat import selftest; sys.exit(selftest.run())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.stdout.startswith(str(site / "desktopchat")), result.stdout
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    assert "ok       icons, .desktop file and metainfo are found" in result.stdout
    assert str(site / "desktopchat" / "assets") in result.stdout
