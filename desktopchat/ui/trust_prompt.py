"""Asking a person, once per server, whether to trust a certificate no CA signed.

The window opens this when a server (a hub started with ``--tls-self-signed``, say)
presents such a certificate; nothing has been sent to it yet. Trusting pins the
fingerprint (``desktopchat.client.trust.KnownHosts``), so the question never comes back
for that certificate, and a different one is refused.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from desktopchat.client.errors import UntrustedCertificateError


class TrustPrompt(QMessageBox):
    """ "Trust this certificate?" showing the fingerprint to compare; non-modal to the app.

    ``accepted`` is emitted when the person chooses **Trust**, ``rejected`` otherwise
    (QDialog's own signals).
    """

    def __init__(self, error: UntrustedCertificateError, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.error = error
        self.setIcon(QMessageBox.Icon.Warning)
        self.setWindowTitle("Trust this server's certificate?")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(
            f"{error.server} presented a certificate that no certificate authority of this "
            "computer vouches for (it is probably self-signed)."
        )
        self.setInformativeText(
            f"SHA-256 fingerprint:\n{error.presented}\n\n"
            "Compare it with the one the server shows (desktopchat serve prints it when it "
            "starts). Trust it only if they are the same: from then on this certificate, and "
            "no other, is accepted for this server. Nothing has been sent to it yet."
        )
        self.trust_button: QPushButton = self.addButton("Trust", QMessageBox.ButtonRole.AcceptRole)
        self.cancel_button: QPushButton = self.addButton(QMessageBox.StandardButton.Cancel)
        self.setDefaultButton(self.cancel_button)  # Enter must not trust by accident
        self.setEscapeButton(self.cancel_button)
