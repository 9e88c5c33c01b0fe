"""Build a .deb from the frozen bundle: ``python -m desktopchat.tools.debian_package``.

``.ci/deb`` runs this after PyInstaller. The package puts the one-folder bundle under
``/opt/desktopchat`` (it is self-contained, not split into FHS directories), a
``/usr/bin/desktopchat`` symlink, and the launcher entry, hicolor icons and AppStream
metainfo where desktops and software centres look for them. ``Depends:`` lists the Debian
packages owning the system libraries the bundle links to: ``ldd`` on every ELF file of the
bundle (with the bundle's own folders searched first, as at run time), then ``dpkg -S`` on
each library found outside it. Only dpkg-deb is needed; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

from desktopchat import __version__
from desktopchat.cli import build_parser
from desktopchat.resources import APP_ICON_SVG, DESKTOP_FILE, ICON_SIZES, METAINFO_FILE, resource

PACKAGE = "desktopchat"
MAINTAINER = "desktopchat developers <desktopchat@example.org>"
SUMMARY = "fast native desktop chat on Pusher Channels, with its own hub"
DESCRIPTION = """\
desktopchat is a desktop chat application written with Qt. Out of the box
it runs its own Pusher-compatible hub, so people on one machine or a local
network can chat with no account and no internet; pointed at a relay in
front of Pusher Channels it serves a team.
.
This package holds the self-contained application (Python and Qt included)
under /opt/desktopchat, with a launcher entry, icons and AppStream metadata."""
#: Lintian tags that describe what a self-contained bundle in /opt is, not a fault in it.
LINTIAN_OVERRIDES = (
    "dir-or-file-in-opt",  # the bundle's place: the FHS keeps /opt for add-on software
    "embedded-library",  # the bundle's own libjpeg, expat... (PyInstaller collects them)
    "custom-library-search-path",  # PySide6 finds its Qt by RUNPATH $ORIGIN
    "shared-library-lacks-prerequisites",  # Python extension modules link no libc
    "library-not-linked-against-libc",
    "hardening-no-pie",  # PyInstaller's prebuilt bootloader
    "hardening-no-bindnow",  # prebuilt wheels (Qt, cryptography), not built here
    "hardening-no-fortify-functions",
    "extra-license-file",  # the third-party licenses the wheels ship
    "spelling-error-in-binary",  # strings inside third-party libraries
    # Byte code for the bundle's own Python (the app's modules, shiboken6's support
    # modules; build.spec): it runs no system Python, so nothing compiles at install.
    "package-installs-python-bytecode",
    "package-installs-python-pycache-dir",
)
_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(\S+)")
_ELF_MAGIC = b"\x7fELF"


@dataclass(frozen=True, slots=True)
class Dependencies:
    """What the bundle needs from the system."""

    packages: list[str]
    #: Libraries ldd could not find here (their plugin cannot load on such a system).
    missing: list[str]


def elf_files(bundle: Path) -> list[Path]:
    """Every ELF executable or shared library in ``bundle``."""
    found = []
    for path in sorted(bundle.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as file:
                if file.read(4) == _ELF_MAGIC:
                    found.append(path)
    return found


def linked_libraries(bundle: Path) -> tuple[set[Path], set[str]]:
    """System libraries the bundle's ELF files link to, and those ldd cannot find."""
    folders = sorted({p.parent for p in elf_files(bundle) if ".so" in p.name})
    env = {**os.environ, "LD_LIBRARY_PATH": os.pathsep.join(str(f) for f in folders)}
    inside = bundle.resolve()
    system: set[Path] = set()
    missing: set[str] = set()
    for binary in elf_files(bundle):
        result = subprocess.run(  # noqa: S603 - ldd on our own files
            [_program("ldd"), str(binary)], capture_output=True, text=True, env=env, check=False
        )
        for line in result.stdout.splitlines():
            match = _LDD_LINE.match(line)
            if match is None:
                if line.strip().startswith("/"):  # the dynamic loader, listed by path alone
                    system.add(Path(line.split()[0]))
                continue
            name, target = match.groups()
            if target == "not":
                missing.add(name)
            elif not Path(target).resolve().is_relative_to(inside):
                system.add(Path(target))
    return system, missing


