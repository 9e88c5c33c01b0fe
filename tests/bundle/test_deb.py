"""The .deb made from the frozen bundle: its layout, its Depends, lintian, and that the app
extracted from it (``dpkg-deb -x``, as dpkg would unpack it) passes its self-test.

Built from the session's one bundle with fast gzip compression (``.ci/deb`` uses xz).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from desktopchat.tools import debian_package
from tests.bundle.conftest import run_self_test

#: The session's one PyInstaller build runs in the first test's setup (about a minute,
#: more on a busy machine): the suite's 120 s per test is too short for it.
pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def deb(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """desktopchat_VERSION_ARCH.deb, built by the project's own packaging module."""
    return debian_package.build(bundle, tmp_path_factory.mktemp("deb"), compression="gzip", level=1)


@pytest.fixture(scope="module")
def extracted(deb: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package's files, unpacked the way dpkg lays them out."""
    root = tmp_path_factory.mktemp("extracted")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root


def field(deb: Path, name: str) -> str:
    return subprocess.run(
        ["dpkg-deb", "-f", str(deb), name], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_extracted_app_passes_its_self_test(extracted: Path, tmp_path: Path) -> None:
    app = extracted / "opt" / "desktopchat"
    report = run_self_test(app / "desktopchat", tmp_path)
    assert str(app / "_internal" / "desktopchat" / "assets") in report


def test_files_are_where_desktops_look(extracted: Path) -> None:
    launcher = extracted / "usr" / "bin" / "desktopchat"
    assert launcher.is_symlink()
    assert str(launcher.readlink()) == "/opt/desktopchat/desktopchat"
    share = extracted / "usr" / "share"
    for path in (
        "applications/desktopchat.desktop",
        "metainfo/org.desktopchat.DesktopChat.metainfo.xml",
        "icons/hicolor/scalable/apps/desktopchat.svg",
        "icons/hicolor/16x16/apps/desktopchat.png",
        "icons/hicolor/512x512/apps/desktopchat.png",
        "doc/desktopchat/copyright",
        "man/man1/desktopchat.1.gz",
    ):
        assert (share / path).is_file(), path
    entry = share / "applications" / "desktopchat.desktop"
    subprocess.run(["desktop-file-validate", str(entry)], check=True)
    assert "Exec=desktopchat\n" in entry.read_text()  # found through /usr/bin
    if shutil.which("appstreamcli"):
        metainfo = share / "metainfo" / "org.desktopchat.DesktopChat.metainfo.xml"
        subprocess.run(["appstreamcli", "validate", "--no-net", str(metainfo)], check=True)


def test_depends_names_the_system_libraries_the_bundle_links_to(deb: Path, bundle: Path) -> None:
    depends = {d.strip() for d in field(deb, "Depends").split(",")}
    # libc6 for every program; libdbus-1-3 and libglib2.0-0 because build.spec leaves
    # them to the system; libxcb1 and libegl1 for Qt's platform plugins.
    assert {"libc6", "libdbus-1-3", "libglib2.0-0", "libfontconfig1", "libxcb1"} <= depends
    system, _missing = debian_package.linked_libraries(bundle)
    owners, unowned = debian_package.owning_packages(system)
    assert not unowned
    assert set(owners) == depends
    assert field(deb, "Package") == "desktopchat"
    # Not linked, but without it emoji are empty boxes: apt installs recommends by default.
    assert field(deb, "Recommends") == "fonts-noto-color-emoji"


def test_lintian_finds_no_errors(deb: Path) -> None:
    result = subprocess.run(
        ["lintian", "--no-cfg", "--fail-on", "error", str(deb)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "\nE: " not in "\n" + result.stdout
