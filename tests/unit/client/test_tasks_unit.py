"""The task runner's hold: work asked for while held starts, in order, on release."""

from __future__ import annotations

import threading

from pytestqt.qtbot import QtBot

from desktopchat.client.tasks import TaskRunner


def test_held_work_waits_for_the_release_and_then_runs_in_order(
    qtbot: QtBot, tasks: TaskRunner
) -> None:
    ran: list[str] = []
    delivered: list[str] = []
    lock = threading.Lock()

    def work(name: str) -> str:
        with lock:
            ran.append(name)
        return name

    tasks.hold()
    futures = [tasks.run(lambda n=n: work(n), delivered.append) for n in ("rooms", "catch-up")]
    assert not any(f.done() for f in futures)
    assert ran == []
    tasks.release()
    qtbot.waitUntil(lambda: sorted(delivered) == ["catch-up", "rooms"])
    assert [f.result() for f in futures] == ["rooms", "catch-up"]
    assert tasks.run(lambda: work("after")).result() == "after"  # not held any more


def test_shutting_down_cancels_held_work(tasks: TaskRunner) -> None:
    tasks.hold()
    future = tasks.run(lambda: "never")
    tasks.shutdown()
    assert future.cancelled()
    tasks.release()  # nothing left to start
    assert future.cancelled()
