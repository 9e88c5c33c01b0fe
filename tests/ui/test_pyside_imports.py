"""PySide6's per-import question gets the same answer, without ``inspect``'s cost."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from desktopchat.ui import pyside_imports


def test_every_loaded_module_gets_the_answer_pyside_itself_gives() -> None:
    own = pyside_imports.replaced
    assert own is not None, "the window's package did not install the cheaper check"
    modules = [m for m in list(sys.modules.values()) if m is not None]
    assert len(modules) > 300
    differ = [m.__name__ for m in modules if pyside_imports.uses_pyside(m) != bool(own(m))]
    assert differ == []
    assert any(pyside_imports.uses_pyside(m) for m in modules)  # ours, which use PySide6


def test_importing_the_window_package_installs_it_in_a_fresh_process() -> None:
    code = textwrap.dedent(
        """
        import sys
        import desktopchat.ui
        from desktopchat.ui import pyside_imports
        feature = sys.modules["shibokensupport.feature"]
        print(feature._mod_uses_pyside is pyside_imports.uses_pyside)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "True"
