"""Small widgets the design uses in several places."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget


class ElidedLabel(QLabel):
    """One line of plain text, cut with "…" to the width it is given; the whole in a tooltip.

    A QLabel asks for its text's width, so a long room topic or server name would widen the
    window (or clip). This one asks for no width (the layout decides) and elides instead.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self._full = ""

    @property
    def full_text(self) -> str:
        """The text before eliding."""
        return self._full

    def set_full_text(self, text: str) -> None:
        """Show ``text``, elided to the current width."""
        self._full = " ".join(text.split())  # one line: no newline in a title
        self.setAccessibleDescription(self._full)
        self.updateGeometry()  # the layout asks sizeHint again
        self._elide()

    def _elide(self) -> None:
        shown = self.fontMetrics().elidedText(
            self._full, Qt.TextElideMode.ElideRight, max(0, self.contentsRect().width())
        )
        self.setText(shown)
        self.setToolTip(self._full if shown != self._full else "")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """Elide again for the new width."""
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        """A new font (theme, scale) changes what fits."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._elide()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """One line high, no width."""
        return QSize(0, self.fontMetrics().height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """The whole text's width (a layout with room to spare shows it all).

        Two pixels more than the advance: elidedText cuts a text whose fractional width
        rounds above the integer one it is given.
        """
        metrics = self.fontMetrics()
        margins = self.contentsMargins()
        width = metrics.horizontalAdvance(self._full) + 2 + margins.left() + margins.right()
        return QSize(width, metrics.height() + margins.top() + margins.bottom())
