"""The bar above the composer while a message is being edited: what, and how to stop.

An edit replaces a message everyone has read, so the person must see at a glance that
Enter will not send a new one: the bar names the mode and offers Esc or a Cancel button.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from desktopchat.ui.theme import Space

EDITING = "Editing message · Esc to cancel"
REVISING = "Fixing a message that was not sent · Esc to cancel"


class ModeBar(QFrame):
    """``#editingBar``: a mode in words and a Cancel button, over the composer (hidden
    until the mode starts). The editing and the reply bar are both one, so they look and
    behave alike.

    Signals:
        cancelled(): the mode was given up.
    """

    cancelled = Signal()

    def __init__(self, parent: QWidget | None, *, name: str, cancel_name: str, tip: str) -> None:
        super().__init__(parent)
        self.setObjectName("editingBar")
        self.setAccessibleName(name)
        self.label = QLabel(self)
        self.cancel = QToolButton(self)
        self.cancel.setText("Cancel")
        self.cancel.setAccessibleName(cancel_name)
        self.cancel.setToolTip(tip)
        self.cancel.clicked.connect(self.cancel_pressed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(Space.M, Space.XXS, Space.XS, Space.XXS)
        layout.setSpacing(Space.S)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.cancel)
        self.hide()

    def cancel_pressed(self) -> None:
        """The Cancel button: say so (a subclass may first end its own state)."""
        self.cancelled.emit()


class EditingBar(ModeBar):
    """The bar while a message is edited (or a failed one fixed)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(
            parent, name="Editing", cancel_name="Cancel editing", tip="Stop editing (Esc)"
        )
        self.label.setText(EDITING)

    def show_mode(self, revising: bool) -> None:
        """Show the bar for an edit, or for fixing a message that failed to send."""
        self.label.setText(REVISING if revising else EDITING)
        self.show()
