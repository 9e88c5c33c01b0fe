"""Session tokens in the OS keyring — never in a plaintext file.

The backend must be one keyring itself recommends (``keyring.core.recommended``): a
plaintext backend such as ``keyrings.alt``'s would otherwise be picked without a word.
With no usable keyring the client says so and keeps the token for this session only.
Every keyring call runs on a worker thread with a timeout, because a Secret Service can
block on an unlock prompt or never answer; callers on the GUI thread go through ``tasks``.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Protocol, TypeVar

import keyring
import keyring.core
import keyring.errors

from desktopchat.client.errors import CredentialStoreError

log = logging.getLogger(__name__)
T = TypeVar("T")

SERVICE = "desktopchat"
#: Forces session-only credentials (the CLI's ``--no-keyring`` sets it too).
NO_KEYRING_ENV = "DESKTOPCHAT_NO_KEYRING"
#: A token given by the environment wins over any stored one (bots, CI jobs).
TOKEN_ENV = "DESKTOPCHAT_TOKEN"  # noqa: S105 - the variable's name
#: Seconds a keyring call may take before the keyring counts as unusable.
KEYRING_TIMEOUT = 10.0


def entry_name(server_url: str, username: str) -> str:
    """The keyring entry of one user on one server."""
    return f"{username}@{server_url}"


class TokenStore(Protocol):
    """Where session tokens are kept."""

    #: Human-readable, for messages such as "token kept in: …".
    description: str

    def get(self, server_url: str, username: str) -> str | None:
        """The stored token, if any."""
        ...

    def set(self, server_url: str, username: str, token: str) -> None:
        """Store a token."""
        ...

    def delete(self, server_url: str, username: str) -> None:
        """Forget a token (no error if there was none)."""
        ...


class MemoryTokenStore:
    """Session-only: tokens are forgotten when the process ends."""

    description = "this session only (no keyring)"

    def __init__(self) -> None:
        self._tokens: dict[str, str] = {}

    def get(self, server_url: str, username: str) -> str | None:
        return self._tokens.get(entry_name(server_url, username))

    def set(self, server_url: str, username: str, token: str) -> None:
        self._tokens[entry_name(server_url, username)] = token

    def delete(self, server_url: str, username: str) -> None:
        self._tokens.pop(entry_name(server_url, username), None)


class KeyringTokenStore:
    """The OS keyring, each call bounded by :data:`KEYRING_TIMEOUT`."""

    def __init__(
        self, backend: keyring.backend.KeyringBackend, timeout: float = KEYRING_TIMEOUT
    ) -> None:
        self._backend = backend
        self._timeout = timeout
        self._worker = ThreadPoolExecutor(1, thread_name_prefix="keyring")
        name = type(backend).__module__.removeprefix("keyring.backends.")
        self.description = f"the system keyring ({name})"

    def _call(self, fn: Callable[[], T]) -> T:
        future = self._worker.submit(fn)
        try:
            return future.result(self._timeout)
        except FutureTimeout:
            raise CredentialStoreError(
                f"the keyring did not answer within {self._timeout:.0f} s (locked?)"
            ) from None
        except keyring.errors.KeyringError as exc:
            raise CredentialStoreError(
                f"the keyring refused: {str(exc) or type(exc).__name__}"
            ) from exc

    def get(self, server_url: str, username: str) -> str | None:
        return self._call(
            lambda: self._backend.get_password(SERVICE, entry_name(server_url, username))
        )

    def set(self, server_url: str, username: str, token: str) -> None:
        self._call(
            lambda: self._backend.set_password(SERVICE, entry_name(server_url, username), token)
        )

    def delete(self, server_url: str, username: str) -> None:
        def delete() -> None:
            # Nothing stored is fine: it is already forgotten.
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self._backend.delete_password(SERVICE, entry_name(server_url, username))

        self._call(delete)


def open_token_store(*, no_keyring: bool = False) -> tuple[TokenStore, str | None]:
    """The best store available, and a notice to show when it is session-only."""
    if no_keyring or os.environ.get(NO_KEYRING_ENV):
        return MemoryTokenStore(), "keyring disabled: you stay signed in for this session only"
    backend = keyring.get_keyring()
    if not keyring.core.recommended(backend):
        name = type(backend).__module__ + "." + type(backend).__name__
        log.warning("no recommended keyring backend (got %s)", name)
        return MemoryTokenStore(), (
            "no usable system keyring (install and unlock one, e.g. GNOME Keyring or KWallet): "
            "you stay signed in for this session only"
        )
    return KeyringTokenStore(backend), None
