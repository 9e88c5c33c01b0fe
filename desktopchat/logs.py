"""Logging set-up shared by every command: stderr for people, a rotating file for bug reports."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_CHATTY_LIBRARIES = ("pysher", "websocket")


def configure(log_dir: Path, *, verbose: bool = False, file_name: str = "desktopchat.log") -> None:
    """Log WARNING+ (INFO+ with ``verbose``) to stderr and INFO+ to ``log_dir/file_name``.

    pysher logs every frame, message bodies and auth signatures included, at INFO on
    ``pysher.connection``; it is held at WARNING whatever the verbosity.
    """
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = logging.StreamHandler()
    console.setLevel(logging.INFO if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    if not verbose:
        # pysher and websocket-client report every dropped connection at ERROR; the
        # client says the same in words ("offline; retrying in 2 s"). The file keeps them.
        console.addFilter(lambda record: not record.name.startswith(_CHATTY_LIBRARIES))
    root.addHandler(console)
    try:
        log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        file_handler = logging.handlers.RotatingFileHandler(
            log_dir / file_name, maxBytes=2_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError as exc:
        logging.getLogger(__name__).warning("not logging to %s: %s", log_dir, exc)
    else:
        file_handler.setLevel(logging.INFO)
        file_handler.setFormatter(logging.Formatter(_FORMAT))
        root.addHandler(file_handler)
    for noisy in ("pysher", "websocket", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
