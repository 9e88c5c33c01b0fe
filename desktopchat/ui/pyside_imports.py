"""A cheaper answer to the question PySide6 asks of every module imported after it.

Why: PySide6 replaces ``builtins.__import__`` to support its opt-in
``from __feature__ import snake_case`` syntax, and after each import it asks
``shibokensupport.feature._mod_uses_pyside(module)``: whether the module's source
contains "PySide6", found with :func:`inspect.getsource`. That looks the module up among
all loaded ones and reads and splits its source, for each of the ~300 modules the window
imports on its way to the first paint: 40 to 60 ms of its start-up here (a known PySide6
start-up cost; napari's issue #8584 traced the same).

:func:`install` swaps in the same test done directly: the standard library never imports
PySide6, and any other module's ``.py`` file is read and searched for the same string. A
module without a readable source file gets ``False``, as ``inspect`` would fail for it
(PySide's own check answers ``False`` then too). The app uses no ``__feature__`` at all,
so the answer only decides whether PySide records a module as "no feature" or "ignore".
If a future PySide6 drops the hook, :func:`install` does nothing.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from collections.abc import Callable
from types import ModuleType

_STDLIB = sysconfig.get_paths()["stdlib"] + os.sep
#: PySide's own check, once replaced (the tests compare the two).
replaced: Callable[[ModuleType], bool] | None = None


def uses_pyside(module: ModuleType) -> bool:
    """Whether ``module``'s source file mentions PySide6 (PySide's own test, directly)."""
    path = getattr(module, "__file__", None)
    if not isinstance(path, str) or not path.endswith(".py"):
        return False
    if path.startswith(_STDLIB) and "site-packages" not in path:
        return False
    try:
        with open(path, "rb") as source:
            return b"PySide6" in source.read()
    except OSError:
        return False


def install() -> None:
    """Use :func:`uses_pyside` for every import from now on (once PySide6 is loaded)."""
    import PySide6  # noqa: F401, PLC0415 - loads shiboken6 and its import hook

    global replaced  # noqa: PLW0603 - one hook per process, as PySide's own
    feature = sys.modules.get("shibokensupport.feature")
    own = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(own) or own is uses_pyside:
        return
    replaced = own
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
