"""Blocking work (relay HTTP, keyring) on worker threads, results back on the GUI thread.

Modelled on Anki's ``taskman``: ``run(fn, on_done, on_error)`` submits ``fn`` to a pool;
its result or exception is delivered by a queued signal, so callbacks run on the thread
that owns the runner (the GUI thread) and may touch models freely.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)
T = TypeVar("T")


class TaskRunner(QObject):
    """A worker pool whose completions are delivered on the runner's own thread.

    Signals:
        _finished(object, object): internal; carries (callback, argument) across threads.
    """

    _finished = Signal(object, object)

    def __init__(self, workers: int = 4, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="desktopchat-task")
        self._closed = False
        self._finished.connect(self._deliver)

    def run(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> Future[T]:
        """Run ``fn`` on a worker; then ``on_done(result)`` or ``on_error(exc)`` on our thread.

        After :meth:`shutdown` nothing runs (a queued signal can still ask for work while
        the session closes): the future is returned cancelled.
        """
        if self._closed:
            cancelled: Future[T] = Future()
            cancelled.cancel()
            return cancelled
        future = self._pool.submit(fn)

        def finished(done: Future[T]) -> None:
            if self._closed:
                return
            exc = done.exception()
            if exc is None:
                if on_done is not None:
                    self._finished.emit(on_done, done.result())
            elif on_error is not None:
                self._finished.emit(on_error, exc)
            else:
                log.error("background task failed", exc_info=exc)

        future.add_done_callback(finished)
        return future

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Any], None], argument: object) -> None:
        if self._closed:
            return  # finished just before shutdown: its delivery was already queued
        callback(argument)

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting work; drop callbacks of work still running."""
        self._closed = True
        self._pool.shutdown(wait=wait, cancel_futures=True)
