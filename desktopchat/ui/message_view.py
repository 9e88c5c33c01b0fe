"""The message list view: follows new messages at the bottom, loads older ones at the top.

If you are at the bottom, new messages scroll into view; if you scrolled up to read, the
view stays put and a "new messages" button offers the way down. Reaching the top asks
for older history. Links in messages open in the browser.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices, QMouseEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QPushButton,
    QStyleOptionViewItem,
    QWidget,
)

from desktopchat.client.domain import Message
from desktopchat.ui.message_delegate import MessageDelegate
from desktopchat.ui.message_model import MessageListModel, Roles

#: Rows laid out per event-loop pass: long histories never freeze the window.
LAYOUT_BATCH = 500
#: Pixels from the bottom that still count as "at the bottom".
BOTTOM_SLACK = 8
#: While following a live room, past this many rows the oldest are let go (down to
#: LIVE_ROWS_KEEP); scrolling up brings them back from the local database.
LIVE_ROWS_MAX = 1500
LIVE_ROWS_KEEP = 1000


class MessageView(QListView):
    """A chat history.

    Signals:
        older_wanted(int): the user reached the top; load messages before this id.
        link_activated(str): a link was clicked (also opened in the browser).
    """

    older_wanted = Signal(int)
    link_activated = Signal(str)

    def __init__(self, delegate: MessageDelegate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._delegate = delegate
        self.setItemDelegate(delegate)
        self.setAccessibleName("Messages")
        self.setUniformItemSizes(False)
        self.setLayoutMode(QListView.LayoutMode.Batched)
        self.setBatchSize(LAYOUT_BATCH)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setMouseTracking(True)
        self.setWordWrap(True)
        self._follow = True
        self._new_below = 0
        #: While older history is laid out above, keep this distance from the bottom.
        self._hold_from_bottom: int | None = None
        self._adjusting = False
        self.jump_button = QPushButton("New messages ↓", self)
        self.jump_button.setAccessibleName("Jump to the newest messages")
        self.jump_button.hide()
        self.jump_button.clicked.connect(self.scroll_to_newest)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.verticalScrollBar().rangeChanged.connect(self._range_changed)

    def setModel(self, model: MessageListModel | None) -> None:  # type: ignore[override]  # noqa: N802
        """Show ``model``, starting at its newest message."""
        old = self.model()
        if isinstance(old, MessageListModel):
            old.batch_inserted.disconnect(self._inserted)
            old.rowsAboutToBeInserted.disconnect(self._about_to_insert)
        super().setModel(model)
        self._follow = True
        self._new_below = 0
        self._hold_from_bottom = None
        self.jump_button.hide()
        if model is not None:
            model.batch_inserted.connect(self._inserted)
            model.rowsAboutToBeInserted.connect(self._about_to_insert)
            self.scrollToBottom()

    def top_message_id(self) -> int | None:
        """The id of the message at the top of the view (None when following the bottom)."""
        if self._follow:
            return None
        record = self.indexAt(QPoint(4, 4)).data(Roles.ROW)
        return record.id if isinstance(record, Message) else None

    def scroll_to_message(self, message_id: int) -> bool:
        """Show ``message_id`` at the top, if it is loaded."""
        model = self.model()
        if not isinstance(model, MessageListModel):
            return False
        row = model.row_of(message_id)
        if row is None:
            return False
        self._follow = False
        self.scrollTo(model.index(row), QAbstractItemView.ScrollHint.PositionAtTop)
        return True

    @Slot(QModelIndex, int, int)
    def _about_to_insert(self, parent: QModelIndex, first: int, last: int) -> None:
        if first == 0 and self.model().rowCount() > 0:
            bar = self.verticalScrollBar()
            self._hold_from_bottom = bar.maximum() - bar.value()

    def at_bottom(self) -> bool:
        """Whether the newest message is in view."""
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - BOTTOM_SLACK

    @Slot()
    def scroll_to_newest(self) -> None:
        """Jump to the bottom and follow new messages again."""
        self._follow = True
        self._new_below = 0
        self.jump_button.hide()
        self.scrollToBottom()

    @Slot(int)
    def _inserted(self, count: int) -> None:
        if self._follow:
            model = self.model()
            if isinstance(model, MessageListModel) and model.rowCount() > LIVE_ROWS_MAX:
                model.trim_oldest(LIVE_ROWS_KEEP)
            self.scrollToBottom()
        else:
            self._new_below += count
            self.jump_button.setText(
                f"{self._new_below} new message{'s' * (self._new_below != 1)} ↓"
            )
            self.jump_button.show()
            self._place_button()

    @Slot(int, int)
    def _range_changed(self, minimum: int, maximum: int) -> None:
        if self._hold_from_bottom is not None:
            # Older rows are being laid out above: keep what the user reads in place.
            self._adjusting = True
            self.verticalScrollBar().setValue(maximum - self._hold_from_bottom)
            self._adjusting = False
        elif self._follow:
            self.scrollToBottom()

    @Slot(int)
    def _scrolled(self, value: int) -> None:
        if not self._adjusting:
            self._hold_from_bottom = None  # the user moved: stop holding
        self._follow = self.at_bottom()
        if self._follow:
            self._new_below = 0
            self.jump_button.hide()
        model = self.model()
        if value == 0 and isinstance(model, MessageListModel) and model.has_older:
            first = model.first_id()
            if first is not None and first > 1:
                self.older_wanted.emit(first)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """Keep the jump button in its corner."""
        super().resizeEvent(event)
        self._place_button()

    def _place_button(self) -> None:
        size = self.jump_button.sizeHint()
        viewport = self.viewport().geometry()
        self.jump_button.setGeometry(
            viewport.right() - size.width() - 12,
            viewport.bottom() - size.height() - 12,
            size.width(),
            size.height(),
        )

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        """Open a clicked link."""
        super().mouseReleaseEvent(event)
        url = self._anchor(event.position().toPoint())
        if url and event.button() == Qt.MouseButton.LeftButton:
            self.link_activated.emit(url)
            QDesktopServices.openUrl(QUrl(url))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        """A hand over links."""
        super().mouseMoveEvent(event)
        over_link = self._anchor(event.position().toPoint()) is not None
        self.viewport().setCursor(
            Qt.CursorShape.PointingHandCursor if over_link else Qt.CursorShape.ArrowCursor
        )

    def _anchor(self, point: QPoint) -> str | None:
        index: QModelIndex = self.indexAt(point)
        if not index.isValid():
            return None
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = self.visualRect(index)
        return self._delegate.anchor_at(option, index, point)
