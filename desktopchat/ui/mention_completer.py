"""The ``@`` completion list of the composer: the room's people, keyboard first.

Typing ``@`` (at the start or after a space) opens a list of the people in the room (who is
here, and who wrote lately) filtered by what follows the ``@``; Up and Down move, Tab or
Enter accepts, Esc closes, a click accepts too. Accepting writes ``@Display Name`` into the
text and remembers whose name it is: on sending, each remembered name still in the text
becomes a mention by user id (what the relay stores, highlights and notifies by), while
the text keeps the readable name. The list is a child of the window, not a popup window,
so the keyboard never leaves the composer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QPlainTextEdit

from desktopchat.ui import fuzzy
from desktopchat.ui.theme import Space

#: ``@`` and what was typed after it, ending at the cursor (names may hold spaces).
_QUERY = re.compile(r"(?:^|(?<=[\s(]))@([^@\n]{0,32})\Z")
#: Rows the list shows at most.
MAX_ROWS = 8
_ID_ROLE = Qt.ItemDataRole.UserRole + 1

People = Callable[[], dict[int, str]]
"""Who may be mentioned in the room on screen: ``{user_id: display_name}``."""


class MentionCompleter(QObject):
    """Completes ``@Name`` in ``editor`` from ``people``; says whom a text mentions."""

    def __init__(self, editor: QPlainTextEdit, people: People | None = None) -> None:
        super().__init__(editor)
        self._editor = editor
        self._people: People = people or dict
        #: Names accepted from the list, by user id (a name chosen twice is one mention).
        self._picked: dict[int, str] = {}
        self._start = -1  # where the ``@`` of the open query is
        self.list = QListWidget()
        self.list.setObjectName("mentionList")
        self.list.setAccessibleName("People to mention")
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # typing stays in the composer
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.itemClicked.connect(self._accept_item)
        self.list.hide()
        editor.textChanged.connect(self._update)
        editor.cursorPositionChanged.connect(self._update)
        editor.installEventFilter(self)

    def set_people(self, people: People) -> None:
        """Where the candidates come from (asked each time the list opens or filters)."""
        self._people = people

    @property
    def visible(self) -> bool:
        """Whether the list is open."""
        return self.list.isVisible()

    def shown_names(self) -> list[str]:
        """The names the list offers, top first."""
        return [self.list.item(row).text() for row in range(self.list.count())]

    def seed(self, people: Mapping[int, str]) -> None:
        """Names a message being edited already mentions, as if picked from the list."""
        self._picked.update(people)

    def picked(self) -> dict[int, str]:
        """Everyone picked (or seeded) since the box was last empty, by id."""
        return dict(self._picked)

    def mentions_in(self, text: str) -> tuple[int, ...]:
        """The ids of the people accepted from the list whose ``@Name`` is still in ``text``."""
        return tuple(sorted(uid for uid, name in self._picked.items() if f"@{name}" in text))

    def handle_key(self, event: QKeyEvent) -> bool:
        """The composer's keys while the list is open; True when the list used the key."""
        if not self.visible:
            return False
        key = event.key()
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            step = 1 if key == Qt.Key.Key_Down else -1
            row = (self.list.currentRow() + step) % self.list.count()
            self.list.setCurrentRow(row)
            return True
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.list.currentItem()
            if item is not None:
                self._accept_item(item)
            return True
        if key == Qt.Key.Key_Escape:
            self.close()
            return True
        return False

    def close(self) -> None:
        """Close the list (the text stays as typed)."""
        self._start = -1
        self.list.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        """The list's keys before the composer sees them (Tab would move the focus, Enter
        would send); leaving the composer closes the list."""
        if watched is self._editor:
            if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
                return self.handle_key(event)
            if event.type() == QEvent.Type.FocusOut:
                self.close()
        return False

    # ---------------------------------------------------------------------- internals

    def _update(self) -> None:
        if not self._editor.toPlainText():
            self._picked.clear()  # sent or cleared: a new message starts over
        cursor = self._editor.textCursor()
        block = cursor.block().text()[: cursor.positionInBlock()]
        found = _QUERY.search(block)
        done = found is not None and any(
            found.group(1).startswith(f"{name} ") for name in self._picked.values()
        )
        if found is None or done or cursor.hasSelection():
            self.close()
            return
        people = self._people()
        ranked = fuzzy.rank(found.group(1), list(people.items()), lambda person: person[1])
        if not ranked:
            self.close()
            return
        self._start = cursor.block().position() + found.start()
        self._fill([person for person, _ in ranked[:MAX_ROWS]])

    def _fill(self, people: list[tuple[int, str]]) -> None:
        current = self.list.currentItem()
        chosen = current.data(_ID_ROLE) if current is not None else None
        self.list.clear()
        for user_id, name in people:
            item = QListWidgetItem(name)
            item.setData(_ID_ROLE, user_id)
            self.list.addItem(item)
        rows = [self.list.item(r).data(_ID_ROLE) for r in range(self.list.count())]
        self.list.setCurrentRow(rows.index(chosen) if chosen in rows else 0)
        self._place()

    def _place(self) -> None:
        """Just above the ``@`` being completed, inside the window."""
        window = self._editor.window()
        if self.list.parent() is not window:
            self.list.setParent(window)
        self.list.ensurePolished()
        row_height = max(self.list.sizeHintForRow(0), 1)
        margins = self.list.contentsMargins()
        height = row_height * min(self.list.count(), MAX_ROWS) + margins.top() + margins.bottom()
        width = max(self._editor.width() // 3, 240)
        corner = self._editor.cursorRect().topLeft()
        at = self._editor.viewport().mapTo(window, QPoint(corner.x(), 0))
        x = max(0, min(at.x() - Space.M, window.width() - width))
        # Above the composer's frame (the box around the field), not over it.
        frame = self._editor.parentWidget() or self._editor
        top = frame.mapTo(window, QPoint(0, 0)).y()
        self.list.setGeometry(x, max(0, top - height - Space.XS), width, height)
        self.list.show()
        self.list.raise_()

    def _accept_item(self, item: QListWidgetItem) -> None:
        if self._start < 0:
            return
        user_id, name = int(item.data(_ID_ROLE)), item.text()
        cursor = self._editor.textCursor()
        cursor.setPosition(self._start)
        cursor.setPosition(self._editor.textCursor().position(), cursor.MoveMode.KeepAnchor)
        self._picked[user_id] = name
        self.close()
        cursor.insertText(f"@{name} ")
        self._editor.setTextCursor(cursor)
        self.close()
