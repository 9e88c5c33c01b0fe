"""Unpack shiboken6's own start-up modules next to it, compiled, so no start compiles them.

Why: every ``import PySide6`` runs about 16 Python modules of shiboken6's own
(``shibokensupport``: function signatures, the ``__feature__`` switches). shiboken6
carries them inside its binary as a zip and, unless it finds them unpacked, compiles their
source on every start: about 10 ms of the window's start-up from a checkout and 25 ms in
the frozen app here (interleaved starts, docs/benchmarks.md). shiboken6 looks for an
unpacked copy first, in ``shiboken6/files.dir``, which its own ``SBK_EMBED=0`` switch
writes; imported from there, with byte code, the compiling is gone.

- ``python -m desktopchat.tools.pyside_support`` unpacks and compiles it in the running
  environment (``.ci/lib.sh`` does this after every ``pip install`` into ``.venv``: a copy
  left from another shiboken6 version would not match its binary, so it is rewritten).
- :func:`compiled_copy` gives build.spec a copy whose byte code is valid wherever the
  bundle is unpacked (``unchecked-hash``: its files are never edited there).
"""

from __future__ import annotations

import compileall
import importlib.metadata
import importlib.util
import os
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

#: shiboken6's switch: ``0`` writes ``files.dir`` and uses it, ``1`` deletes it.
EMBED_SWITCH = "SBK_EMBED"
#: Where shiboken6 looks for its modules unpacked (signature_bootstrap.py).
UNPACKED_NAME = "files.dir"
#: Written into an unpacked copy: the shiboken6 version it came from. shiboken6 itself
#: uses any files.dir it finds, and pip leaves one behind on an upgrade.
VERSION_FILE = "desktopchat-unpacked-from"


def shiboken_dir() -> Path:
    """shiboken6's package directory, found without importing it."""
    spec = importlib.util.find_spec("shiboken6")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("shiboken6 is not installed")
    return Path(next(iter(spec.submodule_search_locations))).resolve()


def unpacked_dir() -> Path:
    """The directory shiboken6 imports its support modules from when it exists."""
    return shiboken_dir() / UNPACKED_NAME


def _run_shiboken_switch(value: str) -> None:
    """Import shiboken6 in a fresh interpreter (its bootstrap runs once per process)."""
    subprocess.run(
        [sys.executable, "-c", "import shiboken6"],
        env={**os.environ, EMBED_SWITCH: value},
        check=True,
        capture_output=True,
        timeout=120,
    )


def installed_version() -> str:
    """The installed shiboken6's version (from its metadata; nothing is imported)."""
    return importlib.metadata.version("shiboken6")


def unpacked_version(directory: Path) -> str | None:
    """The shiboken6 version ``directory`` was unpacked from (None: not by this tool)."""
    try:
        return (directory / VERSION_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def unpack() -> Path:
    """Rewrite ``files.dir`` from the installed shiboken6 and compile it; its path.

    The old copy goes first: shiboken6's ``SBK_EMBED=0`` keeps files already there, and a
    copy from an earlier version would run against the new binary. shiboken6 uses any
    files.dir it finds, so a copy that is not complete, compiled and importable is
    removed again, whatever stopped it: shiboken6 then uses the copy in its binary.
    """
    target = unpacked_dir()
    done = False
    try:
        _run_shiboken_switch("1")
        _run_shiboken_switch("0")
        if not (target / "shibokensupport").is_dir():
            raise RuntimeError(f"shiboken6 did not unpack its modules into {target}")
        if not compileall.compile_dir(target, quiet=1):
            raise RuntimeError(f"could not compile {target}")
        (target / VERSION_FILE).write_text(installed_version() + "\n", encoding="utf-8")
        subprocess.run(  # the proof: Qt imports with this copy
            [sys.executable, "-c", "import PySide6.QtCore"],
            env={k: v for k, v in os.environ.items() if k != EMBED_SWITCH},
            check=True,
            capture_output=True,
            timeout=120,
        )
        done = True
    finally:
        if not done:
            shutil.rmtree(target, ignore_errors=True)
    return target


def compiled_copy(destination: Path) -> Path:
    """A copy of the unpacked modules in ``destination``, with ``unchecked-hash`` byte code.

    Byte code checked by time stamp is rejected when a copy changes the files' times,
    and then compiled again on every start of a read-only installation. Unpacked afresh
    each time: a bundle must never carry modules of another shiboken6 than its own.
    """
    source = unpack()
    shutil.rmtree(destination, ignore_errors=True)
    shutil.copytree(source, destination, ignore=shutil.ignore_patterns("__pycache__"))
    if not compileall.compile_dir(
        destination, quiet=1, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    ):
        raise RuntimeError(f"could not compile {destination}")
    return destination


def loaded_from() -> str:
    """Where this process's shiboken6 took its support modules from (for ``--self-test``).

    An unpacked copy gives its directory; the copy inside the binary has only a relative
    name, since it was compiled from memory.
    """
    import shiboken6  # noqa: F401, PLC0415 - runs the bootstrap being asked about

    loader = sys.modules.get("shibokensupport.signature.loader")
    path = Path(getattr(loader, "__file__", "") or "")
    if not path.is_absolute():
        return "compiled at start from the copy inside shiboken6"
    return f"unpacked: {path.parents[2]}"


def main() -> int:
    """Unpack and compile into the running environment; print where."""
    try:
        target = unpack()
    except (OSError, RuntimeError, subprocess.SubprocessError) as exc:
        print(f"desktopchat: could not unpack shiboken6's modules: {exc}", file=sys.stderr)
        return 1
    print(target)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
