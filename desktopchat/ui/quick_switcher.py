"""Ctrl+K: an overlay inside the window to jump to a room by typing a few of its letters.

A child widget over the whole window, not a separate window: a veil dims the window and a
panel near the top holds a search field and the matches (ranked by :mod:`.fuzzy`, matched
letters highlighted, unread places marked). Up/Down move, Enter goes, Esc or a click on
the veil closes, and the focus goes back where it was. Being a child, it moves, resizes
and minimises with the window, and window managers never place it somewhere else.

What it offers is a list of :class:`~desktopchat.ui.switcher_targets.Target` handed to
:meth:`QuickSwitcher.open`; it emits the chosen one, so other kinds of places (direct
messages, people) need no change here.
"""

from __future__ import annotations

import contextlib

from PySide6.QtCore import QEvent, QModelIndex, QObject, QRect, Qt, Signal
from PySide6.QtGui import QColor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from desktopchat.ui import theme
from desktopchat.ui.fuzzy import rank
from desktopchat.ui.switcher_rows import TARGET_ROLE, SwitcherDelegate, SwitcherModel, row_height
from desktopchat.ui.switcher_targets import Target
from desktopchat.ui.theme import Size, Space

_HINT = "↑ ↓ to move · Enter to go · Esc to close"


class QuickSwitcher(QWidget):
    """The Ctrl+K overlay over ``host`` (hidden until :meth:`open`).

    Signals:
        chosen(object): the :class:`Target` picked; the overlay has closed.
        closed(): the overlay was closed, by a choice or not.
    """

    chosen = Signal(object)
    closed = Signal()

    def __init__(self, host: QWidget) -> None:
        super().__init__(host)
        self.setObjectName("switcherVeil")
        self.setAccessibleName("Quick switcher")
        self.hide()
        self._targets: list[Target] = []
        self._return_focus: QWidget | None = None
        self.panel = QFrame(self)
        self.panel.setObjectName("switcher")
        self.search = QLineEdit(self.panel)
        self.search.setPlaceholderText("Jump to a room or person…")
        self.search.setAccessibleName("Search rooms")
        self.search.setClearButtonEnabled(True)
        self.model = SwitcherModel(self)
        self.list = QListView(self.panel)
        self.list.setModel(self.model)
        self.list.setItemDelegate(SwitcherDelegate(self.list))
        self.list.setAccessibleName("Matching rooms")
        self.list.setUniformItemSizes(True)
        self.list.setMouseTracking(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.empty = QLabel("No room matches that", self.panel)
        self.empty.setProperty("role", "muted")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint = QLabel(_HINT, self.panel)
        self.hint.setProperty("role", "muted")
        self.hint.setFont(theme.font(self.hint.font(), theme.Font.CAPTION))
        layout = QVBoxLayout(self.panel)
        layout.setContentsMargins(Space.M, Space.M, Space.M, Space.S)
        layout.setSpacing(Space.S)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(self.empty)
        layout.addWidget(self.hint)
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self.choose_current)
        self.list.activated.connect(self._choose)
        self.list.clicked.connect(self._choose)
        self.search.installEventFilter(self)
        self.list.installEventFilter(self)
        host.installEventFilter(self)

    # ------------------------------------------------------------------ opening

    def open(self, targets: list[Target]) -> None:
        """Show the overlay offering ``targets`` (in their order until something is typed)."""
        focused = QApplication.focusWidget()
        if not self.isVisible():
            self._return_focus = focused if focused is not None and focused is not self else None
        self._targets = list(targets)
        self.search.clear()
        self._filter("")
        self._fit()
        self.show()
        self.raise_()
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def dismiss(self) -> None:
        """Close without choosing; the focus goes back to where it was."""
        if not self.isVisible():
            return
        self.hide()
        previous, self._return_focus = self._return_focus, None
        if previous is not None:
            with contextlib.suppress(RuntimeError):  # it may have been deleted meanwhile
                previous.setFocus(Qt.FocusReason.PopupFocusReason)
        self.closed.emit()

    def matches(self) -> list[Target]:
        """The targets listed now, best first."""
        return [self.model.target(row) for row in range(self.model.rowCount())]

    def current(self) -> Target | None:
        """The highlighted target (Enter goes there)."""
        target = self.list.currentIndex().data(TARGET_ROLE)
        return target if isinstance(target, Target) else None

    def choose_current(self) -> None:
        """Go to the highlighted target, if any."""
        if self.list.currentIndex().isValid():
            self._choose(self.list.currentIndex())

    # ---------------------------------------------------------------- behaviour

    def _filter(self, text: str) -> None:
        self.model.set_results(rank(text, self._targets, lambda t: t.label))
        has_rows = self.model.rowCount() > 0
        if has_rows:
            self.list.setCurrentIndex(self.model.index(0, 0))
        self.list.setVisible(has_rows)
        self.empty.setVisible(not has_rows and bool(self._targets))
        if self.isVisible():
            self._fit()

    def _choose(self, index: QModelIndex) -> None:
        target = index.data(TARGET_ROLE)
        if isinstance(target, Target):
            self.dismiss()
            self.chosen.emit(target)

    def _step(self, step: int) -> None:
        rows = self.model.rowCount()
        if rows:
            row = (self.list.currentIndex().row() + step) % rows
            self.list.setCurrentIndex(self.model.index(row, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """Keys of the search field and list; follow the window's size."""
        if watched is self.parent() and event.type() == QEvent.Type.Resize:
            if self.isVisible():
                self._fit()
            return False
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key == Qt.Key.Key_Escape:
                self.dismiss()
                return True
            if watched is self.search:
                page = max(1, self._visible_rows() - 1)
                steps = {
                    Qt.Key.Key_Down: 1,
                    Qt.Key.Key_Up: -1,
                    Qt.Key.Key_PageDown: page,
                    Qt.Key.Key_PageUp: -page,
                }
                step = steps.get(Qt.Key(key))
                if step is not None:
                    self._step(step)
                    return True
        return super().eventFilter(watched, event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 - Qt API
        """Tab stays inside the overlay: search field, list, search field…"""
        stops = [w for w in (self.search, self.list) if w.isVisible()]
        if not stops:
            return False
        focused = QApplication.focusWidget()
        position = stops.index(focused) if focused in stops else -1
        stops[(position + (1 if next else -1)) % len(stops)].setFocus(Qt.FocusReason.TabFocusReason)
        return True

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        """A click on the veil, outside the panel, closes the overlay."""
        if not self.panel.geometry().contains(event.position().toPoint()):
            self.dismiss()
        event.accept()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Esc closes, wherever the focus is inside the overlay."""
        if event.key() == Qt.Key.Key_Escape:
            self.dismiss()
            return
        super().keyPressEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        """The veil: the window behind, dimmed."""
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(theme.colours(self.palette()).veil))

    # ------------------------------------------------------------------- layout

    def _visible_rows(self) -> int:
        return max(1, min(self.model.rowCount(), Size.SWITCHER_ROWS))

    def _fit(self) -> None:
        """Cover the host; the panel centred near the top, as tall as its rows."""
        host = self.parentWidget()
        if host is None:
            return
        self.setGeometry(host.rect())
        width = max(0, min(Size.SWITCHER_WIDTH, host.width() - 2 * Space.L))
        rows = self._visible_rows()
        frame = 2 * self.list.frameWidth()
        self.list.setFixedHeight(rows * row_height(self.list.fontMetrics()) + frame)
        self.panel.setFixedWidth(width)
        height = self.panel.sizeHint().height()
        top = max(Space.L, min(host.height() // 8, host.height() - height - Space.L))
        self.panel.setGeometry(QRect((host.width() - width) // 2, top, width, height))
