"""Sending files from the real window to the real hub, as Alice does it.

Files reach the pending tray by every way a person uses: real drag-and-drop events with
file URLs on the message list and the composer (and the overlay that names the room),
the clipboard (a screenshot image, files copied in a file manager, plain text) with the
real paste shortcut, and the paperclip (its dialog patched at the boundary). Enter then
sends; what is checked is the relay's history: the attachments' hashes are the local
files'. Refusals are read as the user reads them; progress, Cancel, a restart offline
and a reply with a file go through the real outbox.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import (
    QClipboard,
    QColor,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QGuiApplication,
    QImage,
)
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Message
from desktopchat.client.outbox import OutboxItem
from desktopchat.client.settings import Profile, Settings
from desktopchat.paths import app_dirs
from desktopchat.ui import upload_progress
from desktopchat.ui.main_window import MainWindow
from desktopchat.ui.message_delegate import MessageDelegate
from tests.inbox import WAIT
from tests.integration.ui.conftest import QT_CLEAN, WAIT_MS, Chat, close_window, shows_room

pytestmark = QT_CLEAN


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def a_file(path: Path, size: int) -> Path:
    path.write_bytes(os.urandom(size))
    return path


def urls_of(*paths: Path) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drag_and_drop(widget: QWidget, mime: QMimeData) -> None:
    """What a file manager's drag does to ``widget``: enter, move, drop (real events)."""
    point = QPointF(widget.rect().center())
    action = Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(point.toPoint(), action, mime, buttons, modifiers)
    QApplication.sendEvent(widget, enter)
    assert enter.isAccepted()
    move = QDragMoveEvent(point.toPoint(), action, mime, buttons, modifiers)
    QApplication.sendEvent(widget, move)
    assert move.isAccepted()
    drop = QDropEvent(point, action, mime, buttons, modifiers)
    QApplication.sendEvent(widget, drop)
    assert drop.isAccepted()


def tray_names(chat: Chat) -> list[str]:
    return [p.name for p in chat.window.composer_box.tray.paths()]


def last_stored(chat: Chat) -> Message:
    return chat.bob_client.history("general", limit=100).messages[-1]


def stored_with(chat: Chat, text: str) -> list[Message]:
    return [m for m in chat.bob_client.history("general", limit=100).messages if m.text == text]


def test_files_dropped_on_the_list_and_the_composer_are_sent_as_one_message(
    qtbot: QtBot, chat: Chat, tmp_path: Path
) -> None:
    window = chat.window
    shot = a_file(tmp_path / "shot.png", 200_000)
    log = a_file(tmp_path / "build.log", 30_000)
    notes = a_file(tmp_path / "notes.txt", 1_000)
    overlay = window.sending.drop.overlay
    viewport = window.messages.viewport()
    point = viewport.rect().center()
    held = urls_of(shot)  # the event does not own its data: keep it alive
    enter = QDragEnterEvent(
        point,
        Qt.DropAction.CopyAction,
        held,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, enter)
    assert overlay.isVisible()
    assert overlay.text == "Drop to send to #general"
    drag_and_drop(viewport, urls_of(shot, log))
    assert not overlay.isVisible()
    drag_and_drop(window.composer.viewport(), urls_of(notes))
    assert tray_names(chat) == ["shot.png", "build.log", "notes.txt"]
    assert window.composer.toPlainText() == ""  # no path was typed into the text
    qtbot.keyClicks(window.composer, "three files")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    assert tray_names(chat) == []
    assert not window.composer_box.tray.isVisible()
    qtbot.waitUntil(lambda: len(stored_with(chat, "three files")) == 1, timeout=3 * WAIT_MS)
    [message] = stored_with(chat, "three files")
    assert [(a.name, a.hash, a.size) for a in message.attachments] == [
        (p.name, sha256(p), p.stat().st_size) for p in (shot, log, notes)
    ]


