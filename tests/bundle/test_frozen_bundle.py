"""The packaged app: build.spec produces a one-folder bundle whose ``--self-test`` passes.

This builds for real with PyInstaller (about 20 s) into a temporary directory and runs
the frozen executable, which starts its own hub, sends and receives a message through
pysher and renders the window offscreen.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build dist/desktopchat/ once for this module."""
    out = tmp_path_factory.mktemp("pyinstaller")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "build"),
            str(ROOT / "build.spec"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    folder = out / "dist" / "desktopchat"
    assert (folder / "desktopchat").is_file()
    return folder


def test_frozen_self_test_passes(bundle: Path, tmp_path: Path) -> None:
    env = {**os.environ, "DESKTOPCHAT_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [str(bundle / "desktopchat"), "--self-test"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    report = result.stdout
    for check in (
        "hub starts",
        "receive through pysher",
        "render the window",
        "keyring backends",
        "notification backends",
    ):
        assert check in report
    assert "result: PASSED" in report


def test_bundle_carries_the_resources_and_the_hub(bundle: Path, tmp_path: Path) -> None:
    internal = bundle / "_internal"
    for name in ("desktopchat.svg", "desktopchat.desktop", "icons/desktopchat-128.png"):
        assert (internal / "resources" / name).is_file(), name
    env = {**os.environ, "DESKTOPCHAT_HOME": str(tmp_path)}
    version = subprocess.run(
        [str(bundle / "desktopchat"), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert version.stdout.startswith("desktopchat ")
    serve_help = subprocess.run(
        [str(bundle / "desktopchat"), "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert "--port" in serve_help.stdout


def test_bundle_leaves_out_unused_qt(bundle: Path) -> None:
    internal = bundle / "_internal"
    names = {p.name for p in internal.rglob("*")}
    for unwanted in ("libQt6Qml.so.6", "libQt6Quick.so.6", "libqgtk3.so", "libgtk-3.so.0"):
        assert unwanted not in names
