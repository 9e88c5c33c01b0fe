"""Fixtures of the window's widget tests: records to show, an avatar cache, a fake clock.

Widgets run on the ``offscreen`` platform (no display); the records are the client core's
real :class:`Message` and :class:`OutboxItem` dataclasses, built here with fixed times in
the local time zone so day separators do not depend on where the tests run.
"""

from __future__ import annotations

import os

# Before pytest-qt creates the QApplication: these tests need no display.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Author, Message
from desktopchat.client.outbox import OutboxItem, OutboxState
from desktopchat.client.tasks import TaskRunner
from desktopchat.ui import theme
from desktopchat.ui.avatars import AvatarCache

#: Module marks: any Qt warning fails the test, but the offscreen platform's note that it
#: cannot propagate size hints (printed whenever a top-level widget is shown).
QT_CLEAN = [
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints\(\)"),
]

#: The logged-in user of the models under test, and someone else.
ME = Author(1, "Alice", "/api/avatars/1.svg")
BOB = Author(2, "Bob", "/api/avatars/2.svg")
#: Noon, local time: an hour either way stays on the same day wherever the tests run.
NOON = datetime(2026, 3, 10, 12, 0).astimezone()


def message(
    message_id: int,
    *,
    author: Author = BOB,
    text: str | None = None,
    at: datetime | None = None,
    client_id: str | None = None,
    edited: bool = False,
    deleted: bool = False,
    room: str = "general",
) -> Message:
    """A stored message; by default Bob's, sent ``message_id`` seconds after noon."""
    sent_at = at if at is not None else NOON + timedelta(seconds=message_id)
    return Message(
        id=message_id,
        room=room,
        client_id=client_id or f"c-{room}-{message_id}",
        author=author,
        text=f"message {message_id}" if text is None else text,
        sent_at=sent_at,
        edited_at=sent_at + timedelta(seconds=30) if edited else None,
        deleted=deleted,
    )


_created = itertools.count(1)


def outbox_item(
    client_id: str,
    text: str = "pending text",
    state: OutboxState = OutboxState.PENDING,
    error: str | None = None,
    room: str = "general",
) -> OutboxItem:
    """A message written by the logged-in user that the relay has not stored yet."""
    return OutboxItem(client_id, room, text, float(next(_created)), state, error)


@pytest.fixture
def tasks(qtbot: QtBot) -> Iterator[TaskRunner]:
    """A worker pool delivering on the GUI thread; joined after the test."""
    runner = TaskRunner()
    yield runner
    runner.shutdown(wait=True)


@pytest.fixture
def avatars(tasks: TaskRunner, tmp_path: Path) -> AvatarCache:
    """Avatars drawn locally (the test authors have no ``https://`` picture to fetch)."""
    return AvatarCache(tmp_path / "cache", tasks)


@dataclass
class FakeClock:
    """A ``time.monotonic`` that moves only when the test says so."""

    now: float = 1000.0

    def monotonic(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> FakeClock:
    """A fake monotonic clock; install it with :func:`use_clock`."""
    return FakeClock()


def use_clock(monkeypatch: pytest.MonkeyPatch, module: str, clock: FakeClock) -> None:
    """Make ``module``'s ``time.monotonic`` read ``clock`` (only that module's view of time)."""
    monkeypatch.setattr(f"{module}.time", SimpleNamespace(monotonic=clock.monotonic))


@contextlib.contextmanager
def theme_restored() -> Iterator[None]:
    """Put back the application's style, palette, font and colour scheme after a theme test.

    The theme is application-wide; later tests in the same process must not inherit it.
    """
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    style, palette, sheet, font = app.style().name(), app.palette(), app.styleSheet(), app.font()
    try:
        yield
    finally:
        QGuiApplication.styleHints().setColorScheme(Qt.ColorScheme.Unknown)
        app.setStyleSheet(sheet)
        app.setStyle(style)
        app.setPalette(palette)
        app.setFont(font)  # the theme raises a small body size: later metrics must not see it
        theme.forget()


@pytest.fixture
def restore_theme(qtbot: QtBot) -> Iterator[None]:
    """The test may change the theme; it is put back afterwards (:func:`theme_restored`)."""
    with theme_restored():
        yield
