"""``tail`` ends on SIGTERM or Ctrl-C, also when the signal lands before its loop runs.

The real signal, sent to this process, and the real Qt event loop; the handlers and the
wakeup fd are put back afterwards.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QTimer

from desktopchat.commands.tail import _quit_on_signals

#: The loop is stopped by this if the signal was lost (the test then fails).
SAFETY_MS = 5000


@pytest.fixture
def restored_signals(qapp: QCoreApplication) -> Iterator[None]:
    """Whatever handlers and wakeup fd the test process had, back after the test; the
    wakeup sockets closed."""
    before = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}
    yield
    signal.set_wakeup_fd(-1)
    for signum, handler in before.items():
        signal.signal(signum, handler)
    reader, writer, notifier = qapp.property("_signal_sockets")
    notifier.setEnabled(False)
    reader.close()
    writer.close()
    qapp.setProperty("_signal_sockets", None)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_before_the_loop_runs_still_ends_it(
    qapp: QCoreApplication, restored_signals: None, signum: int
) -> None:
    _quit_on_signals(qapp)
    os.kill(os.getpid(), signum)  # handled now, while no loop runs (the backlog printing)
    lost: list[bool] = []

    def safety() -> None:
        lost.append(True)
        qapp.quit()

    QTimer.singleShot(SAFETY_MS, safety)
    qapp.exec()
    assert lost == [], "the signal was lost: the loop ran until the safety timer"
