"""The hub's Pusher app credentials: given, or generated once and kept in the data dir.

The secret signs every private subscription and HTTP API call, so the file holding it is
created with mode 0600 and never world-readable, even for an instant.
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

CREDENTIALS_FILE = "hub-credentials.json"


@dataclass(frozen=True, slots=True)
class AppCredentials:
    """A Pusher app: numeric id (pusher-http-python refuses others), public key, secret."""

    app_id: str
    key: str
    secret: str

    def __repr__(self) -> str:  # never let the secret reach a log line
        return f"AppCredentials(app_id={self.app_id!r}, key={self.key!r}, secret='***')"


class CredentialsError(Exception):
    """Given or stored credentials are unusable; the message says which and why."""


def generate() -> AppCredentials:
    """Fresh random credentials in the shapes the official libraries accept."""
    return AppCredentials(
        app_id=str(100000 + secrets.randbelow(900000)),
        key=secrets.token_hex(10),
        secret=secrets.token_hex(16),
    )


def validate(creds: AppCredentials) -> AppCredentials:
    """Raise :class:`CredentialsError` for credentials the client libraries would reject."""
    if not (creds.app_id.isascii() and creds.app_id.isdigit()):  # not "²" or "٣"
        raise CredentialsError(f"app id must be numeric, got {creds.app_id!r}")
    for name, value in (("key", creds.key), ("secret", creds.secret)):
        if not value or not value.isascii() or not value.isprintable() or ":" in value:
            raise CredentialsError(f"app {name} must be non-empty printable ASCII without ':'")
    return creds


def load(data_dir: Path) -> AppCredentials:
    """The credentials stored in ``data_dir``; ``FileNotFoundError`` if there are none yet."""
    path = data_dir / CREDENTIALS_FILE
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return validate(AppCredentials(str(raw["app_id"]), str(raw["key"]), str(raw["secret"])))
    except (ValueError, KeyError, TypeError) as exc:
        raise CredentialsError(
            f"{path} is damaged ({exc}); move it away to generate new ones"
        ) from exc


def load_or_create(data_dir: Path) -> AppCredentials:
    """The credentials stored in ``data_dir``, generating and storing them on first start.

    Hubs started at the same moment on one data dir (two clients each starting the embedded
    hub) must agree: the first file written wins, and the others load it.
    """
    try:
        return load(data_dir)
    except FileNotFoundError:
        pass
    creds = generate()
    text = json.dumps({"app_id": creds.app_id, "key": creds.key, "secret": creds.secret})
    if _create_private(data_dir / CREDENTIALS_FILE, text):
        return creds
    return load(data_dir)


def _create_private(path: Path, text: str) -> bool:
    """Create ``path`` holding ``text``, owner-only from the first byte; False if it exists."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    # A temporary name of our own, then link(): it never replaces, and nobody reads half a
    # file. O_EXCL: the secret never goes into a file someone else could have opened.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        try:
            os.write(fd, text.encode())
            os.fsync(fd)
        finally:
            os.close(fd)
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    return True
