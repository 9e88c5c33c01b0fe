"""Files and images as Alice's window receives them, from Bob, through the real relay hub.

Bob uploads and sends over real HTTP (``RelayClient``); Alice's window (the ``chat``
fixture) fetches the thumbnails through her session, decodes them on a worker and paints
them. What is checked is what she sees and can do: the preview's pixels in its box, the
"No preview" card a hostile image gets (and the window still answering), the viewer and its
"Save as…" writing the verified bytes, a file card opening the cached copy in the
system's default application (intercepted with ``QDesktopServices.setUrlHandler``), and a
file of a room she cannot read staying a placeholder.
"""

from __future__ import annotations

import hashlib
import io
import threading
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QObject, QPoint, Qt, QUrl, Slot
from PySide6.QtGui import QColor, QDesktopServices
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Attachment, Message
from desktopchat.ui import attachment_layout, file_open, theme
from desktopchat.ui.message_model import MessageListModel
from desktopchat.ui.message_view import MessageView
from desktopchat.ui.thumbnail_cache import Preview
from tests.integration.test_relay_attachments import bomb_png, noisy_png
from tests.integration.ui.conftest import QT_CLEAN, WAIT_MS, Chat

pytestmark = [
    *QT_CLEAN,
    # Qt's PNG reader names a truncated file on stderr as it refuses it.
    pytest.mark.qt_log_ignore(r"libpng"),
]

RED = (220, 30, 40)
#: Pixels inside a card's left edge: on the card, away from its "Save as…" button.
INSIDE = 8


def png(width: int, height: int, color: tuple[int, int, int] = RED) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def bob_sends_file(
    chat: Chat, tmp_path: Path, data: bytes, name: str, text: str = "", *, room: str = "general"
) -> Message:
    """Bob uploads ``data`` as ``name`` and sends it (with ``text``) to ``room``."""
    path = tmp_path / f"{uuid.uuid4().hex}-{name}"
    path.write_bytes(data)
    attachment = chat.bob_client.upload(room, path, name=name)
    return chat.bob_client.send(room, text, f"bob-{uuid.uuid4().hex}", attachments=[attachment.id])


def row_for(qtbot: QtBot, chat: Chat, message_id: int) -> int:
    model = chat.model
    qtbot.waitUntil(lambda: model.row_of(message_id) is not None, timeout=WAIT_MS)
    row = model.row_of(message_id)
    assert row is not None
    return row


def tiles_of(view: MessageView, row: int) -> tuple[attachment_layout.Tile, ...]:
    model = view.model()
    assert isinstance(model, MessageListModel)
    index = model.index(row, 0)
    view.scrollTo(index)
    return view._delegate.geometry(view._option(index), index).files


def colour_at(view: MessageView, point: QPoint) -> QColor:
    image = view.viewport().grab().toImage()
    ratio = image.devicePixelRatio()
    return image.pixelColor(round(point.x() * ratio), round(point.y() * ratio))


def close_to(colour: QColor, rgb: tuple[int, int, int], slack: int = 24) -> bool:
    return all(
        abs(a - b) <= slack
        for a, b in zip((colour.red(), colour.green(), colour.blue()), rgb, strict=False)
    )


def wait_preview(qtbot: QtBot, chat: Chat, attachment: Attachment, state: Preview) -> None:
    thumbnails = chat.window.files.thumbnails
    chat.window.messages.viewport().repaint()  # painting asks for the preview
    qtbot.waitUntil(lambda: thumbnails.state(attachment) is state, timeout=WAIT_MS)


def click(view: MessageView, point: QPoint, qtbot: QtBot) -> None:
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_image_shows_its_thumbnail_in_a_box_sized_before_it_arrives(
    qtbot: QtBot, chat: Chat, tmp_path: Path
) -> None:
    message = bob_sends_file(chat, tmp_path, png(640, 480), "red.png", "look")
    view = chat.window.messages
    row = row_for(qtbot, chat, message.id)
    (tile,) = tiles_of(view, row)
    # 640 x 480 fits into 320 x 240: the box is known from the metadata alone.
    assert tile.image
    assert (tile.rect.width(), tile.rect.height()) == (320, 240)
    height_before = view.visualRect(chat.model.index(row, 0)).height()
    wait_preview(qtbot, chat, tile.attachment, Preview.READY)
    view.viewport().repaint()
    assert close_to(colour_at(view, tile.rect.center()), RED)
    assert view.visualRect(chat.model.index(row, 0)).height() == height_before  # no jump
    threads = chat.window.files.thumbnails.decode_threads
    assert threads
    assert threading.main_thread().ident not in threads


def test_several_images_sit_side_by_side_and_a_placeholder_shows_until_they_arrive(
    qtbot: QtBot, chat: Chat, tmp_path: Path
) -> None:
    first = chat.bob_client.upload("general", _file(tmp_path, png(200, 150, (20, 160, 60))))
    second = chat.bob_client.upload("general", _file(tmp_path, png(150, 150, (30, 60, 200))))
    message = chat.bob_client.send(
        "general", "", f"bob-{uuid.uuid4().hex}", attachments=[first.id, second.id]
    )
    view = chat.window.messages
    row = row_for(qtbot, chat, message.id)
    left, right = tiles_of(view, row)
    assert left.rect.top() == right.rect.top()
    assert right.rect.left() > left.rect.right()
    wait_preview(qtbot, chat, right.attachment, Preview.READY)
    wait_preview(qtbot, chat, left.attachment, Preview.READY)
    view.viewport().repaint()
    assert close_to(colour_at(view, left.rect.center()), (20, 160, 60))
    assert close_to(colour_at(view, right.rect.center()), (30, 60, 200))


