"""shiboken6's own start-up modules come unpacked and compiled (tools/pyside_support.py).

Inside shiboken6's binary they are compiled from source on every ``import PySide6``; the
setup step (.ci/lib.sh) and build.spec unpack them, with byte code, where shiboken6 looks.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktopchat.tools import pyside_support

#: Byte code header flags (PEP 552): hash-based, and not checked against the source.
UNCHECKED_HASH_FLAGS = 0b01


def _flags(pyc: Path) -> int:
    return int.from_bytes(pyc.read_bytes()[4:8], "little")


def test_this_environment_imports_them_unpacked_with_byte_code() -> None:
    """The test command's setup ran the step: a fresh interpreter takes them from files.dir."""
    unpacked = pyside_support.unpacked_dir()
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from desktopchat.tools import pyside_support as p;print(p.loaded_from())",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={k: v for k, v in os.environ.items() if k != pyside_support.EMBED_SWITCH},
    )
    assert result.stdout.strip() == f"unpacked: {unpacked}"
    # ...from the shiboken6 installed now, not left behind by an earlier one
    assert pyside_support.unpacked_version(unpacked) == pyside_support.installed_version()
    sources = sorted(unpacked.rglob("*.py"))
    assert any(p.name == "loader.py" for p in sources)
    for source in sources:
        pyc = Path(importlib.util.cache_from_source(str(source)))
        assert pyc.is_file(), f"{source} has no byte code"


def test_an_unpacking_that_stops_halfway_leaves_no_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """shiboken6 uses any files.dir it finds: a partial one would stop every start (Qt's
    import aborts), so it goes, and shiboken6 uses the copy in its binary."""
    target = tmp_path / "shiboken6" / pyside_support.UNPACKED_NAME
    monkeypatch.setattr(pyside_support, "unpacked_dir", lambda: target)

    def halfway(value: str) -> None:
        if value == "0":  # shiboken6 writes some files, then is stopped
            (target / "shibokensupport").mkdir(parents=True)
            (target / "shibokensupport" / "__init__.py").write_text("")
            raise KeyboardInterrupt

    monkeypatch.setattr(pyside_support, "_run_shiboken_switch", halfway)
    with pytest.raises(KeyboardInterrupt):
        pyside_support.unpack()
    assert not target.exists()


def test_the_bundles_copy_keeps_valid_byte_code_wherever_it_is_copied(tmp_path: Path) -> None:
    copy = pyside_support.compiled_copy(tmp_path / "files.dir")
    sources = sorted(copy.rglob("*.py"))
    assert {p.name for p in sources} >= {"loader.py", "parser.py", "signature_bootstrap.py"}
    for source in sources:
        pyc = Path(importlib.util.cache_from_source(str(source)))
        assert _flags(pyc) == UNCHECKED_HASH_FLAGS, source
    assert pyside_support.unpacked_version(copy) == pyside_support.installed_version()
