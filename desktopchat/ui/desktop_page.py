"""The Settings dialog's Desktop page: start at login, and the applications-menu entry.

Both switches show the files themselves (the autostart entry, the launcher entry), not a
remembered choice, so what a user changed by hand or with ``desktopchat desktop-entry`` is
what the page shows. Writing them is a few small files, done at once on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QLabel, QWidget

from desktopchat.ui.dialog_chrome import page_layout
from desktopchat.xdg import autostart, entry


class DesktopPage(QWidget):
    """Two switches: "Start at login (in the tray)" and "Show in the applications menu"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        supported = autostart.supported()
        self.start_at_login = QCheckBox("Start desktopchat when I log in, in the tray", self)
        self.start_at_login.setAccessibleName("Start at login")
        self.start_at_login.setChecked(supported and autostart.enabled())
        self.start_at_login.toggled.connect(self._set_start_at_login)
        self.in_menu = QCheckBox("Show desktopchat in the applications menu", self)
        self.in_menu.setAccessibleName("Applications menu entry")
        self.in_menu.setChecked(supported and entry.entry_path().is_file())
        self.in_menu.toggled.connect(self._set_in_menu)
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        if not supported:
            for box in (self.start_at_login, self.in_menu):
                box.setEnabled(False)
            self.result.setText("Not on this system: the README says how on macOS and Windows.")
        layout = page_layout(self)  # the other pages' padding: their boxes line up
        layout.addWidget(self.start_at_login)
        layout.addWidget(self.in_menu)
        layout.addWidget(self.result)
        layout.addStretch(1)

    def _set_start_at_login(self, on: bool) -> None:
        try:
            if on:
                path = autostart.enable()
                self.result.setText(f"desktopchat will start in the tray at login ({path}).")
            else:
                autostart.disable()
                self.result.setText("desktopchat will no longer start at login.")
        except OSError as exc:
            self.result.setText(f"Could not change it: {exc}")
            self._undo(self.start_at_login, on)

    def _set_in_menu(self, on: bool) -> None:
        try:
            if on:
                entry.install()
                self.result.setText(f"Added to the applications menu ({entry.entry_path()}).")
            else:
                entry.uninstall()
                self.result.setText("Removed from the applications menu.")
        except OSError as exc:
            self.result.setText(f"Could not change it: {exc}")
            self._undo(self.in_menu, on)

    @staticmethod
    def _undo(box: QCheckBox, on: bool) -> None:
        box.blockSignals(True)
        box.setChecked(not on)
        box.blockSignals(False)
