"""Starting the window: the QApplication, settings, the keyring, then the main window."""

from __future__ import annotations

import argparse
import logging
import sys

from PySide6.QtWidgets import QApplication

from desktopchat import __version__
from desktopchat.client import settings as settings_file
from desktopchat.client.credentials import open_token_store
from desktopchat.client.errors import SettingsError
from desktopchat.client.notify.portable import set_windows_app_id
from desktopchat.paths import AppDirs
from desktopchat.ui import theme
from desktopchat.ui.main_window import MainWindow

log = logging.getLogger(__name__)

#: Must match the installed .desktop file (notifications use it as ``desktop-entry``).
DESKTOP_FILE = "desktopchat"


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
    window.open_profile(settings.for_server(args.server))
    return app.exec()
