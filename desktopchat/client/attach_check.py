"""Which local files a message may carry, decided before anything is queued.

The relay refuses a file over its limit (``/api/config``'s ``max_file_bytes``) and more
than :data:`MAX_FILES` files in one message; a folder or a file that cannot be read
could never be uploaded. Saying so when the file is picked, in words, beats a message
that waits in the outbox and fails minutes later.
"""

from __future__ import annotations

import os
from pathlib import Path

from desktopchat.client.sizes import human_size

#: Files per message: the relay's own limit (``server/relay/limits.py``,
#: ``MAX_ATTACHMENTS``); it is not in ``/api/config``, so the client knows it too.
MAX_FILES = 10


def refusal(path: Path, max_bytes: int | None) -> str | None:
    """Why ``path`` cannot be sent, in a sentence for the user; ``None``: it can."""
    name = path.name or str(path)
    if path.is_dir():
        return f"{name} is a folder: pick the files inside it."
    if not path.is_file():
        return f"{name} is not a file that can be sent."
    if not os.access(path, os.R_OK):
        return f"{name} cannot be read (no permission)."
    try:
        size = path.stat().st_size
        with path.open("rb"):
            pass
    except OSError as exc:
        return f"{name} cannot be read: {exc.strerror or exc}."
    if max_bytes is not None and size > max_bytes:
        return (
            f"{name} is {human_size(size)}: the server takes files up to {human_size(max_bytes)}."
        )
    return None


def too_many(left_out: int) -> str:
    """What is said when ``left_out`` files would take a message past :data:`MAX_FILES`."""
    files = "file was" if left_out == 1 else "files were"
    return f"A message carries at most {MAX_FILES} files: {left_out} {files} left out."
