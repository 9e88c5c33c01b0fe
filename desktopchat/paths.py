"""Where desktopchat writes: the platform's directories, or all under ``DESKTOPCHAT_HOME``.

Every file the program writes goes under one of these four, so ``DESKTOPCHAT_HOME=DIR``
(which tests always set) relocates all of it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "desktopchat"
HOME_ENV = "DESKTOPCHAT_HOME"


@dataclass(frozen=True, slots=True)
class AppDirs:
    """The four directories desktopchat writes to."""

    config: Path
    data: Path
    cache: Path
    logs: Path


def app_dirs() -> AppDirs:
    """The directories for this user, honouring ``DESKTOPCHAT_HOME``."""
    home = os.environ.get(HOME_ENV)
    if home:
        root = Path(home).expanduser().resolve()
        return AppDirs(root / "config", root / "data", root / "cache", root / "logs")
    dirs = platformdirs.PlatformDirs(APP_NAME, appauthor=False)
    return AppDirs(
        Path(dirs.user_config_dir),
        Path(dirs.user_data_dir),
        Path(dirs.user_cache_dir),
        Path(dirs.user_log_dir),
    )
