"""What every dialog shares: a title line, the same margins, a primary button, its size.

Why one helper: dialogs were laid out one by one, with Qt's default margins, no title and
no minimum size, and Settings opened narrower than its own tab bar (cut behind scroll
arrows).
Here each dialog gets

- a bold title line (and, optionally, a muted sentence under it), as modern apps do;
- margins and spacing from the :class:`~desktopchat.ui.theme.Space` scale;
- a layout whose minimum is its content (``SetMinimumSize``): the dialog can grow but never
  shrinks below what its children need, at any ``QT_SCALE_FACTOR``;
- a primary button that is the default one (Enter) and drawn in the accent colour.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktopchat.ui import theme
from desktopchat.ui.theme import Font, Size, Space


def titled_layout(dialog: QDialog, title: str, lead: str = "") -> QVBoxLayout:
    """The dialog's top layout, already holding its title line (and ``lead`` under it)."""
    dialog.setWindowTitle(title)
    if not dialog.accessibleName():
        dialog.setAccessibleName(title)
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(Space.XL, Space.XL, Space.XL, Space.L)
    layout.setSpacing(Space.M)
    layout.setSizeConstraint(QLayout.SizeConstraint.SetMinimumSize)
    heading = QLabel(title, dialog)
    heading.setObjectName("dialogTitle")
    heading.setTextFormat(Qt.TextFormat.PlainText)
    heading.setFont(theme.font(heading.font(), Font.TITLE, QFont.Weight.Bold))
    heading.setAccessibleName(title)
    layout.addWidget(heading)
    if lead:
        note = QLabel(lead, dialog)
        note.setObjectName("dialogLead")
        note.setWordWrap(True)
        note.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(note)
    # A strut, not setMinimumWidth: under SetMinimumSize the layout sets the minimum itself.
    layout.addStrut(Size.DIALOG_MIN_WIDTH - 2 * Space.XL)
    return layout


def form_layout(parent: QWidget | None = None) -> QFormLayout:
    """A form with the theme's spacing; fields take the width, labels stay on their left."""
    form = QFormLayout(parent) if parent is not None else QFormLayout()
    form.setHorizontalSpacing(Space.M)
    form.setVerticalSpacing(Space.S)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    form.setFormAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    if parent is not None:
        form.setContentsMargins(Space.L, Space.L, Space.L, Space.L)
    return form


def page_layout(page: QWidget) -> QVBoxLayout:
    """A settings page's layout: the theme's padding inside the tab frame."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(Space.L, Space.L, Space.L, Space.L)
    layout.setSpacing(Space.S)
    return layout


def make_primary(button: QPushButton) -> QPushButton:
    """The button Enter presses, drawn in the accent colour."""
    button.setDefault(True)
    button.setAutoDefault(True)
    button.setProperty("primary", True)
    return button


def name_buttons(box: QDialogButtonBox) -> None:
    """Give every button of ``box`` an accessible name (its text, without the ``&``)."""
    for button in box.buttons():
        if not button.accessibleName():
            button.setAccessibleName(button.text().replace("&", ""))


def error_label(parent: QWidget, name: str) -> QLabel:
    """A wrapped label in the danger colour that says what went wrong."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setProperty("role", "error")
    label.setAccessibleName(name)
    return label
