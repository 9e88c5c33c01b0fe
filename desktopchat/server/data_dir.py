"""The hub's and relay's data dir: made, and proved writable, before anything is kept in it.

A data dir that cannot be written (a file in its place, a read-only mount, no permission)
would otherwise surface as a traceback from whichever file is opened first; this says so
in one line, naming the directory, before the server starts.
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from desktopchat.server.relay.service import DATABASE_FILE


class DataDirError(Exception):
    """The data dir cannot be used; the message names it and says why."""


def prepare(data_dir: Path) -> None:
    """Create ``data_dir`` (owner-only) if needed and check that it can be written."""
    try:
        if data_dir.exists() and not data_dir.is_dir():
            raise DataDirError(f"the data dir {data_dir} is not a directory")
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tempfile.TemporaryFile(dir=data_dir, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise DataDirError(f"cannot write the data dir {data_dir}: {exc.strerror or exc}") from exc


def database_error(data_dir: Path, exc: sqlite3.Error) -> DataDirError:
    """The relay's database in ``data_dir`` failed to open: say which file, in one line."""
    return DataDirError(f"cannot open the database {data_dir / DATABASE_FILE}: {exc}")