def _file(tmp_path: Path, data: bytes, name: str = "") -> Path:
    path = tmp_path / (name or f"{uuid.uuid4().hex}.png")
    path.write_bytes(data)
    return path


def test_a_bomb_and_a_truncated_png_show_no_preview_cards_and_the_window_answers(
    qtbot: QtBot, chat: Chat, tmp_path: Path
) -> None:
    bomb = bob_sends_file(chat, tmp_path, bomb_png(), "bomb.png", "bomb")
    cut = noisy_png()
    truncated = bob_sends_file(chat, tmp_path, cut[: len(cut) // 2], "cut.png", "cut")
    view = chat.window.messages
    (bomb_tile,) = tiles_of(view, row_for(qtbot, chat, bomb.id))
    # The relay gave the bomb no dimensions: a file card that says there is no preview.
    assert not bomb_tile.image
    assert attachment_layout.NO_PREVIEW in attachment_layout.detail(
        bomb_tile.attachment, None, no_preview=True
    )
    (cut_tile,) = tiles_of(view, row_for(qtbot, chat, truncated.id))
    assert cut_tile.image  # dimensions from its header; the relay's thumbnail fails
    wait_preview(qtbot, chat, cut_tile.attachment, Preview.NONE)
    view.viewport().repaint()
    placeholder = theme.qcolor(theme.colours(view.palette()).raised)
    inside = cut_tile.rect.topLeft() + QPoint(4, cut_tile.rect.height() // 2)
    assert colour_at(view, inside) == placeholder  # the card's fill, drawn in the box
    # Still responsive: a message Bob sends next arrives and is painted.
    later = chat.bob_says("still here")
    row_for(qtbot, chat, later.id)
    view.viewport().repaint()


def test_clicking_a_preview_opens_the_viewer_and_save_as_writes_the_verified_bytes(
    qtbot: QtBot, chat: Chat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = png(900, 600)
    message = bob_sends_file(chat, tmp_path, data, "photo.png")
    view = chat.window.messages
    (tile,) = tiles_of(view, row_for(qtbot, chat, message.id))
    click(view, tile.rect.center(), qtbot)
    viewer = chat.window.files.viewer
    assert viewer is not None
    assert viewer.attachment.id == tile.attachment.id
    qtbot.waitUntil(lambda: viewer.stack.currentWidget() is viewer.view, timeout=WAIT_MS)
    assert viewer.decode_thread not in (0, threading.main_thread().ident)
    assert viewer.view.item.pixmap().width() == 900
    target = tmp_path / "saved" / "photo copy.png"
    target.parent.mkdir()
    monkeypatch.setattr(file_open.QFileDialog, "getSaveFileName", lambda *_args: (str(target), ""))
    with qtbot.waitSignal(chat.window.files.saved, timeout=WAIT_MS):
        viewer.save_button.click()
    assert sha256(target) == hashlib.sha256(data).hexdigest() == tile.attachment.hash
    qtbot.keyClick(viewer, Qt.Key.Key_Escape)
    assert not viewer.isVisible()
    assert viewer.view.item.pixmap().isNull()  # a closed viewer keeps no full-size pixels


class _Opened(QObject):
    """Stands in for the desktop's default application: records the URLs it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_a_file_card_opens_the_cached_copy_with_the_default_application(
    qtbot: QtBot, chat: Chat, tmp_path: Path
) -> None:
    data = b"2026-12-01 12:00:00 INFO started\n" * 200
    message = bob_sends_file(chat, tmp_path, data, "server.log", "the log")
    view = chat.window.messages
    (card,) = tiles_of(view, row_for(qtbot, chat, message.id))
    assert not card.image
    assert card.save is not None
    opened = _Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")
    try:
        click(view, card.rect.topLeft() + QPoint(INSIDE, card.rect.height() // 2), qtbot)
        qtbot.waitUntil(lambda: len(opened.urls) == 1, timeout=WAIT_MS)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    path = Path(opened.urls[0].toLocalFile())
    assert path.is_relative_to(chat.window.dirs.cache)
    assert path.read_bytes() == data
    assert path.name == "server.log"


def test_the_card_save_button_saves_the_file(
    qtbot: QtBot, chat: Chat, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = bytes(range(256)) * 64
    message = bob_sends_file(chat, tmp_path, data, "blob.zip")
    view = chat.window.messages
    (card,) = tiles_of(view, row_for(qtbot, chat, message.id))
    assert card.save is not None
    target = tmp_path / "blob.zip"
    monkeypatch.setattr(file_open.QFileDialog, "getSaveFileName", lambda *_args: (str(target), ""))
    with qtbot.waitSignal(chat.window.files.saved, timeout=WAIT_MS):
        click(view, card.save.center(), qtbot)
    assert target.read_bytes() == data


def test_a_file_of_a_room_alice_cannot_read_stays_a_placeholder(
    qtbot: QtBot, chat: Chat, tmp_path: Path
) -> None:
    chat.bob_client.register("carol", "carol-password-1", display_name="Carol")
    dm = chat.bob_client.start_direct(["carol"])
    secret = chat.bob_client.upload(dm.name, _file(tmp_path, png(100, 80)))
    message = chat.bob_says("nothing to see")
    row_for(qtbot, chat, message.id)
    stored = chat.model.message(message.id)
    assert stored is not None
    # A message that names a file of Bob and Carol's DM (a stale or forged one).
    chat.model.replace(replace(stored, attachments=(secret,)))
    view = chat.window.messages
    (tile,) = tiles_of(view, row_for(qtbot, chat, message.id))
    wait_preview(qtbot, chat, secret, Preview.UNAVAILABLE)
    view.viewport().repaint()
    placeholder = theme.qcolor(theme.colours(view.palette()).raised)
    assert colour_at(view, tile.rect.topLeft() + QPoint(4, 4)) == placeholder
