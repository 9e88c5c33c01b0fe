"""The command that starts this installation, whatever kind it is.

A launcher entry must start the copy of desktopchat that wrote it, not whichever
``desktopchat`` happens to be first on a PATH the desktop session may not even have:

- a frozen bundle (PyInstaller, the .deb's /opt/desktopchat): its own executable;
- a source checkout (an editable install): the checkout's ``.ci/app``, which keeps the
  checkout's virtualenv in step with ``pyproject.toml`` before it starts the app;
- a wheel installed by pip or pipx: the ``desktopchat`` console script that pip wrote
  beside this interpreter (a pipx venv's ``bin/``, or ``~/.local/bin`` for ``--user``);
- otherwise this interpreter with ``-m desktopchat``, which is always this installation.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path

import desktopchat

#: The console script's name (``[project.scripts]`` in pyproject.toml).
SCRIPT_NAME = "desktopchat"


def launch_command() -> list[str]:
    """The argv that starts this installation (arguments such as ``--start-in-tray`` follow)."""
    if getattr(sys, "frozen", False):
        return [str(Path(sys.executable).absolute())]
    checkout = checkout_launcher()
    if checkout is not None:
        return [str(checkout)]
    script = console_script()
    if script is not None:
        return [str(script)]
    return [str(Path(sys.executable).absolute()), "-m", "desktopchat"]


def checkout_launcher() -> Path | None:
    """``.ci/app`` of the source checkout this package is imported from, if it is one."""
    root = Path(desktopchat.__file__).resolve().parent.parent
    app = root / ".ci" / "app"
    if (root / "pyproject.toml").is_file() and _is_executable(app):
        return app
    return None


def console_script() -> Path | None:
    """The console script pip installed with this package: that of the scheme it lives in.

    A ``pip install --user`` puts the package in the user site and the script in
    ``~/.local/bin``; a venv (pipx's included) keeps both under its prefix. Matching the
    package's own directory keeps a second installation elsewhere from being picked.
    """
    package = Path(desktopchat.__file__).resolve().parent
    for scheme in (sysconfig.get_default_scheme(), f"{os.name}_user"):
        if scheme not in sysconfig.get_scheme_names():
            continue
        libraries = {sysconfig.get_path(key, scheme) for key in ("purelib", "platlib")}
        if not any(package.is_relative_to(Path(lib).resolve()) for lib in libraries):
            continue
        scripts = Path(sysconfig.get_path("scripts", scheme))
        candidate = scripts / (SCRIPT_NAME + (".exe" if os.name == "nt" else ""))
        if _is_executable(candidate):
            return candidate.absolute()
    return None


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)