def test_a_text_drag_is_left_to_the_composer(chat: Chat) -> None:
    mime = QMimeData()
    mime.setText("just words")
    viewport = chat.window.composer.viewport()
    enter = QDragEnterEvent(
        viewport.rect().center(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(viewport, enter)
    assert not chat.window.sending.drop.overlay.isVisible()


def paste(qtbot: QtBot, chat: Chat) -> None:
    composer = chat.window.composer
    composer.setFocus()
    qtbot.keyClick(composer, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


@pytest.fixture
def clipboard() -> Iterator[QClipboard]:
    """The application's clipboard, emptied afterwards: a QMimeData set from Python and
    still held by the clipboard at exit crashes the interpreter's teardown (PySide6)."""
    board = QGuiApplication.clipboard()
    yield board
    board.clear()


def test_paste_a_screenshot_files_and_text(
    qtbot: QtBot, chat: Chat, tmp_path: Path, clipboard: QClipboard
) -> None:
    window = chat.window
    image = QImage(320, 200, QImage.Format.Format_RGB32)
    image.fill(QColor("#3366cc"))
    clipboard.setImage(image)
    paste(qtbot, chat)
    qtbot.waitUntil(lambda: len(tray_names(chat)) == 1, timeout=WAIT_MS)
    [pasted] = window.composer_box.tray.paths()
    assert pasted.name.startswith("Pasted image ")
    assert pasted.suffix == ".png"
    assert pasted.is_relative_to(app_dirs().data)  # staged with the app's data, not /tmp
    assert QImage(str(pasted)).size() == image.size()
    pasted_hash = sha256(pasted)
    # Files copied in a file manager are attached; plain text still pastes as text.
    copied = a_file(tmp_path / "report.pdf", 4_000)
    clipboard.setMimeData(urls_of(copied))
    paste(qtbot, chat)
    assert tray_names(chat) == [pasted.name, "report.pdf"]
    rich = QMimeData()
    rich.setText("plain words")
    rich.setHtml("<b>bold words</b>")
    clipboard.setMimeData(rich)
    paste(qtbot, chat)
    assert window.composer.toPlainText() == "plain words"
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(stored_with(chat, "plain words")) == 1, timeout=3 * WAIT_MS)
    [message] = stored_with(chat, "plain words")
    assert [a.name for a in message.attachments] == [pasted.name, "report.pdf"]
    assert message.attachments[0].hash == pasted_hash
    assert message.attachments[0].width == 320
    qtbot.waitUntil(lambda: not pasted.exists(), timeout=WAIT_MS)  # sent: the staged copy goes
    assert copied.exists()


def test_the_paperclip_refuses_what_the_relay_would_with_words(
    qtbot: QtBot, chat: Chat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = chat.window
    button = window.composer_box.attach_button
    assert button.accessibleName() == "Attach files"
    assert button.toolTip()
    assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
    huge = tmp_path / "disk.iso"
    with huge.open("wb") as sparse:
        sparse.truncate(25 * 1024 * 1024 + 1)  # one byte over the relay's limit
    folder = tmp_path / "photos"
    folder.mkdir()
    fine = a_file(tmp_path / "fine.txt", 10)
    picked = [str(huge), str(folder), str(fine)]
    opened_in: list[str] = []

    def dialog(names: list[str]) -> object:
        def pick(_parent: object, _title: str, folder: str = "", *_a: object) -> object:
            opened_in.append(folder)
            return names, ""

        return pick

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", dialog(picked))
    button.click()
    notice = window.composer_box.tray.notice
    assert tray_names(chat) == ["fine.txt"]
    assert notice.isVisible()
    assert "disk.iso is 25.0 MB: the server takes files up to 25.0 MB." in notice.text()
    assert "photos is a folder: pick the files inside it." in notice.text()
    many = [str(a_file(tmp_path / f"f{i}.txt", 10)) for i in range(12)]
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", dialog(many))
    button.click()
    # The dialog opens in the home folder, then where the last pick was made.
    assert opened_in == [str(Path.home()), str(tmp_path)]
    assert len(tray_names(chat)) == 10
    assert notice.text() == "A message carries at most 10 files: 3 files were left out."
    # Esc empties the tray; an edit cannot add files (the button says so, and is off).
    window.composer.setFocus()
    qtbot.keyClick(window.composer, Qt.Key.Key_Escape)
    assert tray_names(chat) == []
    window.composer.begin_edit(1, "an edit")
    assert not button.isEnabled()
    drag_and_drop(window.messages.viewport(), urls_of(fine))
    assert tray_names(chat) == []
    assert "An edit cannot add files" in notice.text()
    window.composer.cancel_edit()
    assert button.isEnabled()
    assert chat.bob_client.history("general").messages == ()


def test_progress_shows_on_the_row_and_cancel_sends_nothing(
    qtbot: QtBot, chat: Chat, tmp_path: Path
) -> None:
    window = chat.window
    session = window.session
    assert session is not None
    big = a_file(tmp_path / "big.bin", 6 * 1024 * 1024)
    started, resume = threading.Event(), threading.Event()
    chunks: list[int] = []
    repaints: list[str] = []
    window.sending.progress.repaint.connect(repaints.append)

    def hold(_client_id: str, _index: int, done: int, _total: int) -> None:
        chunks.append(done)
        if done >= 1024 * 1024 and not started.is_set():
            started.set()
            resume.wait(WAIT)

    session.outbox.upload_progress.connect(hold, Qt.ConnectionType.DirectConnection)
    drag_and_drop(window.messages.viewport(), urls_of(big))
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
    [item] = session.outbox.items()
    qtbot.waitUntil(lambda: bool(repaints), timeout=WAIT_MS)
    shown = window.sending.progress.of(item.client_id)
    assert shown is not None
    assert shown.total == big.stat().st_size
    assert upload_progress.progress_words("big.bin", shown.sent, shown.total).startswith(
        "Uploading big.bin · 1.0 of 6.0 MB"
    )
    model = chat.model
    row = model.rowCount() - 1
    assert isinstance(model.row(row), OutboxItem)
    index = model.index(row, 0)
    view = window.messages
    delegate = view.itemDelegate()
    assert isinstance(delegate, MessageDelegate)
    state = delegate.geometry(view._option(index), index).state
    assert state is not None
    where = upload_progress.cancel_rect(state, model.row(row), view.font())
    assert where is not None
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=where.center())
    resume.set()
    qtbot.waitUntil(lambda: session.outbox.items() == [], timeout=WAIT_MS)
    qtbot.waitUntil(
        lambda: not any(isinstance(r, OutboxItem) for r in chat.rows()), timeout=WAIT_MS
    )
    assert chat.bob_client.history("general").messages == ()
    assert len(repaints) < len(chunks)  # throttled: not one repaint per chunk


def test_a_queued_file_message_survives_a_restart_offline(
    qtbot: QtBot, chat: Chat, tmp_path: Path
) -> None:
    window = chat.window
    doc = a_file(tmp_path / "plan.odt", 50_000)
    chat.hub.stop()
    qtbot.waitUntil(window.banner.isVisible, timeout=WAIT_MS)
    drag_and_drop(window.messages.viewport(), urls_of(doc))
    qtbot.keyClicks(window.composer, "the plan")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(
        lambda: any(isinstance(r, OutboxItem) and r.files for r in chat.rows()), timeout=WAIT_MS
    )
    window.quit()
    profile = Profile("test", chat.url, "alice")
    again = MainWindow(
        app_dirs(), Settings(profiles={"test": profile}, current="test"), window.flow.store, []
    )
    try:
        again.show()
        again.open_profile(profile)
        qtbot.waitUntil(lambda: shows_room(again, "general"), timeout=WAIT_MS)
        model = again.messages.model()
        pending = [
            model.row(r) for r in range(model.rowCount()) if isinstance(model.row(r), OutboxItem)
        ]
        assert [(p.text, [Path(f).name for f in p.files]) for p in pending] == [
            ("the plan", ["plan.odt"])
        ]
        chat.hub.start()
        qtbot.waitUntil(lambda: len(stored_with(chat, "the plan")) == 1, timeout=3 * WAIT_MS)
        [message] = stored_with(chat, "the plan")
        assert [(a.name, a.hash) for a in message.attachments] == [("plan.odt", sha256(doc))]
    finally:
        close_window(qtbot, again)


def test_a_reply_with_a_file_keeps_the_file(qtbot: QtBot, chat: Chat, tmp_path: Path) -> None:
    window = chat.window
    original = chat.bob_says("send me the log please")
    qtbot.waitUntil(lambda: any(r.text == original.text for r in chat.rows()), timeout=WAIT_MS)
    window.replies.reply_to(original.id)
    assert window.composer_box.reply_bar.isVisible()
    log = a_file(tmp_path / "server.log", 9_000)
    drag_and_drop(window.composer.viewport(), urls_of(log))
    qtbot.keyClicks(window.composer, "here it is")
    qtbot.keyClick(window.composer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(stored_with(chat, "here it is")) == 1, timeout=3 * WAIT_MS)
    [reply] = stored_with(chat, "here it is")
    assert reply.reply_to is not None
    assert reply.reply_to.id == original.id
    assert [(a.name, a.hash) for a in reply.attachments] == [("server.log", sha256(log))]
