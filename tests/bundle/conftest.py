"""One frozen build per test session, shared by the bundle and the .deb tests.

The build is the slow part (PyInstaller, about a minute here), so it happens once. It uses
its own PyInstaller cache directory (``PYINSTALLER_CONFIG_DIR`` in the session's temporary
directory): two builds at once sharing the user-wide ``~/.cache/pyinstaller`` corrupted it
and failed the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def pyinstaller_config_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This session's own PyInstaller cache."""
    return tmp_path_factory.mktemp("pyinstaller-config")


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory, pyinstaller_config_dir: Path) -> Path:
    """dist/desktopchat/, built once for the session from build.spec."""
    out = tmp_path_factory.mktemp("pyinstaller")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
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
        env={**os.environ, "PYINSTALLER_CONFIG_DIR": str(pyinstaller_config_dir)},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    folder = out / "dist" / "desktopchat"
    assert (folder / "desktopchat").is_file()
    return folder


def self_test_process(
    executable: Path, home: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``executable --self-test`` run offscreen to its end, asserted to have passed."""
    env = {
        **os.environ,
        "DESKTOPCHAT_HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        **(extra_env or {}),
    }
    result = subprocess.run(
        [str(executable), "--self-test"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    return result


def run_self_test(executable: Path, home: Path) -> str:
    """Run ``executable --self-test`` offscreen; its report, asserted to have passed."""
    report = self_test_process(executable, home).stdout
    for check in (
        "icons, .desktop file and metainfo are found",
        "hub starts on a free port",
        "sign up a throwaway user",
        "send through the relay, receive through pysher",
        "react with a shortcode",
        "render the window offscreen",
        "keyring backends load",
        "notification backends load",
    ):
        assert f"ok       {check}" in report, report
    assert "result: PASSED" in report
    return report
