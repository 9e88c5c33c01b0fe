"""On first start, offer once to put desktopchat in the applications menu.

A wheel or a copied bundle leaves the app out of the launcher; installing the entry
silently would write into the user's desktop unasked, so the window asks, once, without
blocking it (a non-modal box). The answer is remembered (``[desktop] offer_entry = false``)
whatever it is; the Desktop page of Settings can add or remove the entry later. Not offered when an
entry is found (the user's own or a package's), on platforms without XDG menus, on the
offscreen and minimal platforms nobody sees, or when ``DESKTOPCHAT_OFFER_DESKTOP_ENTRY=0``
(tests set it).
"""

from __future__ import annotations

import logging
import os

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from desktopchat.client.live_settings import LiveSettings
from desktopchat.xdg import autostart, entry

log = logging.getLogger(__name__)

#: Set to ``0`` to never offer (tests, kiosks, packagers who install the entry themselves).
OFFER_ENV = "DESKTOPCHAT_OFFER_DESKTOP_ENTRY"
#: Platforms where no one would see the box.
_UNSEEN_PLATFORMS = {"offscreen", "minimal"}


def wanted(live: LiveSettings) -> bool:
    """Whether to offer now: allowed, never offered, and no entry found."""
    return (
        os.environ.get(OFFER_ENV, "1") != "0"
        and autostart.supported()
        and QGuiApplication.platformName() not in _UNSEEN_PLATFORMS
        and bool(live.section("desktop").get("offer_entry", True))
        and entry.installed_entry() is None
    )


def offer(window: QWidget, live: LiveSettings) -> QMessageBox | None:
    """Show the offer beside ``window`` if :func:`wanted`; the box, or None."""
    if not wanted(live):
        return None
    box = QMessageBox(window)
    box.setWindowTitle("Add desktopchat to your applications menu?")
    box.setText("Add desktopchat to your applications menu?")
    box.setInformativeText(
        "It then shows in your launcher with its icon, can be pinned, and the desktop's "
        "notification settings list it. The Desktop page of Settings adds or removes it later."
    )
    add = box.addButton("Add to menu", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Not now", QMessageBox.ButtonRole.RejectRole)
    box.setModal(False)
    live.update_section("desktop", offer_entry=False)  # offered once, whatever the answer

    def answered() -> None:
        if box.clickedButton() is add:
            try:
                entry.install()
            except OSError as exc:
                log.warning("could not install the desktop entry: %s", exc)
                QMessageBox.warning(window, "desktopchat", f"Could not add it: {exc}")

    box.finished.connect(answered)
    box.show()
    return box
