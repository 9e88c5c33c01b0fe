"""The message list view: follows new messages at the bottom, loads older ones at the top.

If you are at the bottom, new messages scroll into view; if you scrolled up to read, the
view stays put and a "new messages" button offers the way down. Reaching the top asks
for older history. Links in messages open in the browser.

The row under the pointer gets a hover background, its time, and a toolbar of actions
(:class:`~desktopchat.ui.message_actions.MessageActions`: copy, and edit and delete on
your own messages); the view only says what was asked for, through its signals, and the
window does it. The keyboard reaches all of it on the current row: Ctrl+C copies, E
edits, Delete deletes, R replies, + reacts, Enter shows or hides the rest of a long
message, the menu key (or Shift+F10) opens the context menu, and Tab reaches the
toolbar's buttons. Clicking a reply's quote jumps to the original; clicking a reaction
chip toggles yours. An empty room invites its first message.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    QTimer,
    QUrl,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QContextMenuEvent,
    QCursor,
    QDesktopServices,
    QFocusEvent,
    QFont,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QPushButton,
    QStyleOptionViewItem,
    QWidget,
)

from desktopchat.client.domain import Message
from desktopchat.client.outbox import OutboxItem
from desktopchat.ui import message_style as ms
from desktopchat.ui import theme
from desktopchat.ui.message_actions import MessageActions
from desktopchat.ui.message_delegate import MessageDelegate
from desktopchat.ui.message_model import MessageListModel, Roles

Index = QModelIndex | QPersistentModelIndex

#: Rows laid out per event-loop pass: long histories never freeze the window.
LAYOUT_BATCH = 500
#: How long a message jumped to stays tinted.
FLASH_MS = 1600
#: "+" is Shift+= on many layouts: any modifier but Shift (and the keypad's) is another key.
_NOT_SHIFT = ~(Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier)
#: Pixels from the bottom that still count as "at the bottom".
BOTTOM_SLACK = 8
#: While following a live room, past this many rows the oldest are let go (down to
#: LIVE_ROWS_KEEP, or as many as fill LIVE_SCREENS viewports if that is more); scrolling
#: up brings them back from the local database. QListView lays every row out again on
#: each insert (cached heights still cost ~12 µs a row in sizeHint, ~20 µs with Qt's own
#: part), so each row kept is paid for on every message: at 100 messages/s, keeping 100
#: to 150 rows cost ~3 ms a frame in layout, 40 to 80 ~2 ms.
LIVE_ROWS_MAX = 80
LIVE_ROWS_KEEP = 40
#: ... and of the rows never measured, only as many of the newest as fill this many
#: viewports (more than one, so that there is always a scroll up to the older ones): a
#: burst (hundreds of messages in one frame) would otherwise have every kept row measured
#: anew on each frame (~0.1 ms a plain row, ~0.3 ms a rich one), none of them ever seen.
LIVE_SCREENS = 1.2
#: A batch this big (a page of history on opening a room, a catch-up, a burst's frame) is
#: trimmed the same way at once: opening a room measured its 100 newest rows to show 15.
BIG_BATCH = 50


class MessageView(QListView):
    """A chat history.

    Signals:
        older_wanted(int): the user reached the top; load messages before this id.
        link_activated(str): a link was clicked (also opened in the browser).
        edit_requested(int): edit your message with this id.
        delete_requested(int): delete your message with this id.
        copy_requested(str): copy this text (a message's, as written).
        author_activated(int): the author's name on a message was clicked (user id): a
            direct message to them.
        react_requested(int), reply_requested(int): react to (open the emoji picker)
            or reply to the message with this id.
        quote_activated(int): a reply's quote was clicked: show its original (this id).
        first_unread_wanted(int): "↑ N unread messages" was clicked: show the first
            unread message (this id), which may not be loaded.
        reaction_toggled(int, str): a chip was clicked: put on or take back yours.
        upload_cancel_requested(str): Cancel was clicked on a queued message's upload
            (its client_id).
    """

    older_wanted = Signal(int)
    first_unread_wanted = Signal(int)
    link_activated = Signal(str)
    edit_requested = Signal(int)
    delete_requested = Signal(int)
    copy_requested = Signal(str)
    author_activated = Signal(int)
    react_requested = Signal(int)
    reply_requested = Signal(int)
    quote_activated = Signal(int)
    reaction_toggled = Signal(int, str)
    file_activated = Signal(object)
    file_save_requested = Signal(object)
    upload_cancel_requested = Signal(str)

    def __init__(self, delegate: MessageDelegate, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._delegate = delegate
        #: Pixels at the top that something lies over (the connection bar): kept free.
        #: First, as Qt lays the view out (:meth:`_anchor_rows`) while it is being set up.
        self._top_inset = 0
        #: How the empty state names the conversation (None: ``#room``).
        self._place: str | None = None
        self.setItemDelegate(delegate)
        self.setAccessibleName("Messages")
        # Rows are copied from images once painted (desktopchat.ui.row_images), and Qt
        # antialiases text in an image in grey only: ask for grey here too, or a row's text
        # would change look between its first paint and its copies on subpixel desktops.
        # Only the strategy is set: family and size still follow the application's font.
        grey_text = QFont()
        grey_text.setStyleStrategy(QFont.StyleStrategy.NoSubpixelAntialias)
        self.setFont(grey_text)
        # A short room's rows sit at the bottom (:meth:`_anchor_rows`), below a top margin
        # outside the viewport: it is filled with the rows' own background.
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
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
        #: How many rows the last trim of a followed room kept (see :meth:`_live_keep`).
        self._kept_live = 0
        #: The first unread message whose divider has been on screen (see
        #: :meth:`_update_unread_button`).
        self._divider_seen: int | None = None
        #: While older history is laid out above, keep this distance from the bottom.
        self._hold_from_bottom: int | None = None
        self._adjusting = False
        self.jump_button = QPushButton("New messages ↓", self)
        self.jump_button.setAccessibleName("Jump to the newest messages")
        self.jump_button.hide()
        self.jump_button.clicked.connect(self.scroll_to_newest)
        #: Above the rows while the "New messages" divider is out of sight above them.
        self.unread_button = QPushButton(self)
        self.unread_button.setAccessibleName("Jump to the first unread message")
        self.unread_button.hide()
        self.unread_button.clicked.connect(self._first_unread_clicked)
        self.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.verticalScrollBar().rangeChanged.connect(self._range_changed)
        #: The row whose actions are on offer (under the pointer, else the current one);
        #: persistent, so older history prepended above does not move it to another row.
        self._hover = QPersistentModelIndex()
        self.actions_bar = MessageActions(self.viewport())
        self.actions_bar.triggered.connect(self._action)
        delegate.sizeHintChanged.connect(lambda _index: self._place_actions())
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(lambda: self._set_flash(QModelIndex()))

    def setModel(self, model: MessageListModel | None) -> None:  # type: ignore[override]  # noqa: N802
        """Show ``model``, starting at its newest message."""
        old = self.model()
        if isinstance(old, MessageListModel):
            old.batch_inserted.disconnect(self._inserted)
            old.rowsAboutToBeInserted.disconnect(self._about_to_insert)
            old.has_older_changed.disconnect(self._history_known)
            old.dataChanged.disconnect(self._rows_changed)
            old.first_unread_changed.disconnect(self._update_unread_button)
            old.prepare_batch = None
        self._set_hover(QModelIndex())
        super().setModel(model)
        self._follow = True
        self._kept_live = 0
        self._divider_seen = None
        self._new_below = 0
        self._hold_from_bottom = None
        self.jump_button.hide()
        if model is not None:
            model.batch_inserted.connect(self._inserted)
            model.rowsAboutToBeInserted.connect(self._about_to_insert)
            model.has_older_changed.connect(self._history_known)
            model.dataChanged.connect(self._rows_changed)
            model.first_unread_changed.connect(self._update_unread_button)
            model.prepare_batch = self._prepare_batch
            if model.rowCount() >= BIG_BATCH:
                model.trim_oldest(self._live_keep(model))
            self.scrollToBottom()
        self._update_unread_button()

    @Slot(QModelIndex, QModelIndex, list)
    def _rows_changed(self, first: QModelIndex, _last: QModelIndex, roles: list[int]) -> None:
        """A changed row may have changed height (chips came, a quote, an edit): QListView
        only repaints on ``dataChanged``, so ask for a layout, as a new size hint does.
        A preview's pixels arriving (the decoration role alone) keep the height: QListView's
        own repaint of that row is enough."""
        if roles == [Qt.ItemDataRole.DecorationRole]:
            return
        self._delegate.sizeHintChanged.emit(first)

    @Slot(bool)
    def _history_known(self, _has_older: bool) -> None:
        self.viewport().update()  # the empty state comes or goes

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
        self._follow_if_all_shown()
        return True

    def _follow_if_all_shown(self) -> None:
        """After a jump: when every row fits (a short room), nothing was scrolled away, so
        the view goes on following; a new message then shows, not "1 new message ↓".
        A jump that does scroll says so again through :meth:`_scrolled`."""
        if self.verticalScrollBar().maximum() == 0:
            self._follow = True

    def flash_message(self, message_id: int) -> bool:
        """Scroll ``message_id`` into the middle of the view and tint it for a moment."""
        model = self.model()
        if not isinstance(model, MessageListModel):
            return False
        row = model.row_of(message_id)
        if row is None:
            return False
        self._follow = False
        index = model.index(row)
        self.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        self._follow_if_all_shown()
        self.setCurrentIndex(index)
        self._set_flash(index)
        self._flash_timer.start()
        return True

    @property
    def flashed_message_id(self) -> int | None:
        """The message tinted after a jump (None when none is)."""
        record = self._delegate.flash.data(Roles.ROW) if self._delegate.flash.isValid() else None
        return record.id if isinstance(record, Message) else None

    def _set_flash(self, index: QModelIndex) -> None:
        previous = self._delegate.flash
        self._delegate.flash = QPersistentModelIndex(index)
        for changed in (previous, self._delegate.flash):
            if changed.isValid():
                self.viewport().update(self.visualRect(self.model().index(changed.row(), 0)))

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
            if isinstance(model, MessageListModel) and (
                # A screen taller than LIVE_ROWS_MAX rows keeps more: not trimmed each time.
                model.rowCount() > max(LIVE_ROWS_MAX, self._kept_live + LIVE_ROWS_KEEP)
                or count >= BIG_BATCH
            ):
                model.trim_oldest(self._live_keep(model))
            self.scrollToBottom()
        else:
            model = self.model()
            news = model.last_batch_from_others if isinstance(model, MessageListModel) else count
            if not news:
                return  # your own message (sent offline, delivered now) is not news to you
            self._new_below += news
            self.jump_button.setText(
                f"{self._new_below} new message{'s' * (self._new_below != 1)} ↓"
            )
            self.jump_button.show()
            self._place_button()

    def _prepare_batch(self, batch: list[Message]) -> None:
        """Measure the newest of a frame's messages before the model inserts them (in the
        next event-loop pass, see ``MessageListModel._timed_flush``): those a followed view
        will keep, filling :data:`LIVE_SCREENS` viewports. Rows not followed are not shown,
        so they are measured only when scrolled to."""
        model = self.model()
        if not self._follow or not isinstance(model, MessageListModel):
            return
        option = self._row_option()
        wanted = LIVE_SCREENS * max(1, self.rows_height())
        covered = 0
        for message in reversed(batch[-LIVE_ROWS_KEEP:]):
            if covered >= wanted:
                break
            covered += self._delegate.prepare(model, message, option)

    def _row_option(self) -> QStyleOptionViewItem:
        """The view's item option for a row of its width (to measure rows with)."""
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = QRect(0, 0, self.viewport().width(), 0)
        return option

    def _live_keep(self, model: MessageListModel) -> int:
        """How many of the newest messages a followed room keeps: those that fill
        :data:`LIVE_SCREENS` viewports, and past them, up to :data:`LIVE_ROWS_KEEP` in all,
        those already measured (cheap to keep: a row measured costs ~20 µs a layout).

        It measures them newest first (the layout that follows reuses those measures), and
        no row let go before it was ever shown.
        """
        option = self._row_option()
        height = self.rows_height()
        if not self.isVisible():  # not laid out yet: keep a tall window's worth
            height = max(height, self.screen().availableGeometry().height())
        wanted = LIVE_SCREENS * max(1, height)
        messages = model.message_count()
        covered = kept = 0
        for row in range(model.rowCount() - 1, -1, -1):
            if covered >= wanted and (kept >= LIVE_ROWS_KEEP or not model.measured(row)):
                break
            covered += self._delegate.sizeHint(option, model.index(row)).height()
            kept += row < messages
        self._kept_live = max(1, kept)
        return self._kept_live

    @Slot(int, int)
    def _range_changed(self, minimum: int, maximum: int) -> None:
        if self._hold_from_bottom is not None:
            # Older rows are being laid out above: keep what the user reads in place.
            self._adjusting = True
            self.verticalScrollBar().setValue(maximum - self._hold_from_bottom)
            self._adjusting = False
        elif self._follow:
            self.scrollToBottom()
        self._update_unread_button()

    @Slot()
    def _update_unread_button(self) -> None:
        """Offer "↑ N unread messages" while the room's first unread message is above the
        view and has not been on screen yet: a room opened with more unread messages than
        fill it keeps only the newest rows. Once the divider has been seen (the room opened
        with it on screen, or the user went to it), the messages after it are read: the
        divider scrolling away as more arrive offers nothing."""
        model = self.model()
        first = model.first_unread if isinstance(model, MessageListModel) else None
        if not isinstance(model, MessageListModel) or first is None:
            self._divider_seen = None
            self.unread_button.hide()
            return
        row = model.row_of(first)
        if row is None:  # not loaded: above if older than the rows kept
            loaded_from = model.first_id()
            above = loaded_from is not None and first < loaded_from
        else:
            above = self.visualRect(model.index(row)).bottom() < 0
            if not above:
                self._divider_seen = first  # on screen, or below it: nothing to jump to
        if not above or self._divider_seen == first:
            self.unread_button.hide()
            return
        count = model.unread_count
        self.unread_button.setText(f"↑ {count} unread message{'s' * (count != 1)}")
        self.unread_button.show()
        self._place_button()

    @Slot()
    def _first_unread_clicked(self) -> None:
        model = self.model()
        if isinstance(model, MessageListModel) and model.first_unread is not None:
            self.first_unread_wanted.emit(model.first_unread)

    @Slot(int)
    def _scrolled(self, value: int) -> None:
        self._update_unread_button()
        if not self._adjusting:
            self._hold_from_bottom = None  # the user moved: stop holding
        self._follow = self.at_bottom()
        if self._follow:
            self._new_below = 0
            self.jump_button.hide()
        model = self.model()
        # Also when the view grows taller than its rows: the range, and the value, drop to 0.
        if value == 0 and isinstance(model, MessageListModel) and model.has_older:
            first = model.first_id()
            if first is not None and first > 1:
                self.older_wanted.emit(first)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """The rows' width for the delegate; the jump button in its corner, the actions on
        their row. Qt sends the viewport's resizes here."""
        self._delegate.viewport_width = self.rows_width()
        super().resizeEvent(event)
        self._place_button()
        self._place_actions()

    def updateGeometries(self) -> None:  # noqa: N802 - Qt API
        """After each layout: rows shorter than the view moved to its bottom
        (:meth:`_anchor_rows`), and the scroll range.

        The margin is set before the range too: computed against the viewport still shrunk
        by the old margin, the range would show the scroll bar for a moment, and each
        show and hide changes the viewport's width and lays the rows out again (8 layouts
        per message into a short room, against 2)."""
        self._anchor_rows()
        super().updateGeometries()
        self._anchor_rows()

    def _anchor_rows(self) -> None:
        """A room with fewer messages than fill the view shows them at its bottom, next to
        the composer, as chat apps do, with the space above them; a new message then
        pushes the older ones up instead of appearing lower each time.

        The space is a top viewport margin. Rows are laid out at the viewport's width only,
        so changing its height moves them without measuring any again.
        """
        model = self.model()
        rows = model.rowCount() if model is not None else 0
        content = self.contentsSize().height() if rows else 0
        gap = max(0, self.contentsRect().height() - content) if rows else 0
        gap = max(gap, self._top_inset)
        if gap != self.viewportMargins().top():
            self.setViewportMargins(0, gap, 0, 0)

    def set_top_inset(self, pixels: int) -> None:
        """Keep the top ``pixels`` free of rows: the connection bar lies over them.

        The bar comes and goes over the list without moving the window's layout; without
        this it hid the rows under it (the day or "New messages" divider at a room's top).
        The inset is a top margin, as a short room's space is: a room followed at the
        bottom, or short enough to leave that space free anyway, does not move at all. One
        scrolled up to read is scrolled on by the inset, so the rows read stay where they
        were on screen; only at the very top do the rows move down, below the bar.
        """
        pixels = max(0, pixels)
        if pixels == self._top_inset:
            return
        bar = self.verticalScrollBar()
        before_top, before_value = self.viewport().geometry().top(), bar.value()
        self._top_inset = pixels
        self._anchor_rows()
        super().updateGeometries()
        moved = self.viewport().geometry().top() - before_top
        if moved and before_value > 0 and not self._follow and self._hold_from_bottom is None:
            self._adjusting = True
            bar.setValue(before_value + moved)
            self._adjusting = False
        self._place_button()

    def rows_height(self) -> int:
        """The height rows can fill: the viewport's, with a short room's space above them
        (:meth:`_anchor_rows`), which the viewport gives up while they are few."""
        return self.contentsRect().height()

    def rows_width(self) -> int:
        """The width rows are measured and painted at: the viewport's, less the scroll
        bar's while it is hidden.

        The bar appears as soon as the history is taller than the view, narrowing the
        viewport by its width; had the rows been measured at the full width, every row
        laid out would be measured again (the first paint of a room measured its 100
        rows twice). Keeping its room free costs a few pixels of margin in a short room.
        """
        bar = self.verticalScrollBar()
        width = self.viewport().width()
        return width if bar.isVisible() else max(0, width - bar.sizeHint().width())

    def _place_button(self) -> None:
        size = self.jump_button.sizeHint()
        viewport = self.viewport().geometry()
        self.jump_button.setGeometry(
            viewport.right() - size.width() - 12,
            viewport.bottom() - size.height() - 12,
            size.width(),
            size.height(),
        )
        size = self.unread_button.sizeHint()
        # The list's top, above a short room's space, below the connection bar if shown.
        top = self.contentsRect().top() + self._top_inset
        self.unread_button.setGeometry(
            viewport.right() - size.width() - 12, top + 12, size.width(), size.height()
        )

    # -------------------------------------------------------------------- hover

    def _option(self, index: QModelIndex) -> QStyleOptionViewItem:
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        option.rect = self.visualRect(index)
        return option

    def hovered_index(self) -> QModelIndex:
        """The row whose hover state and actions are shown (invalid: none)."""
        hover = self._hover
        model = hover.model() if hover.isValid() else None
        return model.index(hover.row(), 0) if model is not None else QModelIndex()

    def _set_hover(self, index: Index) -> None:
        if index.isValid() and self._hover.isValid() and index.row() == self._hover.row():
            self._place_actions()
            return
        if not index.isValid() and not self._hover.isValid():
            return
        previous = self.hovered_index()
        self._hover = QPersistentModelIndex(index)
        self._delegate.hover = self._hover
        for changed in (previous, self.hovered_index()):
            if changed.isValid():
                self.viewport().update(self.visualRect(changed))
        self._place_actions()

    def _place_actions(self) -> None:
        """The toolbar at the top right of the offered row's message, or hidden."""
        index = self.hovered_index()
        bar = self.actions_bar
        record = index.data(Roles.ROW) if index.isValid() else None
        if record is None:
            bar.hide()
            return
        own = bool(index.data(Roles.OWN)) and isinstance(record, Message)
        deleted = isinstance(record, Message) and record.deleted
        bar.show_for(own, deleted, isinstance(record, OutboxItem))
        if not bar.visible_actions():
            bar.hide()
            return
        g = self._delegate.geometry(self._option(index), index)
        size = bar.sizeHint()
        x = g.column.right() - ms.ACTIONS_INSET - size.width() + 1
        # Half over the row above (Slack-style), unless a divider or day is there.
        above = g.unread is None and g.day is None
        y = g.message.top() - size.height() // 2 if above else g.message.top() + ms.HEADER_GAP
        y = max(y, 0)
        bar.setGeometry(QRect(x, y, size.width(), size.height()))
        bar.show()
        bar.raise_()

    def _action(self, name: str) -> None:
        """A toolbar button (or its key) for the offered row."""
        hovered = self.hovered_index()
        self._act(name, hovered if hovered.isValid() else self.currentIndex())

    def _act(self, name: str, index: Index) -> None:
        record = index.data(Roles.ROW) if index.isValid() else None
        if record is None:
            return
        if name == "copy":
            if not (isinstance(record, Message) and record.deleted):
                self.copy_requested.emit(record.text)
            return
        if not isinstance(record, Message) or record.deleted:
            return
        if name == "react":
            self.react_requested.emit(record.id)
        elif name == "reply":
            self.reply_requested.emit(record.id)
        elif bool(index.data(Roles.OWN)):
            (self.edit_requested if name == "edit" else self.delete_requested).emit(record.id)

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """The pointer leaving the messages takes the hover (and its toolbar) with it."""
        if event.type() == QEvent.Type.Leave:
            cursor = self.viewport().mapFromGlobal(self.cursor().pos())
            if not self.actions_bar.geometry().contains(cursor):
                self._set_hover(self._focus_row())
        return super().viewportEvent(event)

    def _focus_row(self) -> QModelIndex:
        return self.currentIndex() if self.hasFocus() else QModelIndex()

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 - Qt API
        """Keyboard focus offers the current row's actions."""
        super().focusInEvent(event)
        if not self._hover.isValid() and self.currentIndex().isValid():
            self._set_hover(self.currentIndex())

    def currentChanged(self, current: Index, previous: Index) -> None:  # noqa: N802 - Qt API
        """Moving with the keyboard moves the offered actions too."""
        super().currentChanged(current, previous)
        if self.hasFocus() and current.isValid():
            self._set_hover(self.model().index(current.row(), 0))

    def rowsAboutToBeRemoved(self, parent: Index, start: int, end: int) -> None:  # noqa: N802
        """A row going away cannot keep the hover."""
        if self._hover.isValid() and start <= self._hover.row() <= end:
            self._set_hover(QModelIndex())
        super().rowsAboutToBeRemoved(parent, start, end)

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt API
        """Scrolling moves the rows under a still pointer: the row now under it is the
        hovered one (a new message scrolled in, or the wheel); otherwise the toolbar
        follows its row (offered to the keyboard, or the pointer is on the toolbar)."""
        super().scrollContentsBy(dx, dy)
        viewport = self.viewport()
        if viewport.underMouse():  # first: reading the cursor asks the X server each time
            point = viewport.mapFromGlobal(QCursor.pos())
            on_bar = self.actions_bar.isVisible() and self.actions_bar.geometry().contains(point)
            if viewport.rect().contains(point) and not on_bar:
                self._set_hover(self.indexAt(point))
                return
        if self._hover.isValid():
            self._place_actions()

    # ------------------------------------------------------------------- pointer

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        """Open a clicked link; "Show more"/"Show less" expand or collapse a long message."""
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        point = event.position().toPoint()
        index = self.indexAt(point)
        if index.isValid() and self._delegate.toggle_at(self._option(index), index, point):
            self._delegate.toggle_expanded(index)
            return
        option = self._option(index) if index.isValid() else None
        cancelled = (
            self._delegate.upload_cancel_at(option, index, point) if option is not None else None
        )
        if cancelled is not None:
            self.upload_cancel_requested.emit(cancelled)
            return
        if index.isValid() and (
            self._extra_clicked(index, point) or self._file_clicked(index, point)
        ):
            return
        url = self._anchor(point)
        if url:
            self.link_activated.emit(url)
            QDesktopServices.openUrl(QUrl(url))
            return
        author = self.author_at(point)
        if author is not None:
            self.author_activated.emit(author)

    def author_at(self, point: QPoint) -> int | None:
        """The id of the author whose name is at ``point`` on a message's author line."""
        index = self.indexAt(point)
        record = index.data(Roles.ROW) if index.isValid() else None
        if not isinstance(record, Message):
            return None
        option = self._option(index)
        header = self._delegate.geometry(option, index).header
        when = self._delegate.header_time_rect(option, index)
        if header is None or when is None:
            return None
        name = QRect(header.left(), header.top(), when.left() - header.left(), header.height())
        return record.author.id if name.contains(point) else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        """A hand over links and "Show more"; the row under the pointer is hovered."""
        super().mouseMoveEvent(event)
        point = event.position().toPoint()
        index = self.indexAt(point)
        self._set_hover(index)
        option = self._option(index) if index.isValid() else None
        clickable = (
            self._anchor(point) is not None
            or self.author_at(point) is not None
            or (
                option is not None
                and (
                    self._delegate.toggle_at(option, index, point)
                    or self._delegate.quote_at(option, index, point) is not None
                    or self._delegate.chip_at(option, index, point) is not None
                    or self._delegate.file_at(option, index, point) is not None
                )
            )
        )
        self.viewport().setCursor(
            Qt.CursorShape.PointingHandCursor if clickable else Qt.CursorShape.ArrowCursor
        )

    def _extra_clicked(self, index: QModelIndex, point: QPoint) -> bool:
        """A click on a reply's quote or on a reaction chip: say so; whether it was one."""
        record = index.data(Roles.ROW)
        if not isinstance(record, Message):
            return False
        option = self._option(index)
        original = self._delegate.quote_at(option, index, point)
        if original is not None:
            self.quote_activated.emit(original)
            return True
        chip = self._delegate.chip_at(option, index, point)
        if chip is not None:
            self.reaction_toggled.emit(record.id, chip.reaction.emoji)
            return True
        return False

    def _file_clicked(self, index: QModelIndex, point: QPoint) -> bool:
        """A click on a file: its card's "Save as…" button, else the file itself."""
        tile = self._delegate.file_at(self._option(index), index, point)
        if tile is None:
            return False
        if tile.save is not None and tile.save.contains(point):
            self.file_save_requested.emit(tile.attachment)
        else:
            self.file_activated.emit(tile.attachment)
        return True

    def _anchor(self, point: QPoint) -> str | None:
        index: QModelIndex = self.indexAt(point)
        if not index.isValid():
            return None
        return self._delegate.anchor_at(self._option(index), index, point)

    # ------------------------------------------------------------------- keyboard

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Keys on the current row: Ctrl+C, E, Delete, Enter (see the module's doc)."""
        index = self.currentIndex()
        if index.isValid():
            key = event.key()
            plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if event.matches(QKeySequence.StandardKey.Copy):
                self._act("copy", index)
                return
            if key == Qt.Key.Key_E and plain:
                self._act("edit", index)
                return
            if key == Qt.Key.Key_Delete and plain:
                self._act("delete", index)
                return
            if key == Qt.Key.Key_R and plain:
                self._act("reply", index)
                return
            if key == Qt.Key.Key_Plus and not event.modifiers() & _NOT_SHIFT:
                self._act("react", index)
                return
            if key == Qt.Key.Key_F10 and event.modifiers() == Qt.KeyboardModifier.ShiftModifier:
                self._menu_for_current()  # the menu key's stand-in on keyboards without one
                return
            if (
                key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
                and plain
                and self._delegate.is_collapsible(self._option(index), index)
            ):
                self._delegate.toggle_expanded(index)
                self.scrollTo(index)
                return
            files = self._delegate.geometry(self._option(index), index).files
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and plain and files:
                self.file_activated.emit(files[0].attachment)  # the first file opens
                return
        super().keyPressEvent(event)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:  # noqa: N802 - Qt API
        """The menu key opens the current row's menu beside it, not where the pointer is."""
        if event.reason() == QContextMenuEvent.Reason.Keyboard and self._menu_for_current():
            return
        super().contextMenuEvent(event)

    def _menu_for_current(self) -> bool:
        index = self.currentIndex()
        if not index.isValid():
            return False
        text = self._delegate.geometry(self._option(index), index).text
        self.customContextMenuRequested.emit(QPoint(text.left(), text.center().y()))
        return True

    # ---------------------------------------------------------------- empty room

    def empty_text(self) -> str | None:
        """What an empty room says (None while it has messages or history may come)."""
        model = self.model()
        if not isinstance(model, MessageListModel) or not model.is_empty_room():
            return None
        place = self._place or f"#{model.room}"
        return f"This is the start of {place}.\nSend the first message to get it going."

    def set_place(self, place: str | None) -> None:
        """Name the conversation in the empty state ("your conversation with Bob" for a DM)."""
        self._place = place
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        """The rows; in an empty room, an invitation to write the first message."""
        super().paintEvent(event)
        text = self.empty_text()
        if text is None:
            return
        painter = QPainter(self.viewport())
        c = theme.colours(self.palette())
        title, _, hint = text.partition("\n")
        rect = self.viewport().rect()
        title_font = theme.font(self.font(), theme.Font.TITLE, QFont.Weight.Bold)
        height = painter.fontMetrics().height()
        middle = rect.center().y()
        painter.setFont(title_font)
        painter.setPen(theme.qcolor(c.text_muted))
        title_rect = QRect(rect.left(), middle - 2 * height, rect.width(), 2 * height)
        painter.drawText(
            title_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom, title
        )
        painter.setFont(self.font())
        hint_rect = QRect(rect.left(), middle + ms.HEADER_GAP, rect.width(), 2 * height)
        painter.drawText(hint_rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, hint)
        painter.end()
