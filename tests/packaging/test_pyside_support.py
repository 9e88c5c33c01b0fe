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
    sources = sorted(unpacked.rglob("*.py"))
    assert any(p.name == "loader.py" for p in sources)
    for source in sources:
        pyc = Path(importlib.util.cache_from_source(str(source)))
        assert pyc.is_file(), f"{source} has no byte code"


def test_the_bundles_copy_keeps_valid_byte_code_wherever_it_is_copied(tmp_path: Path) -> None:
    copy = pyside_support.compiled_copy(tmp_path / "files.dir")
    sources = sorted(copy.rglob("*.py"))
    assert {p.name for p in sources} >= {"loader.py", "parser.py", "signature_bootstrap.py"}
    for source in sources:
        pyc = Path(importlib.util.cache_from_source(str(source)))
        assert _flags(pyc) == UNCHECKED_HASH_FLAGS, source
