"""The packaged app: build.spec produces a one-folder bundle whose ``--self-test`` passes.

The bundle is built once per session (tests/bundle/conftest.py) with PyInstaller into a
temporary directory; the frozen executable starts its own hub, sends and receives a
message through pysher, renders the window offscreen and finds its icons and .desktop file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from desktopchat.tools import pyside_support
from tests.bundle.conftest import run_self_test, self_test_process

#: The session's one PyInstaller build runs in the first test's setup (about a minute,
#: more on a busy machine): the suite's 120 s per test is too short for it.
pytestmark = pytest.mark.timeout(900)

#: Issue 13: the frozen bundle must stay within 150 MB (it was 156 MiB).
MAX_BUNDLE_MIB = 150


def test_frozen_self_test_passes(bundle: Path, tmp_path: Path) -> None:
    report = run_self_test(bundle / "desktopchat", tmp_path)
    assert str(bundle / "_internal" / "desktopchat" / "assets") in report
    # shiboken6's modules unpacked and compiled, not compiled from its binary each start
    unpacked = bundle / "_internal" / "shiboken6" / "files.dir"
    assert "PySide6's support modules load" in report
    assert f"unpacked: {unpacked}" in report, report
    loader_pyc = unpacked / "shibokensupport" / "signature" / "__pycache__"
    assert list(loader_pyc.glob("loader.cpython-*.pyc")), "shipped without its byte code"
    assert pyside_support.unpacked_version(unpacked) == pyside_support.installed_version()


def test_bundle_carries_the_resources_and_the_hub(bundle: Path, tmp_path: Path) -> None:
    assets = bundle / "_internal" / "desktopchat" / "assets"
    for name in (
        "desktopchat.svg",
        "desktopchat.desktop",
        "org.desktopchat.DesktopChat.metainfo.xml",
        "icons/desktopchat-16.png",
        "icons/desktopchat-512.png",
    ):
        assert (assets / name).is_file(), name
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
    for unwanted in (
        "libQt6Qml.so.6",
        "libQt6Quick.so.6",
        "libqgtk3.so",
        "libgtk-3.so.0",
        "libqeglfs.so",
        "libQt6EglFSDeviceIntegration.so.6",
        "libqtiff.so",
        "qtbase_de.qm",
        "QtDBus.abi3.so",
    ):
        assert unwanted not in names
    for needed in ("libqxcb.so", "libqwayland.so", "libqoffscreen.so", "libqsvg.so"):
        assert needed in names
    dangling = [p for p in internal.rglob("*") if p.is_symlink() and not p.exists()]
    assert not dangling, "links to what build.spec left out"


def test_bundle_keeps_only_the_emoji_data_the_relay_reads(bundle: Path) -> None:
    """emoji.json (glyphs, English names, shortcodes) stays; the 13 translations go.

    The self-test's shortcode reaction shows the relay still works with what is left."""
    tables = {p.name for p in (bundle / "_internal" / "emoji" / "unicode_codes").glob("*.json")}
    assert tables == {"emoji.json"}


def test_bundle_skips_the_runtime_hooks_the_app_does_not_need(bundle: Path) -> None:
    """Each runs on every start: multiprocessing's imports multiprocessing (the app starts
    no such children), inspect's reads base_library.zip's index for source lookups,
    pkgutil's patches module listing (nothing does either at run time) and, on Linux,
    PySide6's imports Qt into every process, the hub's and the CLI's too.

    The frozen executable's archive lists the scripts it runs before the app; the
    self-test (the whole app, frozen) shows nothing missed them."""
    from PyInstaller.archive.readers import CArchiveReader

    scripts = set(CArchiveReader(str(bundle / "desktopchat")).toc)
    assert not scripts & {"pyi_rth_multiprocessing", "pyi_rth_inspect", "pyi_rth_pkgutil"}
    assert ("pyi_rth_pyside6" in scripts) != sys.platform.startswith("linux")


@pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="on Windows and macOS the bundle keeps PyInstaller's hook, which sets the plugin path",
)
def test_plugins_named_by_the_users_environment_are_not_loaded(
    bundle: Path, tmp_path: Path
) -> None:
    """A QT_PLUGIN_PATH set for the desktop (NixOS, some KDE setups) names plugins built
    for another Qt; the bundle's Qt loads its own (desktopchat.ui.app)."""
    foreign = tmp_path / "foreign-plugins"
    (foreign / "platforms").mkdir(parents=True)
    bundled = bundle / "_internal" / "PySide6" / "Qt" / "plugins" / "platforms"
    shutil.copy(bundled / "libqoffscreen.so", foreign / "platforms" / "libqoffscreen.so")
    result = self_test_process(
        bundle / "desktopchat",
        tmp_path / "home",
        {"QT_PLUGIN_PATH": str(foreign), "QT_DEBUG_PLUGINS": "1"},
    )
    loaded = [line for line in result.stderr.splitlines() if "loaded library" in line]
    assert any(str(bundled / "libqoffscreen.so") in line for line in loaded), loaded
    assert not any(str(foreign) in line for line in loaded), loaded


@pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="Qt is kept out of the hub on Linux only, and /proc/PID/maps shows it only there",
)
def test_the_frozen_hub_process_loads_no_qt(bundle: Path, tmp_path: Path) -> None:
    """The hub is a process of the same executable (``serve``): the server never imports
    Qt, frozen or not, so it starts without it and does not hold its libraries."""
    env = {**os.environ, "DESKTOPCHAT_HOME": str(tmp_path)}
    with subprocess.Popen(
        [str(bundle / "desktopchat"), "serve", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    ) as hub:
        try:
            assert hub.stdout is not None
            line = hub.stdout.readline()  # blocks until the hub listens (or exits)
            assert "hub listening on" in line, line
            maps = Path(f"/proc/{hub.pid}/maps").read_text()
            assert "libQt6Core" not in maps
            assert "libpyside6" not in maps
        finally:
            hub.terminate()
            hub.wait(timeout=30)


def test_the_apps_own_modules_are_plain_byte_code_files(bundle: Path) -> None:
    """Not zlib entries of the archive: they are most of what loads before the first paint
    (build.spec's module_collection_mode). No source is shipped with them."""
    package = bundle / "_internal" / "desktopchat"
    for module in ("cli", "ui/app", "ui/main_window", "client/session"):
        assert (package / f"{module}.pyc").is_file(), module
    assert not list(package.rglob("*.py"))


def test_bundle_fits_the_size_budget(bundle: Path) -> None:
    """Bytes on disk of every file, the figure ``du -sm`` gives (MiB)."""
    size = sum(p.lstat().st_size for p in bundle.rglob("*"))
    assert size <= MAX_BUNDLE_MIB * 2**20, f"{size / 2**20:.1f} MiB"


def test_the_build_used_its_own_pyinstaller_cache(
    bundle: Path, pyinstaller_config_dir: Path
) -> None:
    """The session's cache holds PyInstaller's bincache: the user-wide one was not touched."""
    assert any(p.is_file() for p in pyinstaller_config_dir.rglob("*"))
