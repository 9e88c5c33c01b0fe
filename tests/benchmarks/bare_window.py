"""The floor under the window's first paint: a bare PySide6 list window, started the same way.

``python -m tests.benchmarks.bare_window`` starts Python, imports PySide6 (QtCore, QtGui,
QtWidgets), shows a 1000x680 list of 100 short rows and prints ``first-paint SECONDS``
on stderr after its first paint, counted from the process start as the app counts
(``desktopchat/ui/app.py``), then quits. Nothing of desktopchat is imported.

Why: on this virtual machine the same start-up takes 0.4 s in one hour and 0.7 s in the
next. Started between the app's cold starts, this shows how much of a figure is the
machine at that moment, and the difference is what the app itself adds.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QListWidget


def _seconds_since_start() -> float:
    """Seconds since this process started (/proc, 10 ms ticks), as the app reports them."""
    after_name = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    started = int(after_name[19]) / os.sysconf("SC_CLK_TCK")  # field 22, starttime
    return time.clock_gettime(time.CLOCK_BOOTTIME) - started


class _FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, _report)
        return False


def _report() -> None:
    print(f"first-paint {_seconds_since_start():.3f}", file=sys.stderr, flush=True)
    QApplication.quit()


def main() -> int:
    """Show the list, report its first paint, quit."""
    app = QApplication(sys.argv[:1])
    window = QListWidget()
    window.setWordWrap(True)
    window.addItems([f"Message {n}: a short line of text, as a chat row has" for n in range(100)])
    window.resize(1000, 680)
    watcher = _FirstPaint()
    window.viewport().installEventFilter(watcher)
    window.show()
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
