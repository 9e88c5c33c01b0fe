"""Session tokens: the OS keyring when one is recommended, session-only otherwise, never a file.

The keyring is an in-memory ``KeyringBackend`` installed with ``keyring.set_keyring``
(desktop-integration.md, "Credentials"); the previous backend is restored after each test.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.fail
import keyring.errors
import pytest
from pytestqt.qtbot import QtBot

from desktopchat import logs
from desktopchat.cli import build_parser
from desktopchat.client.credentials import (
    NO_KEYRING_ENV,
    SERVICE,
    KeyringTokenStore,
    MemoryTokenStore,
    entry_name,
    open_token_store,
)
from desktopchat.client.errors import CredentialStoreError
from desktopchat.client.session import ChatSession
from desktopchat.commands.common import client_context
from desktopchat.paths import app_dirs
from tests.unit.client.conftest import PASSWORD

#: The shortened keyring timeout of these tests (the real one is 10 s).
TIMEOUT = 0.3


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A recommended (priority 1) keyring that keeps passwords in a dict.

    ``viable = False`` keeps keyring's own auto-detection from ever choosing this class
    (every subclass registers itself); ``set_keyring`` installs it explicitly.
    """

    priority = 1
    viable = False

    def __init__(self) -> None:
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.passwords.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.passwords[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise keyring.errors.PasswordDeleteError("no such password") from None


class WeakKeyring(MemoryKeyring):
    """A backend keyring itself would not recommend (a plaintext file, say)."""

    priority = 0


class BlockingKeyring(MemoryKeyring):
    """A Secret Service waiting on an unlock prompt nobody answers."""

    def __init__(self, release: threading.Event) -> None:
        super().__init__()
        self.release = release
        self.calls = 0

    def get_password(self, service: str, username: str) -> str | None:
        self.calls += 1
        self.release.wait()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self.calls += 1
        self.release.wait()


class RefusingKeyring(MemoryKeyring):
    """A keyring that raises ``error`` on every call."""

    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def get_password(self, service: str, username: str) -> str | None:
        raise self.error

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.error

    def delete_password(self, service: str, username: str) -> None:
        raise self.error


@pytest.fixture
def install_keyring() -> Iterator[Callable[[keyring.backend.KeyringBackend], None]]:
    """Install backends with ``keyring.set_keyring``; the previous one comes back after."""
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring(
    install_keyring: Callable[[keyring.backend.KeyringBackend], None],
) -> MemoryKeyring:
    """A recommended in-memory keyring, installed."""
    backend = MemoryKeyring()
    install_keyring(backend)
    return backend


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set in teardown, so a blocked keyring call (and its worker thread) ends."""
    event = threading.Event()
    yield event
    event.set()


# -------------------------------------------------------------------------- choosing one


def test_a_recommended_keyring_is_used(memory_keyring: MemoryKeyring) -> None:
    store, notice = open_token_store()
    assert isinstance(store, KeyringTokenStore)
    assert notice is None
    assert "keyring" in store.description
    store.set("http://h:1", "alice", "tok-1")
    assert memory_keyring.passwords == {(SERVICE, entry_name("http://h:1", "alice")): "tok-1"}


@pytest.mark.parametrize("backend", [WeakKeyring, keyring.backends.fail.Keyring])
def test_no_recommended_keyring_means_session_only_and_says_so(
    install_keyring: Callable[[keyring.backend.KeyringBackend], None],
    backend: type[keyring.backend.KeyringBackend],
) -> None:
    weak = backend()
    install_keyring(weak)
    store, notice = open_token_store()
    assert isinstance(store, MemoryTokenStore)
    assert notice is not None
    assert "session only" in notice
    store.set("http://h:1", "alice", "tok")
    assert store.get("http://h:1", "alice") == "tok"
    if isinstance(weak, MemoryKeyring):
        assert weak.passwords == {}, "a plaintext keyring must never receive the token"


def test_no_keyring_argument_forces_session_only(memory_keyring: MemoryKeyring) -> None:
    store, notice = open_token_store(no_keyring=True)
    assert isinstance(store, MemoryTokenStore)
    assert notice is not None
    assert "session only" in notice
    store.set("http://h:1", "alice", "tok")
    assert memory_keyring.passwords == {}


def test_the_no_keyring_variable_forces_session_only(
    memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(NO_KEYRING_ENV, "1")
    store, notice = open_token_store()
    assert isinstance(store, MemoryTokenStore)
    assert notice is not None
    assert "session only" in notice


# ----------------------------------------------------------------------------- the store


def test_keyring_store_round_trip(memory_keyring: MemoryKeyring) -> None:
    store = KeyringTokenStore(memory_keyring, timeout=TIMEOUT)
    assert store.get("http://h:1", "alice") is None
    store.set("http://h:1", "alice", "tok-1")
    assert store.get("http://h:1", "alice") == "tok-1"
    store.set("http://h:1", "alice", "tok-2")
    assert store.get("http://h:1", "alice") == "tok-2"
    store.delete("http://h:1", "alice")
    assert store.get("http://h:1", "alice") is None
    assert memory_keyring.passwords == {}


def test_one_entry_per_server_and_user(memory_keyring: MemoryKeyring) -> None:
    store = KeyringTokenStore(memory_keyring, timeout=TIMEOUT)
    store.set("http://a:1", "alice", "a-alice")
    store.set("http://a:1", "bob", "a-bob")
    store.set("https://b", "alice", "b-alice")
    assert store.get("http://a:1", "alice") == "a-alice"
    assert store.get("http://a:1", "bob") == "a-bob"
    assert store.get("https://b", "alice") == "b-alice"
    assert set(memory_keyring.passwords) == {
        (SERVICE, "alice@http://a:1"),
        (SERVICE, "bob@http://a:1"),
        (SERVICE, "alice@https://b"),
    }
    store.delete("http://a:1", "alice")
    assert store.get("http://a:1", "bob") == "a-bob"
    assert store.get("https://b", "alice") == "b-alice"


def test_entry_names_differ_per_server_and_user() -> None:
    names = {
        entry_name("http://a:1", "alice"),
        entry_name("http://a:2", "alice"),
        entry_name("http://a:1", "bob"),
    }
    assert len(names) == 3


def test_deleting_a_missing_entry_is_fine(memory_keyring: MemoryKeyring) -> None:
    store = KeyringTokenStore(memory_keyring, timeout=TIMEOUT)
    store.delete("http://h:1", "nobody")
    memory = MemoryTokenStore()
    memory.delete("http://h:1", "nobody")
    assert memory.get("http://h:1", "nobody") is None


def test_memory_store_round_trip_and_forgets_with_the_process() -> None:
    store = MemoryTokenStore()
    store.set("http://h:1", "alice", "tok")
    store.set("http://h:1", "bob", "other")
    assert store.get("http://h:1", "alice") == "tok"
    store.delete("http://h:1", "alice")
    assert store.get("http://h:1", "alice") is None
    assert store.get("http://h:1", "bob") == "other"
    assert MemoryTokenStore().get("http://h:1", "bob") is None


# --------------------------------------------------------------------------- a bad keyring

STORE_CALLS: dict[str, Callable[[KeyringTokenStore], object]] = {
    "get": lambda store: store.get("http://h:1", "alice"),
    "set": lambda store: store.set("http://h:1", "alice", "tok"),
    "delete": lambda store: store.delete("http://h:1", "alice"),
}


@pytest.mark.parametrize("call", ["get", "set"])
def test_a_keyring_that_never_answers_times_out_with_credential_store_error(
    release: threading.Event, call: str
) -> None:
    backend = BlockingKeyring(release)
    store = KeyringTokenStore(backend, timeout=TIMEOUT)
    started = time.monotonic()
    with pytest.raises(CredentialStoreError, match="did not answer"):
        STORE_CALLS[call](store)
    assert time.monotonic() - started < TIMEOUT + 2.0, "the caller waited far past the timeout"
    assert backend.calls == 1


@pytest.mark.parametrize(
    "error",
    [
        keyring.errors.KeyringLocked("Failed to unlock the collection!"),
        keyring.errors.KeyringLocked(),
    ],
    ids=["with-message", "bare"],
)
@pytest.mark.parametrize("call", ["get", "set", "delete"])
def test_a_locked_keyring_raises_credential_store_error_saying_so(
    error: Exception, call: str
) -> None:
    store = KeyringTokenStore(RefusingKeyring(error), timeout=TIMEOUT)
    with pytest.raises(CredentialStoreError) as caught:
        STORE_CALLS[call](store)
    message = str(caught.value)
    assert "keyring" in message
    assert "lock" in message.lower(), f"the message does not say the keyring is locked: {message!r}"
    assert caught.value.__cause__ is error


def test_other_keyring_errors_become_credential_store_errors() -> None:
    store = KeyringTokenStore(RefusingKeyring(keyring.errors.InitError("no D-Bus")), TIMEOUT)
    with pytest.raises(CredentialStoreError, match="no D-Bus"):
        store.get("http://h:1", "alice")


# ---------------------------------------------------------------- never in a file on disk


def test_a_login_flow_writes_the_token_to_no_file(
    memory_keyring: MemoryKeyring,
    relay_url: str,
    desktopchat_home: Path,
    monkeypatch: pytest.MonkeyPatch,
    qtbot: QtBot,
) -> None:
    """register, login (the CLI's own code), open a session, send: then read every file."""
    dirs = app_dirs()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    logs.configure(dirs.logs, verbose=True)  # the most that is ever logged, to a file
    try:
        parser = build_parser()
        for command in ("register", "login"):
            monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
            args = parser.parse_args(
                [command, "--server", relay_url, "--username", "alice", "--password-stdin"]
            )
            assert args.run(args, dirs) == 0
        token = memory_keyring.passwords[(SERVICE, entry_name(relay_url, "alice"))]
        context = client_context(parser.parse_args(["tail", "--server", relay_url]), dirs)
        login = context.login()
        assert login.token == token
        session = ChatSession(login, dirs.data)
        try:
            with qtbot.waitSignal(session.outbox.sent, timeout=10_000):
                session.outbox.enqueue("general", "hello")
        finally:
            session.close()
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)
    files = [p for p in desktopchat_home.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert "settings.toml" in names, names
    assert "desktopchat.log" in names, names
    assert any(p.suffix == ".sqlite3" for p in files), names
    for path in files:
        assert token.encode() not in path.read_bytes(), f"the token is in {path}"
