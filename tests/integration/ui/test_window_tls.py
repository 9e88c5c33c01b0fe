"""The window on a hub serving a self-signed certificate: it asks once, then pins.

The real MainWindow opens a profile on a real TLS hub; the trust question shows the
fingerprint the hub serves. Trusting pins it and connects (relay over https, pysher over
wss); declining pins nothing and sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from desktopchat.client.avatar_download import download_avatar
from desktopchat.client.credentials import MemoryTokenStore
from desktopchat.client.settings import Profile, Settings
from desktopchat.client.trust import KnownHosts
from desktopchat.paths import app_dirs
from desktopchat.ui.main_window import MainWindow
from tests.integration.test_tls_hub import pinned_session, signed_up
from tests.integration.tls_fixtures import TlsHub
from tests.integration.ui.conftest import QT_CLEAN, WAIT_MS, close_window, connected, shows_room

pytestmark = QT_CLEAN


@pytest.fixture
def window_on(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[TlsHub], MainWindow]]:
    """A window opening alice's profile on a TLS hub (her token in the store)."""
    monkeypatch.delenv("DESKTOPCHAT_TOKEN", raising=False)
    windows: list[MainWindow] = []

    def open_on(hub: TlsHub) -> MainWindow:
        alice = signed_up(hub.url, "alice", hub.fingerprint)
        store = MemoryTokenStore()
        store.set(hub.url, "alice", str(alice.token))
        profile = Profile("tls", hub.url, "alice")
        window = MainWindow(
            app_dirs(), Settings(profiles={"tls": profile}, current="tls"), store, []
        )
        windows.append(window)
        window.show()
        window.open_profile(profile)
        return window

    yield open_on
    for window in windows:
        if window.flow.trust_prompt is not None:
            window.flow.trust_prompt.reject()
        close_window(qtbot, window)


def test_the_window_asks_once_and_pins_the_fingerprint(
    qtbot: QtBot, tls_hub: TlsHub, window_on: Callable[[TlsHub], MainWindow], desktopchat_home: Path
) -> None:
    window = window_on(tls_hub)
    qtbot.waitUntil(lambda: window.flow.trust_prompt is not None, timeout=WAIT_MS)
    prompt = window.flow.trust_prompt
    assert prompt is not None
    assert tls_hub.fingerprint in prompt.informativeText()
    assert tls_hub.url in prompt.text()
    assert prompt.defaultButton() is prompt.cancel_button, "Enter must not trust"
    assert window.session is None, "nothing connects before the answer"
    prompt.trust_button.click()
    qtbot.waitUntil(lambda: shows_room(window, "general"), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: connected(window), timeout=WAIT_MS)  # pysher over wss, pinned
    assert KnownHosts(desktopchat_home / "data").pin_for(tls_hub.url) == tls_hub.fingerprint
    assert window.flow.trust_prompt is None


def test_declining_pins_nothing_and_stays_disconnected(
    qtbot: QtBot, tls_hub: TlsHub, window_on: Callable[[TlsHub], MainWindow], desktopchat_home: Path
) -> None:
    window = window_on(tls_hub)
    qtbot.waitUntil(lambda: window.flow.trust_prompt is not None, timeout=WAIT_MS)
    prompt = window.flow.trust_prompt
    assert prompt is not None
    prompt.cancel_button.click()
    qtbot.waitUntil(lambda: window.flow.trust_prompt is None, timeout=WAIT_MS)
    assert window.session is None
    assert KnownHosts(desktopchat_home / "data").pin_for(tls_hub.url) is None
    assert "certificate" in window.notice.current_message()


def test_avatars_come_from_a_pinned_hub_too(tls_hub: TlsHub, desktopchat_home: Path) -> None:
    signed_up(tls_hub.url, "alice", tls_hub.fingerprint)
    url = f"{tls_hub.url}/api/avatars/1.svg"
    known = KnownHosts(desktopchat_home / "data")
    assert download_avatar(url, known) is None, "not pinned yet: refused like the relay"
    known.pin(tls_hub.url, tls_hub.fingerprint)
    data = download_avatar(url, known)
    assert data is not None
    assert b"<svg" in data


def test_signing_up_on_a_self_signed_hub_asks_before_the_password_is_sent(
    qtbot: QtBot, tls_hub: TlsHub, monkeypatch: pytest.MonkeyPatch, desktopchat_home: Path
) -> None:
    monkeypatch.delenv("DESKTOPCHAT_TOKEN", raising=False)
    local = Profile("local", "embedded", None)
    window = MainWindow(app_dirs(), Settings(profiles={"local": local}), MemoryTokenStore(), [])
    try:
        window.show()
        window.show_sign_in(tls_hub.url)
        dialog = window.flow.dialog
        assert dialog is not None
        dialog.username.setText("carol")
        dialog.password.setText("correct horse battery")
        dialog.new_account.setChecked(True)
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
        qtbot.waitUntil(lambda: window.flow.trust_prompt is not None, timeout=WAIT_MS)
        prompt = window.flow.trust_prompt
        assert prompt is not None
        assert tls_hub.fingerprint in prompt.informativeText()
        # Nothing reached the relay: the account does not exist yet.
        with pinned_session(tls_hub.fingerprint) as session:
            login = session.post(
                tls_hub.url + "/api/sessions",
                json={"username": "carol", "password": "correct horse battery"},
                timeout=WAIT_MS / 1000,
            )
        assert login.status_code == 401, login.text
        prompt.trust_button.click()
        qtbot.waitUntil(lambda: connected(window), timeout=WAIT_MS)
        assert window.controller is not None
        assert window.controller.user.username == "carol"
    finally:
        if window.flow.trust_prompt is not None:
            window.flow.trust_prompt.reject()
        close_window(qtbot, window)
