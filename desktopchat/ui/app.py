"""Starting the window: the QApplication, settings, the keyring, then the main window."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from desktopchat import __version__
from desktopchat.client import settings as settings_file
from desktopchat.client.credentials import open_token_store
from desktopchat.client.errors import DesktopChatError, SettingsError
from desktopchat.client.notify.portable import set_windows_app_id
from desktopchat.client.trust import KnownHosts
from desktopchat.paths import AppDirs
from desktopchat.ui import entry_offer, theme
from desktopchat.ui.main_window import MainWindow
from desktopchat.xdg.entry import ENTRY_ID

log = logging.getLogger(__name__)

#: The installed .desktop file's ID (notifications use it as ``desktop-entry`` too).
DESKTOP_FILE = ENTRY_ID
#: ``1``: print ``first-paint SECONDS`` to stderr once messages are painted, then quit;
#: ``keep``: print it and keep running. For tests/benchmarks (start-up to a usable window).
REPORT_FIRST_PAINT_ENV = "DESKTOPCHAT_REPORT_FIRST_PAINT"
_IMPORTED_AT = time.monotonic()


def application() -> QApplication:
    """The QApplication, named so the desktop links windows and notifications to the app."""
    set_windows_app_id()  # before any window: Windows ties toasts to it
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # noqa: S101 - the window needs widgets
    app.setApplicationName("desktopchat")
    app.setApplicationDisplayName("desktopchat")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(DESKTOP_FILE)
    return app


def run(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Open the window on the chosen profile and run until it closes."""
    app = application()
    try:
        settings = settings_file.load(dirs.config)
    except SettingsError as exc:
        print(f"desktopchat: {exc}", file=sys.stderr)
        return 2
    store, notice = open_token_store(no_keyring=args.no_keyring)
    ui_state = (settings.extra or {}).get("ui", {})
    theme.apply(str(ui_state.get("theme", "system")) if isinstance(ui_state, dict) else "system")
    window = MainWindow(dirs, settings, store, [notice] if notice else [])
    if getattr(args, "start_in_tray", False) and window.tray.available:
        window.hide()
    else:
        if getattr(args, "start_in_tray", False):
            log.warning("--start-in-tray: this desktop has no system tray; showing the window")
        window.show()
        entry_offer.offer(window, window.live)
    report = os.environ.get(REPORT_FIRST_PAINT_ENV)
    if report in ("1", "keep"):
        _FirstPaintReporter(window, quit_after=report == "1")
    profile = settings.for_server(args.server)
    if getattr(args, "trust_fingerprint", None):
        try:
            KnownHosts(dirs.data).trust(settings.server_url(profile), args.trust_fingerprint)
        except (DesktopChatError, ValueError) as exc:
            print(f"desktopchat: {exc}", file=sys.stderr)
            return 1
    window.open_profile(profile)
    return app.exec()


class _FirstPaintReporter(QObject):
    """Benchmark hook: how long from process start until the window shows messages.

    Start-up is only over for a user once history is on screen, which no log line or
    signal tells from outside; so this watches the message list's viewport and, after the
    first paint that had the newest message in view, prints the seconds since the process
    started. Only installed when :data:`REPORT_FIRST_PAINT_ENV` is set.
    """

    def __init__(self, window: MainWindow, *, quit_after: bool) -> None:
        super().__init__(window)
        self._window = window
        self._quit_after = quit_after
        window.messages.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """On a paint showing the newest message, report once this paint is done."""
        view = self._window.messages
        model = view.model()
        if event.type() == QEvent.Type.Paint and model is not None and model.rowCount() > 0:
            newest = view.visualRect(model.index(model.rowCount() - 1, 0))
            if newest.intersects(view.viewport().rect()):
                watched.removeEventFilter(self)
                QTimer.singleShot(0, self._report)
        return False

    def _report(self) -> None:
        print(f"first-paint {_seconds_since_start():.3f}", file=sys.stderr, flush=True)
        if self._quit_after:
            self._window.quit()
            QApplication.quit()


def _seconds_since_start() -> float:
    """Seconds since the process started (Linux: /proc, 10 ms ticks; else since import)."""
    try:
        after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(after_name[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic() - _IMPORTED_AT