def owning_packages(libraries: Iterable[Path]) -> tuple[list[str], list[Path]]:
    """The Debian packages that own ``libraries`` (``dpkg -S``), and those no package owns.

    On a merged-/usr system ldd may name ``/lib/...`` while dpkg recorded ``/usr/lib/...``
    (or the reverse), so each library is looked up under both names and its real path.
    """
    candidates: dict[str, Path] = {}
    for library in libraries:
        for name in _aliases(library):
            candidates[name] = library
    result = subprocess.run(  # noqa: S603 - a fixed program, our own list of paths
        [_program("dpkg"), "-S", *sorted(candidates)], capture_output=True, text=True, check=False
    )
    packages: set[str] = set()
    owned: set[Path] = set()
    for line in result.stdout.splitlines():
        owners, _, path = line.partition(": ")
        if path.strip() in candidates and not owners.startswith("diversion"):
            owned.add(candidates[path.strip()])
            packages.update(owner.strip().split(":")[0] for owner in owners.split(","))
    return sorted(packages), sorted(set(candidates.values()) - owned)


def _aliases(library: Path) -> set[str]:
    names = {str(library), str(library.resolve())}
    for name in list(names):
        if name.startswith("/usr/"):
            names.add(name.removeprefix("/usr"))
        else:
            names.add("/usr" + name)
    return names


def dependencies(bundle: Path) -> Dependencies:
    """The ``Depends:`` of a package holding ``bundle``."""
    system, missing = linked_libraries(bundle)
    packages, unowned = owning_packages(system)
    if unowned:
        raise RuntimeError(
            "no Debian package owns " + ", ".join(map(str, unowned)) + ": cannot depend on it"
        )
    return Dependencies(packages, sorted(missing))


def _program(name: str) -> str:
    """The full path of a dpkg or binutils tool, or a clear error if it is missing."""
    path = shutil.which(name)
    if path is None:
        raise FileNotFoundError(f"{name} is not installed (this builds .debs on Debian only)")
    return path


