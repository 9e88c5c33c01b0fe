"""Asking a person, once per server, whether to trust a certificate no CA signed.

The window opens this when a server (a hub started with ``--tls-self-signed``, say)
presents such a certificate; nothing has been sent to it yet. Trusting pins the
fingerprint (``desktopchat.client.trust.KnownHosts``), so the question never comes back
for that certificate, and a different one is refused.

It is laid out like the other dialogs (:mod:`.dialog_chrome`): a title line, the server
and what happened, the fingerprint in a monospaced box that can be selected and compared,
then what trusting means. **Cancel** is the default button, not the accent one: Enter must
never trust by accident.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QWidget

from desktopchat.client.errors import UntrustedCertificateError
from desktopchat.ui.dialog_chrome import name_buttons, titled_layout

TITLE = "Trust this server's certificate?"


class TrustPrompt(QDialog):
    """ "Trust this certificate?" showing the fingerprint to compare; non-modal to the app.

    ``accepted`` is emitted when the person chooses **Trust**, ``rejected`` otherwise
    (QDialog's own signals).
    """

    def __init__(self, error: UntrustedCertificateError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        layout = titled_layout(self, TITLE)
        self._text = (
            f"{error.server} presented a certificate that no certificate authority of this "
            "computer vouches for (it is probably self-signed)."
        )
        self._advice = (
            "Compare it with the one the server shows (desktopchat serve prints it when it "
            "starts). Trust it only if they are the same: from then on this certificate, and "
            "no other, is accepted for this server. Nothing has been sent to it yet."
        )
        what = _paragraph(self._text, self, "What happened")
        heading = QLabel("SHA-256 fingerprint", self)
        heading.setProperty("role", "section")
        self.fingerprint = QLabel(_in_two_lines(error.presented), self)
        self.fingerprint.setObjectName("fingerprint")
        self.fingerprint.setWordWrap(True)
        self.fingerprint.setTextFormat(Qt.TextFormat.PlainText)
        self.fingerprint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fingerprint.setAccessibleName("SHA-256 fingerprint")
        advice = _paragraph(self._advice, self, "What trusting means")
        self.buttons = QDialogButtonBox(parent=self)
        self.trust_button: QPushButton = self.buttons.addButton(
            "Trust", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button: QPushButton = self.buttons.addButton(
            QDialogButtonBox.StandardButton.Cancel
        )
        name_buttons(self.buttons)
        self.trust_button.setAccessibleName("Trust this certificate")
        self.trust_button.setAutoDefault(False)
        self.cancel_button.setDefault(True)  # Enter must not trust by accident
        self.cancel_button.setFocus()  # nor Space: the focus starts on Cancel too
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        for widget in (what, heading, self.fingerprint, advice, self.buttons):
            layout.addWidget(widget)
        layout.addStrut(self.fontMetrics().averageCharWidth() * 60)

    def text(self) -> str:
        """The main sentence: which server, and what is wrong with its certificate."""
        return self._text

    def informativeText(self) -> str:  # noqa: N802 - as QMessageBox named it
        """The fingerprint and the advice, as one text (QMessageBox's name for it)."""
        return f"SHA-256 fingerprint:\n{self.error.presented}\n\n{self._advice}"

    def defaultButton(self) -> QPushButton:  # noqa: N802 - as QMessageBox named it
        """The button Enter presses: Cancel."""
        return self.cancel_button


def _paragraph(text: str, parent: QWidget, name: str) -> QLabel:
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setAccessibleName(name)
    return label


def _in_two_lines(fingerprint: str) -> str:
    """``AA:BB:…`` in two lines of 16 bytes: one line of 95 characters made the dialog as
    wide as a screen, and a colon-separated fingerprint has no space to wrap at."""
    parts = fingerprint.split(":")
    if len(parts) < 2:
        return fingerprint
    half = (len(parts) + 1) // 2
    return ":".join(parts[:half]) + ":\n" + ":".join(parts[half:])
