"""The search panel: a column beside the conversation with a field, a scope and results.

Like Slack's and Element's, it sits on the right and leaves the conversation in view, so a
result can be opened and the next one tried. Ctrl+F opens it on the room on screen,
Ctrl+Shift+F (or the header's Search button) on every room; typing searches after a short
pause, Enter at once. Up/Down in the field move through the results, Enter (or a click)
opens one in its room, Esc closes the panel. What it shows comes from
:class:`~desktopchat.ui.search_flow.SearchFlow`; it only asks and displays.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktopchat.client.search import SearchResults
from desktopchat.ui.search_rows import SearchResultDelegate, SearchResultsModel
from desktopchat.ui.theme import Size, Space

#: Milliseconds of no typing before the search runs (Enter does not wait).
TYPING_PAUSE_MS = 300


class SearchPanel(QFrame):
    """Search field, "only this room" scope, status line and results (hidden until opened).

    Signals:
        search_requested(str, object): the query and the room to search (None: every room).
        jump_requested(str, int): open this message (room, id) in its conversation.
        closed(): the panel was closed.
    """

    search_requested = Signal(str, object)
    jump_requested = Signal(str, int)
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchPanel")
        self.setAccessibleName("Search messages")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setMinimumWidth(Size.MEMBERS + Space.XXL)
        self._room: str | None = None
        #: Where the focus was before the panel took it, to give back on close.
        self._return_focus: QWidget | None = None
        self.field = QLineEdit(self)
        self.field.setObjectName("searchField")
        self.field.setAccessibleName("Search for")
        self.field.setClearButtonEnabled(True)
        self.field.installEventFilter(self)
        self.scope = QCheckBox(self)
        self.scope.setObjectName("searchScope")
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAccessibleName("Close search")
        self.close_button.setToolTip("Close search (Esc)")
        self.close_button.clicked.connect(self.dismiss)
        self.status = QLabel(self)
        self.status.setObjectName("searchStatus")
        self.status.setWordWrap(True)
        self.model = SearchResultsModel(self)
        self.results = self._results_view()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_PAUSE_MS)
        self._timer.timeout.connect(self.run)
        self.field.textEdited.connect(lambda _: self._timer.start())
        self.field.returnPressed.connect(self._enter)
        self.scope.toggled.connect(lambda _: self.run())
        top = QHBoxLayout()
        top.setSpacing(Space.S)
        top.addWidget(self.field, 1)
        top.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(Space.M, Space.M, Space.M, Space.M)
        layout.setSpacing(Space.S)
        layout.addLayout(top)
        layout.addWidget(self.scope)
        layout.addWidget(self.status)
        layout.addWidget(self.results, 1)
        self.hide()

    def _results_view(self) -> QListView:
        view = QListView(self)
        view.setObjectName("searchResults")
        view.setAccessibleName("Search results")
        view.setModel(self.model)
        view.setItemDelegate(SearchResultDelegate(view))
        view.setMouseTracking(True)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        view.activated.connect(self._open)
        view.clicked.connect(self._open)
        return view

    # ------------------------------------------------------------------------- asking

    def open(self, room: str | None, current_room: str | None) -> None:
        """Show the panel, searching ``room`` (None: every room) and focus the field.

        ``current_room`` is what "only this room" means when ticked later.
        """
        self._room = current_room
        self.scope.setVisible(current_room is not None)
        self.scope.setText(f"Only {self.model.room_label(current_room)}" if current_room else "")
        self.scope.blockSignals(True)
        self.scope.setChecked(room is not None)
        self.scope.blockSignals(False)
        where = self.model.room_label(room) if room else "all rooms"
        self.field.setPlaceholderText(f"Search {where}")
        focused = QApplication.focusWidget()
        if focused is not None and not self.isAncestorOf(focused):
            self._return_focus = focused
        self.show()
        self.field.setFocus()
        self.field.selectAll()
        if self.field.text().strip():
            self.run()

    def set_current_room(self, room: str | None) -> None:
        """The room on screen changed: "only this room" now means that one.

        Results on show stay (one was probably just opened); the next search uses it.
        """
        if room == self._room:
            return
        self._room = room
        self.scope.setVisible(room is not None)
        self.scope.setText(f"Only {self.model.room_label(room)}" if room else "")

    def run(self) -> None:
        """Ask for the field's query now (nothing while it is blank)."""
        self._timer.stop()
        query = self.field.text()
        if not query.strip():
            self.model.set_hits([])
            self.status.setText("")
            return
        room = self._room if self.scope.isChecked() and self._room else None
        self.field.setPlaceholderText(
            f"Search {self.model.room_label(room)}" if room else "Search all rooms"
        )
        self.status.setText("Searching…")
        self.search_requested.emit(query, room)

    def dismiss(self) -> None:
        """Close the panel."""
        self._timer.stop()
        self.hide()
        back, self._return_focus = self._return_focus, None
        if back is not None and shiboken6.isValid(back) and back.isVisible():
            back.setFocus()
        self.closed.emit()

    # ------------------------------------------------------------------------ showing

    def show_results(self, results: SearchResults) -> None:
        """Show what a search found (ignored if the field has moved on to another query)."""
        if results.query != self.field.text():
            return
        self.model.set_hits(list(results.hits))
        count = len(results.hits)
        if not count:
            found = "No messages match"
        else:
            found = f"{count}{'+' if results.has_more else ''} message{'s' * (count != 1)}"
        if results.offline:
            found += " · offline: searched what this computer has"
        self.status.setText(found)
        if count:
            self.results.setCurrentIndex(self.model.index(0))

    def show_error(self, query: str, reason: str) -> None:
        """Say why a search could not run (a bad query, the relay refusing)."""
        if query == self.field.text():
            self.model.set_hits([])
            self.status.setText(reason)

    # ----------------------------------------------------------------------- keyboard

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Up/Down in the field move through the results; Esc closes."""
        if (
            watched is self.field
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
        ):
            key = event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and self.model.rowCount():
                row = self.results.currentIndex().row()
                step = -1 if key == Qt.Key.Key_Up else 1
                row = max(0, min(self.model.rowCount() - 1, row + step))
                self.results.setCurrentIndex(self.model.index(row))
                return True
            if key == Qt.Key.Key_Escape:
                self.dismiss()
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Esc anywhere in the panel closes it."""
        if event.key() == Qt.Key.Key_Escape:
            self.dismiss()
            return
        super().keyPressEvent(event)

    def _enter(self) -> None:
        """Enter in the field: open the chosen result, or search now if none is shown."""
        if self._timer.isActive() or not self.model.rowCount():
            self.run()
            return
        self._open(self.results.currentIndex())

    def _open(self, index: QModelIndex) -> None:
        if index.isValid():
            hit = self.model.hit(index.row())
            self.jump_requested.emit(hit.message.room, hit.message.id)
