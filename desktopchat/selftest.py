"""``desktopchat --self-test``: prove an installation (source or frozen) really works.

Each check does the real thing: the app's own files (icons, .desktop file, metainfo)
found where this installation keeps them, a private hub on a free port, a throwaway account with a
session-only credential store, a message sent through the relay and received through
pysher, the window rendered offscreen showing it, and the keyring and notification
backends loaded. It prints one line per check and exits 0 only if all passed.
"""

from __future__ import annotations

import importlib
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

#: Seconds each waiting step may take before the check fails.
STEP_TIMEOUT = 20.0


class SelfTest:
    """Runs the checks in order, stopping at the first failure (later ones depend on it)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.lines: list[str] = []
        self.ok = True

    def check(self, name: str, action: Callable[[], str]) -> bool:
        """Run one check; record ``ok``/``FAILED`` with its detail."""
        if not self.ok:
            self.lines.append(f"skipped  {name} (an earlier check failed)")
            return False
        started = time.perf_counter()
        try:
            detail = action()
        except Exception as exc:  # a self-test reports every failure, whatever it is
            self.ok = False
            self.lines.append(f"FAILED   {name}: {type(exc).__name__}: {exc}")
            return False
        self.lines.append(
            f"ok       {name} ({(time.perf_counter() - started) * 1000:.0f} ms) {detail}"
        )
        return True


def run() -> int:
    """Run every check in a throwaway DESKTOPCHAT_HOME; print the report."""
    with tempfile.TemporaryDirectory(prefix="desktopchat-selftest-") as home:
        os.environ["DESKTOPCHAT_HOME"] = home
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        test = SelfTest(Path(home))
        _run_checks(test)
    print("desktopchat self-test")
    for line in test.lines:
        print(f"  {line}")
    print("result: " + ("PASSED" if test.ok else "FAILED"))
    return 0 if test.ok else 1


def _run_checks(test: SelfTest) -> None:
    test.check("icons, .desktop file and metainfo are found", _assets_found)
    checks = _Checks(test.home)
    try:
        test.check("hub starts on a free port", checks.start_hub)
        test.check("sign up a throwaway user (session-only credentials)", checks.sign_up)
        test.check("send through the relay, receive through pysher", checks.round_trip)
        test.check("react with a shortcode (the emoji data is inside)", checks.react)
        test.check("render the window offscreen", checks.render_window)
        test.check("PySide6's support modules load", _pyside_support)
        test.check("keyring backends load", checks.keyring_backends)
        test.check("notification backends load", checks.notification_backends)
    finally:
        checks.close()


def _pyside_support() -> str:
    """Where shiboken6's own modules came from: an unpacked, compiled copy saves ~25 ms a
    start (:mod:`desktopchat.tools.pyside_support`); the copy in its binary also works."""
    from desktopchat.tools.pyside_support import loaded_from  # noqa: PLC0415

    return loaded_from()


class _Checks:
    """The checks, sharing the hub, the login and the session between them."""

    def __init__(self, home: Path) -> None:
        from desktopchat.server.credentials import generate  # noqa: PLC0415
        from desktopchat.server.hub import HubConfig  # noqa: PLC0415
        from desktopchat.server.relay.service import RelayConfig  # noqa: PLC0415
        from desktopchat.server.runner import HubThread  # noqa: PLC0415
        from desktopchat.ui.app import application  # noqa: PLC0415 - after QT_QPA_PLATFORM

        self.app = application()
        self.hub = HubThread(
            HubConfig(generate(), port=0, relay=RelayConfig(data_dir=home / "hub"))
        )
        self.login: Any = None
        self.session: Any = None
        self.sent_id = 0

    def close(self) -> None:
        if self.session is not None:
            self.session.close()
        self.hub.stop()

    def start_hub(self) -> str:
        self.hub.start()
        return f"on port {self.hub.port}"

    def sign_up(self) -> str:
        from desktopchat.client.credentials import MemoryTokenStore  # noqa: PLC0415
        from desktopchat.client.login import Login  # noqa: PLC0415
        from desktopchat.client.relay_client import RelayClient  # noqa: PLC0415

        client = RelayClient(f"http://127.0.0.1:{self.hub.port}")
        name, password = f"selftest{secrets.randbelow(10**6)}", secrets.token_urlsafe(12)
        client.register(name, password, "Self Test")
        token, user = client.login(name, password)
        store = MemoryTokenStore()
        store.set(client.server_url, name, token)
        self.login = Login(client.server_url, token, user, client.server_info())
        return f"as {name}, token kept in {store.description}"

    def round_trip(self) -> str:
        from desktopchat.client.session import ChatSession  # noqa: PLC0415
        from desktopchat.paths import app_dirs  # noqa: PLC0415

        self.session = session = ChatSession(self.login, app_dirs().data)
        received: list[Any] = []
        subscribed: list[str] = []
        session.sync.messages_added.connect(lambda room, messages: received.extend(messages))
        session.bridge.subscribed.connect(subscribed.append)
        room = next(r for r in session.relay().rooms() if r.name == "general")
        session.sync.watch(room, backlog=10)
        session.start()
        _wait(lambda: bool(subscribed), "subscription to the room's channel")
        text = f"self-test {secrets.token_hex(4)}"
        started = time.perf_counter()
        session.relay().send("general", text, f"selftest-{secrets.token_hex(8)}")
        _wait(lambda: any(m.text == text for m in received), "message through pysher")
        self.sent_id = next(m.id for m in received if m.text == text)
        return f"sent and received in {(time.perf_counter() - started) * 1000:.0f} ms"

    def react(self) -> str:
        """The relay turns ``:thumbsup:`` into 👍 with the ``emoji`` package's data: a
        bundle missing that data would refuse every shortcode."""
        message = self.session.relay().react("general", self.sent_id, ":thumbsup:")
        glyphs = [reaction.emoji for reaction in message.reactions]
        if glyphs != ["\N{THUMBS UP SIGN}"]:
            raise RuntimeError(f"reactions after :thumbsup: are {glyphs!r}")
        return "stored as \N{THUMBS UP SIGN}"

    def render_window(self) -> str:
        from PySide6.QtGui import QGuiApplication  # noqa: PLC0415

        from desktopchat.client import settings as settings_file  # noqa: PLC0415
        from desktopchat.client.credentials import MemoryTokenStore  # noqa: PLC0415
        from desktopchat.paths import app_dirs  # noqa: PLC0415
        from desktopchat.ui.main_window import MainWindow  # noqa: PLC0415

        window = MainWindow(app_dirs(), settings_file.default_settings(), MemoryTokenStore(), [])
        window.resize(900, 600)
        window.show()
        window.attach(self.login)

        def shows_messages() -> bool:
            model = window.messages.model()
            return model is not None and model.rowCount() > 0

        _wait(shows_messages, "message in the window")
        image = window.grab().toImage()
        window.quit()
        if image.isNull() or image.width() < 100:
            raise RuntimeError("the window rendered nothing")
        return f"{image.width()}x{image.height()} px on '{QGuiApplication.platformName()}'"

    @staticmethod
    def keyring_backends() -> str:
        import keyring  # noqa: PLC0415

        modules = ("SecretService", "kwallet", "Windows", "macOS")
        for name in modules:
            importlib.import_module(f"keyring.backends.{name}")
        return f"loaded {', '.join(modules)}; active: {type(keyring.get_keyring()).__name__}"

    @staticmethod
    def notification_backends() -> str:
        importlib.import_module("desktop_notifier")
        loaded = ["desktop_notifier"]
        if sys.platform.startswith("linux"):
            importlib.import_module("desktopchat.client.notify.freedesktop")
            loaded.append("dbus_fast (freedesktop)")
        return "loaded " + ", ".join(loaded)


def _assets_found() -> str:
    """Every file a launcher, a notification and the window's icon need, where it is read."""
    from desktopchat import resources  # noqa: PLC0415

    names = [
        resources.APP_ICON_SVG,
        resources.DESKTOP_FILE,
        resources.METAINFO_FILE,
        *(f"icons/desktopchat-{size}.png" for size in resources.ICON_SIZES),
    ]
    missing = [name for name in names if resources.resource(name) is None]
    if missing:
        raise FileNotFoundError(f"not in {resources.assets()}: {', '.join(missing)}")
    return f"{len(names)} files in {resources.assets()}"


def _wait(condition: Callable[[], bool], what: str) -> None:
    """Process Qt events until ``condition`` holds, or fail after :data:`STEP_TIMEOUT`."""
    from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: PLC0415

    deadline = time.monotonic() + STEP_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"no {what} within {STEP_TIMEOUT:.0f} s")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
