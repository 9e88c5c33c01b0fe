"""Files made for a message that exist nowhere else: pasted images, until they are sent.

A screenshot pasted into the composer has no file of its own, yet the outbox keeps only
paths (so a queued message survives a restart). The image is written here, under the
app's data directory (not ``/tmp``, which a reboot or a cleaner may empty while the
message still waits), and removed once the message is stored, given up on, or the file
is taken out of the pending tray: nothing here outlives its message. What a crash left
behind (a paste never sent, a message whose removal was cut short) is swept at the next
start (:meth:`Staging.sweep`). Each server-and-user database has its own directory, so
one profile's sweep never touches another's queued files.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

log = logging.getLogger(__name__)

#: What a file name keeps of a suggested one: no path parts, no control characters.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\]")


def pasted_image_name(moment: datetime) -> str:
    """A pasted image's name, as a screenshot tool names one: ``Pasted image 2026-12-01
    16.45.12.png`` (dots, not colons: a colon is not allowed in a Windows file name)."""
    return f"Pasted image {moment:%Y-%m-%d %H.%M.%S}.png"


class Staging:
    """The staging directory of one data directory (created on first use)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def new_path(self, name: str) -> Path:
        """A fresh path named ``name`` (its own sub-directory: two pastes in one second
        keep their names and never overwrite each other)."""
        safe = _UNSAFE.sub("_", name).strip() or "file"
        folder = self.directory / uuid.uuid4().hex
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return folder / safe

    def owns(self, path: str | Path) -> bool:
        """Whether ``path`` is a file staged here (anything else is the user's own)."""
        try:
            return Path(path).absolute().is_relative_to(self.directory.absolute())
        except ValueError:  # pragma: no cover - different drives on Windows
            return False

    def sweep(self, keep: Iterable[str | Path]) -> int:
        """Remove every staged file but those in ``keep`` (the outbox's); how many went."""
        kept = {Path(p).absolute() for p in keep}
        if not self.directory.is_dir():
            return 0
        stale = [
            path
            for path in self.directory.glob("*/*")
            if path.is_file() and path.absolute() not in kept
        ]
        self.release(stale)
        for folder in self.directory.iterdir():  # empty ones a cut-short removal left
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()
        return len(stale)

    def release(self, paths: Iterable[str | Path]) -> None:
        """Remove those of ``paths`` staged here (their message went or was given up)."""
        for path in map(Path, paths):
            if not self.owns(path):
                continue
            try:
                path.unlink(missing_ok=True)
                if path.parent != self.directory:
                    path.parent.rmdir()
            except OSError as exc:  # kept; harmless, and named for whoever looks
                log.info("could not remove the staged file %s: %s", path.name, exc)
