"""The hub on this machine: find it, start it if needed, and log in to it as the local user.

A new user's first ``desktopchat`` (or ``tail``/``send``) must work with no questions: if no
hub answers on the embedded port, one is started as its own process — surviving the client,
so other windows and commands share it — and the local account is created by proving
access to the hub's secret file (mode 0600, same user), so no password exists to store.
"""

from __future__ import annotations

import getpass
import logging
import secrets
import subprocess
import sys
import time
from pathlib import Path

from desktopchat.client.domain import User
from desktopchat.client.errors import HubStartError, RelayError, RelayUnreachableError
from desktopchat.client.relay_client import RelayClient
from desktopchat.server import credentials as hub_credentials
from desktopchat.server.signing import local_login_signature

log = logging.getLogger(__name__)

#: How long a freshly started hub may take to answer.
START_TIMEOUT = 15.0


def hub_command() -> list[str]:
    """How to run ``desktopchat serve`` from this installation (source or frozen)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "serve"]
    return [sys.executable, "-m", "desktopchat", "serve"]


def is_hub_running(client: RelayClient) -> bool:
    """Whether a desktopchat hub answers at the client's URL."""
    try:
        client.server_info()
    except RelayUnreachableError:
        return False
    except RelayError as exc:
        raise HubStartError(
            f"{client.server_url} answers but is not a desktopchat hub ({exc}); "
            "free the port or set embedded_port in the settings"
        ) from exc
    return True


def ensure_hub(client: RelayClient, port: int, data_dir: Path, log_dir: Path) -> None:
    """Start the embedded hub in the background unless one already answers."""
    if is_hub_running(client):
        return
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    log_path = log_dir / "hub.log"
    with log_path.open("ab") as output:
        process = subprocess.Popen(  # noqa: S603 - our own executable, fixed arguments
            [*hub_command(), "--port", str(port), "--data-dir", str(data_dir)],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=output,
            start_new_session=True,  # survives the client, and its Ctrl-C
            close_fds=True,
        )
    log.info("started the embedded hub (pid %s) on port %s", process.pid, port)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            if is_hub_running(client):  # another client won the race to start it
                return
            tail = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-1:]
            raise HubStartError(
                f"the embedded hub exited at start: {' '.join(tail) or 'no output'}"
            )
        if is_hub_running(client):
            return
        time.sleep(0.05)  # polling a process we just spawned: there is nothing to wait on
    raise HubStartError(
        f"the embedded hub did not answer within {START_TIMEOUT:.0f} s; see {log_path}"
    )


#: The relay's limit on display names (characters).
MAX_DISPLAY_NAME = 64


def local_identity() -> tuple[str, str]:
    """The local account's username and display name, from the OS user.

    Both are made to pass the relay's rules (it refuses, say, a control or bidi-override
    character in a display name), so an odd login or GECOS field cannot block the login.
    """
    login = getpass.getuser()
    username = "".join(c for c in login if c.isascii() and (c.isalnum() or c in "._-"))
    username = username.lstrip("._-")[:32] or "me"
    display_name = login
    try:
        import pwd  # noqa: PLC0415 - POSIX only

        gecos = pwd.getpwnam(login).pw_gecos.split(",")[0].strip()
        display_name = gecos or login
    except (ImportError, KeyError):
        pass
    printable = "".join(c for c in display_name if c.isprintable())
    return username, printable.strip()[:MAX_DISPLAY_NAME].strip() or username


def local_login(client: RelayClient, data_dir: Path) -> tuple[str, User]:
    """Log in to the embedded hub as the local user, creating the account on first use."""
    try:
        secret = hub_credentials.load(data_dir).secret
    except (OSError, hub_credentials.CredentialsError) as exc:
        raise HubStartError(f"cannot read the embedded hub's credentials: {exc}") from exc
    username, display_name = local_identity()
    timestamp = int(time.time())
    # The relay accepts each signature once; the nonce lets two logins share a second.
    nonce = secrets.token_urlsafe(16)
    signature = local_login_signature(secret, username, timestamp, nonce)
    return client.local_login(username, display_name, timestamp, signature, nonce)


def default_data_dir(data_root: Path) -> Path:
    """Where ``desktopchat serve`` keeps the embedded hub's state by default."""
    return data_root / "hub"
