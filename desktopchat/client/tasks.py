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
        #: While held (:meth:`hold`): work waiting for :meth:`release`, in order.
        self._held: list[tuple[Callable[[], None], Future[Any]]] | None = None
        self._finished.connect(self._deliver)

    def hold(self) -> None:
        """Start nothing until :meth:`release`; work asked for meanwhile waits, in order.

        The window holds a session's network work while it paints history from the local
        database: on a worker it would still take the GIL from the GUI thread (importing
        requests and opening connections costs ~0.15 s) before anything is on screen.
        """
        if self._held is None:
            self._held = []

    def release(self) -> None:
        """Start what waited since :meth:`hold`, and from now on start work at once."""
        held, self._held = self._held, None
        for start, _ in held or ():
            start()

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
        if self._held is not None:
            return self._later(fn, on_done, on_error)
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

    def _later(
        self,
        fn: Callable[[], T],
        on_done: Callable[[T], None] | None,
        on_error: Callable[[BaseException], None] | None,
    ) -> Future[T]:
        """A future for held work: it runs (and follows the started one) on release."""
        waiting: Future[T] = Future()

        def start() -> None:
            started = self.run(fn, on_done, on_error)
            started.add_done_callback(lambda done: _copy_outcome(done, waiting))

        assert self._held is not None  # noqa: S101 - only called while held
        self._held.append((start, waiting))
        return waiting

    @Slot(object, object)
    def _deliver(self, callback: Callable[[Any], None], argument: object) -> None:
        if self._closed:
            return  # finished just before shutdown: its delivery was already queued
        callback(argument)

    def shutdown(self, wait: bool = True) -> None:
        """Stop accepting work; drop callbacks of work still running."""
        self._closed = True
        held, self._held = self._held, None
        for _, waiting in held or ():  # held work never starts
            waiting.cancel()
        self._pool.shutdown(wait=wait, cancel_futures=True)


def _copy_outcome(done: Future[T], waiting: Future[T]) -> None:
    """Give ``waiting`` (a held task's future) the outcome of the run it stood for."""
    if done.cancelled():
        waiting.cancel()
    elif (exc := done.exception()) is not None:
        waiting.set_exception(exc)
    else:
        waiting.set_result(done.result())
