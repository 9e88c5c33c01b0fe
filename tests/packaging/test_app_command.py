"""The README's first command, ``./.ci/app``, starts the checkout's code as an install would.

Run for real (``--version``, so no window): the venv exists, since the test command made it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_with_no_byte_code_writing_the_app_command_still_compiles_the_checkout() -> None:
    """PYTHONDONTWRITEBYTECODE (set in many container images) would make every start
    compile every module again; ``.ci/app`` writes the byte code once, as pip does."""
    compiled = REPO / "desktopchat" / "__pycache__"
    for pyc in compiled.glob("cli.*.pyc"):
        pyc.unlink()
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    result = subprocess.run(
        [str(REPO / ".ci" / "app"), "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "desktopchat" in result.stdout
    assert list(compiled.glob("cli.*.pyc")), "desktopchat/cli.py was not compiled"