def architecture() -> str:
    """This machine's Debian architecture (``amd64``, ``arm64``…)."""
    return subprocess.run(  # noqa: S603 - a fixed program and argument
        [_program("dpkg"), "--print-architecture"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def stage(bundle: Path, root: Path, depends: list[str]) -> None:
    """Lay out the package's files and DEBIAN/ control files under ``root``."""
    opt = root / "opt" / PACKAGE
    shutil.copytree(bundle, opt, symlinks=True)
    usr_bin = root / "usr" / "bin"
    usr_bin.mkdir(parents=True)
    (usr_bin / PACKAGE).symlink_to(f"/opt/{PACKAGE}/{PACKAGE}")
    share = root / "usr" / "share"
    _copy(resource(DESKTOP_FILE), share / "applications" / DESKTOP_FILE)
    _copy(resource(METAINFO_FILE), share / "metainfo" / METAINFO_FILE)
    hicolor = share / "icons" / "hicolor"
    for size in ICON_SIZES:
        _copy(
            resource(f"icons/desktopchat-{size}.png"), hicolor / f"{size}x{size}/apps/{PACKAGE}.png"
        )
    _copy(resource(APP_ICON_SVG), hicolor / "scalable" / "apps" / f"{PACKAGE}.svg")
    man = share / "man" / "man1"
    man.mkdir(parents=True)
    _gzip(man / f"{PACKAGE}.1.gz", _manual_page())
    doc = share / "doc" / PACKAGE
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(_copyright())
    _gzip(doc / "changelog.gz", _changelog())
    overrides = share / "lintian" / "overrides" / PACKAGE
    overrides.parent.mkdir(parents=True)
    overrides.write_text("".join(f"{PACKAGE}: {tag}\n" for tag in LINTIAN_OVERRIDES))
    _normalise_modes(root)
    control = root / "DEBIAN"
    control.mkdir()
    (control / "control").write_text(_control(root, depends))
    (control / "md5sums").write_text(_md5sums(root))
    for path in control.iterdir():
        path.chmod(0o644)


def _copy(source: Path | None, target: Path) -> None:
    if source is None:
        raise FileNotFoundError(f"{target.name} is missing from this installation")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _gzip(path: Path, text: str) -> None:
    """gzip -9n: no name, no timestamp, so the package is reproducible."""
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as gz:
        gz.write(text.encode("utf-8"))


def _normalise_modes(root: Path) -> None:
    """Directories and programs 755, other files (shared libraries too) 644, whatever umask."""
    for path in root.rglob("*"):
        if path.is_symlink():
            continue
        if path.is_dir() or (os.access(path, os.X_OK) and ".so" not in path.name):
            path.chmod(0o755)
        else:
            path.chmod(0o644)


def _control(root: Path, depends: list[str]) -> str:
    size_kib = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    return (
        f"Package: {PACKAGE}\n"
        f"Version: {__version__}\n"
        f"Architecture: {architecture()}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {(size_kib + 1023) // 1024}\n"
        f"Depends: {', '.join(depends)}\n"
        # Emoji in the picker and in messages show as boxes without a colour emoji font.
        "Recommends: fonts-noto-color-emoji\n"
        "Section: net\n"
        "Priority: optional\n"
        f"Description: {SUMMARY}\n"
        + "".join(f" {line}\n" if line else " .\n" for line in DESCRIPTION.splitlines())
    )


def _md5sums(root: Path) -> str:
    lines = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and "DEBIAN" not in path.parts:
            digest = hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()
            lines.append(f"{digest}  {path.relative_to(root)}\n")
    return "".join(lines)


def _copyright() -> str:
    return (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {PACKAGE}\n\n"
        "Files: *\n"
        "Copyright: 2026 desktopchat developers\n"
        "License: MIT\n"
        " Permission is hereby granted, free of charge, to any person obtaining a copy of\n"
        ' this software and associated documentation files (the "Software"), to deal in\n'
        " the Software without restriction, including without limitation the rights to\n"
        " use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of\n"
        " the Software, and to permit persons to whom the Software is furnished to do so,\n"
        " subject to the following conditions:\n .\n"
        " The above copyright notice and this permission notice shall be included in all\n"
        " copies or substantial portions of the Software.\n .\n"
        ' THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\n'
        " IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS\n"
        " FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR\n"
        " COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER\n"
        " IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN\n"
        " CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n"
        " .\n"
        " The bundled third-party components (Python, Qt, OpenSSL and others) keep their\n"
        " own licenses, as shipped with them under /opt/desktopchat.\n"
    )


def _manual_page() -> str:
    """desktopchat(1): the command's own ``--help``, so the two never disagree."""
    columns = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "80"  # argparse wraps to the terminal: the same page everywhere
    try:
        text = build_parser().format_help()
    finally:
        if columns is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = columns
    text = text.replace("\\", "\\e").replace("\n.", "\n\\&.")
    return (
        f'.TH DESKTOPCHAT 1 "" "{PACKAGE} {__version__}" "User Commands"\n'
        f".SH NAME\n{PACKAGE} \\- {SUMMARY}\n"
        ".SH DESCRIPTION\n.nf\n"
        f"{text}"
        ".fi\n.SH SEE ALSO\n"
        "Each command's own \\fB\\-\\-help\\fR, e.g. \\fBdesktopchat serve \\-\\-help\\fR.\n"
    )


def _changelog() -> str:
    when = format_datetime(datetime.fromtimestamp(_source_date(), UTC))
    return (
        f"{PACKAGE} ({__version__}) unstable; urgency=medium\n\n"
        "  * Built from the frozen bundle by .ci/deb.\n\n"
        f" -- {MAINTAINER}  {when}\n"
    )


def _source_date() -> int:
    """``SOURCE_DATE_EPOCH`` if set (reproducible builds), else now."""
    return int(os.environ.get("SOURCE_DATE_EPOCH", time.time()))


def build(bundle: Path, out_dir: Path, *, compression: str = "xz", level: int = 6) -> Path:
    """Build ``desktopchat_VERSION_ARCH.deb`` from ``bundle`` into ``out_dir``; its path."""
    deps = dependencies(bundle)
    out_dir.mkdir(parents=True, exist_ok=True)
    deb = out_dir / f"{PACKAGE}_{__version__}_{architecture()}.deb"
    with tempfile.TemporaryDirectory(prefix="desktopchat-deb-") as temporary:
        root = Path(temporary) / "root"
        stage(bundle, root, deps.packages)
        subprocess.run(  # noqa: S603 - a fixed program on the tree we staged
            [
                _program("dpkg-deb"),
                "--root-owner-group",
                f"-Z{compression}",
                f"-z{level}",
                "--build",
                str(root),
                str(deb),
            ],
            check=True,
            capture_output=True,
        )
    for name in deps.missing:
        print(f"note: {name} is not on this system; the bundle part needing it will not load")
    return deb


def main(argv: list[str] | None = None) -> int:
    """``python -m desktopchat.tools.debian_package BUNDLE OUT_DIR``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", type=Path, help="the PyInstaller folder (dist/desktopchat)")
    parser.add_argument("out_dir", type=Path, help="where to write the .deb")
    parser.add_argument("--compression", default="xz", choices=("xz", "gzip", "zstd", "none"))
    parser.add_argument("--level", type=int, default=6)
    args = parser.parse_args(argv)
    if not (args.bundle / PACKAGE).is_file():
        print(f"no {args.bundle / PACKAGE}: build the bundle first (.ci/bundle)", file=sys.stderr)
        return 2
    deb = build(args.bundle, args.out_dir, compression=args.compression, level=args.level)
    print(deb)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
