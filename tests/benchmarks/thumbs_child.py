"""Child process of the files benchmark: the real window showing a screen of 20 previews.

The window signs in to the benchmark's hub (a token given by the parent), opens #general,
where the parent sent 20 images (two messages of ten), and:

1. *cold*: waits until every preview is fetched from the relay, decoded and ready;
2. *from the disk cache*, :data:`RUNS` times: drops the decoded previews
   (:meth:`~desktopchat.ui.thumbnail_cache.ThumbnailCache.forget_decoded`), asks for a
   repaint and times until all 20 are decoded (on workers) and painted, while the 1 ms
   heartbeat of :mod:`.window_child` records the GUI thread's longest stall;
3. *baseline*: the same repaint with every preview decoded already (the view's own cost).

Prints one JSON line (``{"event": "thumbs", ...}``) on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from typing import Any

#: Timed passes from the disk cache.
RUNS = 5
#: Seconds to wait for the window to sign in and show the messages, or for previews.
WAIT_S = 60.0


def _wait(until: Any, app: Any, seconds: float = WAIT_S) -> None:
    from PySide6.QtCore import QEventLoop

    deadline = time.monotonic() + seconds
    while not until():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        # Blocks until an event comes (a preview, a reply), at most 50 ms: no sleeping.
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)


def _open_window(url: str, user: str, token: str) -> tuple[Any, Any]:
    """The real main window, signed in as ``user`` and showing #general."""
    from PySide6.QtWidgets import QApplication

    from desktopchat.client.credentials import MemoryTokenStore
    from desktopchat.client.settings import Profile, Settings
    from desktopchat.paths import app_dirs
    from desktopchat.ui import theme
    from desktopchat.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    theme.apply("system")
    store = MemoryTokenStore()
    store.set(url, user, token)
    profile = Profile("bench", url, user)
    settings = Settings(profiles={"bench": profile}, current="bench")
    window = MainWindow(app_dirs(), settings, store, [])
    window.resize(1280, 1000)
    window.show()
    window.open_profile(profile)
    return app, window


def _attachments(window: Any) -> list[Any]:
    from desktopchat.client.domain import Message
    from desktopchat.ui.message_model import MessageListModel

    model = window.messages.model()
    if not isinstance(model, MessageListModel):
        return []
    rows = (model.row(r) for r in range(model.rowCount()))
    return [a for m in rows if isinstance(m, Message) for a in m.attachments]


def _on_screen(view: Any) -> int:
    """How many preview boxes lie wholly inside the viewport."""
    shown = view.viewport().rect()
    count = 0
    for row in range(view.model().rowCount()):
        index = view.model().index(row, 0)
        if view.visualRect(index).intersects(shown):
            tiles = view._delegate.geometry(view._option(index), index).files
            count += sum(1 for t in tiles if t.image and shown.contains(t.rect))
    return count


def _timer(app: Any, window: Any, files: list[Any]) -> Any:
    """A function timing one showing of ``files``' previews (seconds)."""
    from PySide6.QtCore import QEventLoop

    from desktopchat.ui.thumbnail_cache import Preview
    from tests.benchmarks.window_child import _paint_counter

    thumbs = window.files.thumbnails
    paints = _paint_counter(window.messages)

    def all_ready() -> bool:
        return all(thumbs.state(a) is Preview.READY for a in files)

    def show_all() -> float:
        loop = QEventLoop()

        def check(_key: str) -> None:
            if all_ready():
                loop.quit()

        thumbs.ready.connect(check)
        started = time.perf_counter()
        window.messages.viewport().update()
        if not all_ready():
            loop.exec()
        painted = paints()
        while paints() == painted:  # the frame that shows the last of them
            app.processEvents()
        elapsed = time.perf_counter() - started
        thumbs.ready.disconnect(check)
        return elapsed

    return show_all


def _settle(app: Any, heartbeat: Any) -> None:
    """Run until the heartbeat ticked twice more: the gap holding the last paint is counted."""
    ticks = len(heartbeat.gaps_ns)
    while len(heartbeat.gaps_ns) < ticks + 2:
        app.processEvents()


def main(argv: Sequence[str] | None = None) -> int:
    """Sign in, show #general, time the previews (see the module's docstring)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    parser = argparse.ArgumentParser(description="files benchmark child")
    parser.add_argument("--url", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--count", type=int, default=20)
    args = parser.parse_args(argv)
    from tests.benchmarks.window_child import _Heartbeat

    app, window = _open_window(args.url, args.user, args.token)
    _wait(lambda: len(_attachments(window)) >= args.count, app)
    window.messages.scrollToBottom()
    app.processEvents()
    files = _attachments(window)[-args.count :]
    show_all = _timer(app, window, files)
    cold = show_all()
    warm, stalls, busy = [], [], []
    heartbeat = _Heartbeat()
    for _ in range(RUNS):
        window.files.thumbnails.forget_decoded()
        heartbeat.start()
        warm.append(show_all())
        _settle(app, heartbeat)
        heartbeat.stop()
        stalls.append(heartbeat.max_ms)
        busy.append(heartbeat.max_busy_ms)
    baseline = []
    for _ in range(RUNS):  # the same repaint with nothing to decode: the view's own cost
        heartbeat.start()
        show_all()
        _settle(app, heartbeat)
        heartbeat.stop()
        baseline.append(heartbeat.max_ms)
    result = {
        "event": "thumbs",
        "count": len(files),
        "on_screen": _on_screen(window.messages),
        "cold_ms": cold * 1000,
        "warm_ms": [w * 1000 for w in warm],
        "warm_median_ms": statistics.median(warm) * 1000,
        "max_stall_ms": max(stalls),
        "stalls_ms": stalls,
        "max_busy_ms": max(busy),
        "baseline_stall_ms": max(baseline),
        "decode_threads": len(window.files.thumbnails.decode_threads),
    }
    print(json.dumps(result), flush=True)
    window.quit()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
