"""Starting the window: the QApplication, settings and the main window, then the rest.

The path to the first paint of history does only what that paint needs. The keyring (its
import and backend start cost 0.1 to 0.2 s) and the desktop's notification service (D-Bus,
0.05 to 0.2 s) are opened once the message list has painted, or after
:data:`SERVICES_GRACE_MS` if it has nothing to paint yet (no session); HTTP, pysher and
TLS code are imported by the code that uses them, on workers or when connecting.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

from desktopchat import __version__, startup_gc
from desktopchat.client import settings as settings_file
from desktopchat.client.credentials import DeferredTokenStore
from desktopchat.client.errors import DesktopChatError, SettingsError
from desktopchat.client.trust import KnownHosts
from desktopchat.paths import AppDirs
from desktopchat.ui import theme
from desktopchat.ui.main_window import MainWindow
from desktopchat.xdg.entry import ENTRY_ID

log = logging.getLogger(__name__)

#: The installed .desktop file's ID (notifications use it as ``desktop-entry`` too).
DESKTOP_FILE = ENTRY_ID
#: ``1``: print ``first-paint SECONDS`` to stderr once messages are painted, then quit;
#: ``keep``: print it and keep running. For tests/benchmarks (start-up to a usable window).
REPORT_FIRST_PAINT_ENV = "DESKTOPCHAT_REPORT_FIRST_PAINT"
#: Start the keyring and notifications this long after showing the window at the latest.
SERVICES_GRACE_MS = 1500
_IMPORTED_AT = time.monotonic()


def application() -> QApplication:
    """The QApplication, named so the desktop links windows and notifications to the app."""
    if sys.platform == "win32":  # before any window: Windows ties toasts to it
        from desktopchat.client.notify.portable import set_windows_app_id  # noqa: PLC0415

        set_windows_app_id()
    _use_bundled_plugins()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)  # noqa: S101 - the window needs widgets
    app.setApplicationName("desktopchat")
    app.setApplicationDisplayName("desktopchat")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(DESKTOP_FILE)
    return app


def _use_bundled_plugins() -> None:
    """In the frozen app on Linux, Qt's plugins come from the bundle only.

    build.spec drops PyInstaller's PySide6 runtime hook there (it imported Qt into every
    process of the executable, the hub's too). That hook also set ``QT_PLUGIN_PATH`` to
    the bundle's plugins, hiding any the user's environment names (NixOS and some KDE or
    qt6ct setups set it): plugins built for another Qt, platform themes and input methods
    above all, can crash this one. Setting Qt's library paths in the process does the
    same without exporting anything to the programs the app opens.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle and sys.platform.startswith("linux"):
        QApplication.setLibraryPaths([str(Path(bundle) / "PySide6" / "Qt" / "plugins")])


def run(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Open the window on the chosen profile and run until it closes."""
    app = application()
    try:
        settings = settings_file.load(dirs.config)
    except SettingsError as exc:
        print(f"desktopchat: {exc}", file=sys.stderr)
        return 2
    store = DeferredTokenStore(no_keyring=args.no_keyring)
    ui_state = (settings.extra or {}).get("ui", {})
    theme.apply(str(ui_state.get("theme", "system")) if isinstance(ui_state, dict) else "system")
    window = MainWindow(dirs, settings, store, [], defer_services=True)
    if getattr(args, "start_in_tray", False) and window.tray.available:
        window.hide()
    else:
        if getattr(args, "start_in_tray", False):
            log.warning("--start-in-tray: this desktop has no system tray; showing the window")
        window.show()
    painted = _HistoryPainted(window)
    report = os.environ.get(REPORT_FIRST_PAINT_ENV)
    if report in ("1", "keep"):
        quit_after = report == "1"
        painted.painted.connect(lambda: _report_first_paint(window, quit_after=quit_after))
    _start_services_later(window, store, painted)
    profile = settings.for_server(args.server)
    if getattr(args, "trust_fingerprint", None):
        try:
            KnownHosts(dirs.data).trust(settings.server_url(profile), args.trust_fingerprint)
        except (DesktopChatError, ValueError) as exc:
            print(f"desktopchat: {exc}", file=sys.stderr)
            return 1
    window.open_profile(profile)
    return app.exec()


def _start_services_later(
    window: MainWindow, store: DeferredTokenStore, painted: _HistoryPainted
) -> None:
    """Once history is on screen (or after the grace time): the garbage collector back
    on (:mod:`desktopchat.startup_gc`), notifications, the keyring, and on a first start
    the offer of a menu entry (:mod:`.entry_offer`).

    The keyring opens on a worker; a login that needs a token meanwhile opens it itself.
    """
    started = False

    def start() -> None:
        nonlocal started
        if started:
            return
        started = True
        startup_gc.resume()
        window.start_services()
        window.tasks.run(store.open, window.add_notice)
        if window.isVisible():  # not to a window started in the tray
            from desktopchat.ui import entry_offer  # noqa: PLC0415 - not before the paint

            entry_offer.offer(window, window.live)

    painted.painted.connect(start)
    QTimer.singleShot(SERVICES_GRACE_MS, window, start)


class _HistoryPainted(QObject):
    """Says when start-up is over for a user: history is on screen.

    No log line or signal tells that from outside, so this watches the message list's
    viewport and, after the first paint that had the newest message in view, emits
    :attr:`painted` (once, from the event loop, after that paint is done).
    """

    painted = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        window.messages.viewport().installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """On a paint showing the newest message, signal once this paint is done."""
        view = self._window.messages
        model = view.model()
        if event.type() == QEvent.Type.Paint and model is not None and model.rowCount() > 0:
            newest = view.visualRect(model.index(model.rowCount() - 1, 0))
            if newest.intersects(view.viewport().rect()):
                watched.removeEventFilter(self)
                QTimer.singleShot(0, self.painted.emit)
        return False


def _report_first_paint(window: MainWindow, *, quit_after: bool) -> None:
    """Benchmark hook (:data:`REPORT_FIRST_PAINT_ENV`): seconds from process start to history."""
    print(f"first-paint {_seconds_since_start():.3f}", file=sys.stderr, flush=True)
    if quit_after:
        window.quit()
        QApplication.quit()


def _seconds_since_start() -> float:
    """Seconds since the process started (Linux: /proc, 10 ms ticks; else since import)."""
    try:
        after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        started = int(after_name[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime
        return time.clock_gettime(time.CLOCK_BOOTTIME) - started
    except (OSError, ValueError, IndexError, AttributeError):
        return time.monotonic() - _IMPORTED_AT
