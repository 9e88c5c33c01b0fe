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


class EditingBar(QFrame):
    """``#editingBar``: the mode in words and a Cancel button (hidden until an edit).

    Signals:
        cancelled(): the Cancel button was pressed.
    """

    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editingBar")
        self.setAccessibleName("Editing")
        self.label = QLabel(EDITING, self)
        self.cancel = QToolButton(self)
        self.cancel.setText("Cancel")
        self.cancel.setAccessibleName("Cancel editing")
        self.cancel.setToolTip("Stop editing (Esc)")
        self.cancel.clicked.connect(self.cancelled)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(Space.M, Space.XXS, Space.XS, Space.XXS)
        layout.setSpacing(Space.S)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.cancel)
        self.hide()

    def show_mode(self, revising: bool) -> None:
        """Show the bar for an edit, or for fixing a message that failed to send."""
        self.label.setText(REVISING if revising else EDITING)
        self.show()
