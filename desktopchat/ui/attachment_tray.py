"""The pending tray above the composer: the files the next message will carry.

One card per file, as Slack shows them: a thumbnail for an image (decoded on a worker by
:mod:`.thumbnails`, never on the GUI thread; a plain file icon until then, or for good
when it cannot be decoded), the name elided to fit, the size, and a cross to take it out.
Files the relay would refuse (a folder, unreadable, over the size limit, past the count
per message) never get a card: the tray's notice line says why, in words. The composer's
text is the caption; Enter sends the text and every card as one message
(:meth:`AttachmentTray.take`), Esc or the last cross empties it (:meth:`AttachmentTray.clear`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QImage, QPixmap
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktopchat.client.attach_check import MAX_FILES, refusal, too_many
from desktopchat.client.sizes import human_size
from desktopchat.ui.theme import Space

#: A card's thumbnail square, in device-independent pixels.
THUMB = 40
#: A card's width: room for a name of ~25 characters next to its thumbnail.
CARD_WIDTH = 240

Thumbnailer = Callable[[Path, Callable[[QImage], None]], None]
"""``(path, done)``: make ``path``'s thumbnail off the GUI thread, then ``done(image)``
on it (never called for a file that is no image)."""


class FileCard(QFrame):
    """One pending file (``#fileCard``): thumbnail, name, size and a remove button."""

    removed = Signal(object)

    def __init__(self, path: Path, size: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fileCard")
        self.path = path
        self.setAccessibleName(f"Attached file {path.name}, {human_size(size)}")
        self.setFixedWidth(CARD_WIDTH)
        self.thumb = QLabel(self)
        self.thumb.setObjectName("fileCardThumb")
        self.thumb.setFixedSize(THUMB, THUMB)
        self.thumb.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumb.setText("\N{PAGE FACING UP}")
        self.name = QLabel(self)
        self.name.setObjectName("fileCardName")
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.name.setToolTip(path.name)
        self.size_label = QLabel(human_size(size), self)
        self.size_label.setObjectName("fileCardSize")
        self.remove_button = QToolButton(self)
        self.remove_button.setObjectName("fileCardRemove")
        self.remove_button.setText("\N{MULTIPLICATION SIGN}")
        self.remove_button.setAccessibleName(f"Remove {path.name}")
        self.remove_button.setToolTip("Remove this file")
        self.remove_button.clicked.connect(lambda: self.removed.emit(self))
        words = QVBoxLayout()
        words.setSpacing(0)
        words.addWidget(self.name)
        words.addWidget(self.size_label)
        row = QHBoxLayout(self)
        row.setContentsMargins(Space.XS, Space.XS, Space.XXS, Space.XS)
        row.setSpacing(Space.S)
        row.addWidget(self.thumb)
        row.addLayout(words, 1)
        row.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        self._elide()

    def _elide(self) -> None:
        room = CARD_WIDTH - THUMB - 3 * Space.S - 24
        metrics = QFontMetrics(self.name.font())
        self.name.setText(metrics.elidedText(self.path.name, Qt.TextElideMode.ElideMiddle, room))

    def set_thumbnail(self, image: QImage) -> None:
        """Show the decoded thumbnail (made on a worker; turned into a pixmap here)."""
        pixmap = QPixmap.fromImage(image)
        ratio = self.devicePixelRatioF()
        pixmap = pixmap.scaled(
            QSize(round(THUMB * ratio), round(THUMB * ratio)),
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
        pixmap.setDevicePixelRatio(ratio)
        self.thumb.setPixmap(pixmap)


class AttachmentTray(QFrame):
    """The files waiting to be sent with the next message (``#attachmentTray``).

    Signals:
        changed(int): how many files are in the tray now.
    """

    changed = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentTray")
        self.setAccessibleName("Files to send")
        #: The relay's limit on one file (``/api/config``); ``None``: not known.
        self.max_bytes: int | None = None
        #: Takes a file out for good (a staged paste is deleted); set by the window.
        self.release: Callable[[list[Path]], None] = lambda _paths: None
        #: Makes thumbnails off the GUI thread; set by the window (none: icons only).
        self.thumbnailer: Thumbnailer | None = None
        self._cards: list[FileCard] = []
        self.notice = QLabel(self)
        self.notice.setObjectName("trayNotice")
        self.notice.setTextFormat(Qt.TextFormat.PlainText)
        self.notice.setWordWrap(True)
        self.notice.hide()
        self._strip = QWidget()
        self._strip.setObjectName("trayStrip")
        self._row = QHBoxLayout(self._strip)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(Space.S)
        self._row.addStretch(1)
        self._scroll = QScrollArea(self)
        self._scroll.setObjectName("trayScroll")
        self._scroll.setWidget(self._strip)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        # Room for a card and, below it, the scroll bar a full tray shows (else it covers
        # the cards' lower edge).
        bar = self._scroll.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        self._scroll.setFixedHeight(THUMB + 2 * Space.XS + 2 + bar + Space.XS)
        self._scroll.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._scroll.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(Space.XXS)
        layout.addWidget(self._scroll)
        layout.addWidget(self.notice)
        self.hide()

    def paths(self) -> list[Path]:
        """The files in the tray, in the order they were added."""
        return [card.path for card in self._cards]

    def cards(self) -> list[FileCard]:
        """The cards on show, in order."""
        return list(self._cards)

    def add(self, paths: Iterable[Path]) -> list[str]:
        """Add the files the relay would take; say why about the others (the notice
        line shows it, and it is returned). A file already in the tray is not added twice."""
        said: list[str] = []
        left_out = 0
        for given in paths:
            path = Path(given)
            if path in self.paths():
                continue
            why = refusal(path, self.max_bytes)
            if why is not None:
                said.append(why)
                self.release([path])
                continue
            if len(self._cards) >= MAX_FILES:
                left_out += 1
                self.release([path])
                continue
            self._add_card(path)
        if left_out:
            said.append(too_many(left_out))
        self.say(" ".join(said))
        self._changed()
        return said

    def say(self, text: str) -> None:
        """Show ``text`` on the notice line (hidden when empty)."""
        self.notice.setText(text)
        self.notice.setVisible(bool(text))
        self.setVisible(bool(self._cards) or bool(text))

    def _add_card(self, path: Path) -> None:
        card = FileCard(path, path.stat().st_size, self._strip)
        card.removed.connect(self._remove)
        self._row.insertWidget(len(self._cards), card)
        self._cards.append(card)
        if self.thumbnailer is not None:
            self.thumbnailer(path, partial(self._thumbnail, card))

    def _thumbnail(self, card: FileCard, image: QImage) -> None:
        if card in self._cards:  # not removed while it decoded
            card.set_thumbnail(image)

    def _remove(self, card: FileCard) -> None:
        if card not in self._cards:
            return
        self._cards.remove(card)
        self.release([card.path])
        card.deleteLater()
        self.say("")
        self._changed()

    def remove(self, path: Path) -> None:
        """Take ``path`` out of the tray, as its cross does."""
        card = next((c for c in self._cards if c.path == path), None)
        if card is not None:
            self._remove(card)

    def take(self) -> list[Path]:
        """Empty the tray for sending: the files now belong to the queued message."""
        paths = self.paths()
        self._drop_cards()
        return paths

    def clear(self) -> None:
        """Empty the tray without sending (Esc): staged pastes are deleted."""
        self.release(self.paths())
        self._drop_cards()

    def _drop_cards(self) -> None:
        for card in self._cards:
            card.deleteLater()
        self._cards.clear()
        self.say("")
        self._changed()

    def _changed(self) -> None:
        self._scroll.setVisible(bool(self._cards))
        self.setVisible(bool(self._cards) or self.notice.isVisible())
        self.changed.emit(len(self._cards))
