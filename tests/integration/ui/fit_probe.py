"""``python -m tests.integration.ui.fit_probe [W H]``: open the main window (no session) in
``DESKTOPCHAT_HOME``; with W and H, resize it to that, close it (which saves its geometry)
and open it once more. Prints ``{"window": [w, h], "frame": [x, y, w, h], "screen": [...]}``
for the window as it opened (the last time), its screen's available geometry in logical
pixels. Run in a fresh process: ``QT_SCALE_FACTOR`` is read when the application starts.
"""

from __future__ import annotations

import json
import sys

from desktopchat.client import settings as settings_file
from desktopchat.client.credentials import MemoryTokenStore
from desktopchat.paths import app_dirs
from desktopchat.ui import theme
from desktopchat.ui.app import application
from desktopchat.ui.main_window import MainWindow


def main() -> int:
    """Open (and with a size, close and reopen) the window; report how it opened."""
    app = application()
    theme.apply("light")
    dirs = app_dirs()
    window = MainWindow(dirs, settings_file.load(dirs.config), MemoryTokenStore(), [])
    if len(sys.argv) == 3:  # W and H
        window.resize(int(sys.argv[1]), int(sys.argv[2]))
        window.show()
        app.processEvents()
        window.quit()
        window = MainWindow(dirs, settings_file.load(dirs.config), MemoryTokenStore(), [])
    window.show()
    app.processEvents()
    room = window.screen().availableGeometry()
    print(
        json.dumps(
            {
                "window": list(window.size().toTuple()),
                "at": list(window.pos().toTuple()),
                "screen": [room.x(), room.y(), room.width(), room.height()],
            }
        )
    )
    window.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
