"""Session tokens in the OS keyring — never in a plaintext file.

The backend must be one keyring itself recommends (``keyring.core.recommended``): a
plaintext backend such as ``keyrings.alt``'s would otherwise be picked without a word.
With no usable keyring the client says so and keeps the token for this session only.
Every keyring call runs on a worker thread with a timeout, because a Secret Service can
block on an unlock prompt or never answer; callers on the GUI thread go through ``tasks``.

``keyring`` is imported, and its backend chosen, only when a store is opened: the import
and the backend's start (D-Bus, entry points) cost the window 0.1 to 0.2 s, so the window
hands out a :class:`DeferredTokenStore` and opens it on a worker after its first paint.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, Protocol, TypeVar

from desktopchat.client.errors import CredentialStoreError

if TYPE_CHECKING:
    import keyring.backend

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

    @property
    def description(self) -> str:
        """Human-readable, for messages such as "token kept in: …"."""
        ...

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
        import keyring.errors  # noqa: PLC0415 - see the module docstring

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
        import keyring.errors  # noqa: PLC0415 - see the module docstring

        def delete() -> None:
            # Nothing stored is fine: it is already forgotten.
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                self._backend.delete_password(SERVICE, entry_name(server_url, username))

        self._call(delete)


def open_token_store(*, no_keyring: bool = False) -> tuple[TokenStore, str | None]:
    """The best store available, and a notice to show when it is session-only."""
    if no_keyring or os.environ.get(NO_KEYRING_ENV):
        return MemoryTokenStore(), "keyring disabled: you stay signed in for this session only"
    import keyring  # noqa: PLC0415 - see the module's docstring
    import keyring.core  # noqa: PLC0415

    backend = keyring.get_keyring()
    if not keyring.core.recommended(backend):
        name = type(backend).__module__ + "." + type(backend).__name__
        log.warning("no recommended keyring backend (got %s)", name)
        return MemoryTokenStore(), (
            "no usable system keyring (install and unlock one, e.g. GNOME Keyring or KWallet): "
            "you stay signed in for this session only"
        )
    return KeyringTokenStore(backend), None


class DeferredTokenStore:
    """The store of :func:`open_token_store`, opened on first use instead of up front.

    The window starts with this and calls :meth:`open` on a worker once it has painted;
    a login that needs a token first opens it itself (also on a worker). Opening happens
    once, whichever thread comes first; the others wait for it.
    """

    def __init__(self, *, no_keyring: bool = False) -> None:
        self._no_keyring = no_keyring
        self._lock = threading.Lock()
        self._store: TokenStore | None = None
        self._notice: str | None = None

    def open(self) -> str | None:
        """Open the store now if not yet; the notice to show when it is session-only."""
        self._opened()
        return self._notice

    def _opened(self) -> TokenStore:
        with self._lock:
            if self._store is None:
                self._store, self._notice = open_token_store(no_keyring=self._no_keyring)
            return self._store

    @property
    def description(self) -> str:
        """The opened store's description (opens it)."""
        return self._opened().description

    def get(self, server_url: str, username: str) -> str | None:
        return self._opened().get(server_url, username)

    def set(self, server_url: str, username: str, token: str) -> None:
        self._opened().set(server_url, username, token)

    def delete(self, server_url: str, username: str) -> None:
        self._opened().delete(server_url, username)
