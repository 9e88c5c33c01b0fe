"""Open every dialog and report what is clipped: run alone, under a QT_SCALE_FACTOR.

``python -m tests.ui.dialog_probe`` prints one JSON object: for each dialog (in each of its
states: sign-in in both modes, New room with its error, each Settings tab) and for the
composer and the Ctrl+K overlay, its size and sizeHint, and the list of problems found.
A problem is a dialog smaller than its sizeHint, or a visible child that is smaller than
its minimumSizeHint, a wrapped label shorter than its text needs, a button or label
narrower than its text, a widget reaching outside its parent, or a tab of a tab bar cut
off. Scale factors are set per process, so tests/ui/test_dialogs.py runs this in a
subprocess per factor.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QTabBar,
    QTabWidget,
    QWidget,
)

from desktopchat.client.errors import UntrustedCertificateError
from desktopchat.client.notify.center import Preferences
from desktopchat.client.settings import Profile
from desktopchat.ui import theme
from desktopchat.ui.composer_box import ComposerBox
from desktopchat.ui.dialogs import NewRoomDialog, SettingsDialog, SignInDialog
from desktopchat.ui.quick_switcher import QuickSwitcher
from desktopchat.ui.switcher_targets import Kind, Target
from desktopchat.ui.trust_prompt import TrustPrompt

FINGERPRINT = ":".join(f"{n:02X}" for n in range(32))


def _settings() -> SettingsDialog:
    profiles = [
        Profile("local", "embedded", None),
        Profile("work", "https://chat.example.org:6001", "alice"),
    ]
    dialog = SettingsDialog(profiles, "local", "Alice Liddell", "system")
    dialog.add_notifications_page(
        Preferences(), ["general", "random", "a-rather-long-room-name-for-planning"]
    )
    return dialog


def _settings_first_run() -> SettingsDialog:
    """As on a first start: no remote profile, no name yet, no rooms (the narrowest pages)."""
    dialog = SettingsDialog([Profile("local", "embedded", None)], "local", "", "system")
    dialog.add_notifications_page(Preferences(), [])
    return dialog


def _sign_up() -> SignInDialog:
    dialog = SignInDialog("chat.example.org:6001", "alice")
    dialog.new_account.setChecked(True)
    dialog.failed("That username is taken: pick another one, or sign in if it is yours.")
    return dialog


def _new_room_refused() -> NewRoomDialog:
    dialog = NewRoomDialog()
    dialog.name.setText("Design Team")
    dialog.failed("Only lower-case letters, digits, - and _ (not space, “D”, “T”).")
    return dialog


def _trust() -> TrustPrompt:
    error = UntrustedCertificateError("https://chat.example.org:6001", presented=FINGERPRINT)
    return TrustPrompt(error)


def _composer() -> QWidget:
    """The composer while editing, over the limit: the bar, the counter and both buttons."""
    box = ComposerBox()
    box.resize(640, box.sizeHint().height())
    box.editor.set_room("a-rather-long-room-name-for-planning")
    box.editor.set_limit(100)
    box.editor.begin_edit(1, "x" * 120)
    return box


def _switcher() -> QWidget:
    host = QWidget()
    host.resize(900, 600)
    switcher = QuickSwitcher(host)
    switcher.open(
        [
            Target(Kind.ROOM, "general", "general", "Everyone, everything", 3),
            Target(Kind.ROOM, "ops", "ops", "Hubs, relays, pagers", 120, 2),
            Target(Kind.ROOM, "random", "random"),
        ]
    )
    return host


#: Widgets of the window that hold text and controls, shown the same way.
WIDGETS: dict[str, Callable[[], QWidget]] = {"composer": _composer, "switcher": _switcher}

DIALOGS: dict[str, Callable[[], QDialog]] = {
    "settings": _settings,
    "settings-first-run": _settings_first_run,
    "sign-in": lambda: SignInDialog("chat.example.org:6001", "alice"),
    "sign-up": _sign_up,
    "new-room": NewRoomDialog,
    "new-room-refused": _new_room_refused,
    "trust": _trust,
}


def _visible_children(dialog: QWidget) -> Iterator[QWidget]:
    for widget in dialog.findChildren(QWidget):
        if widget.isVisibleTo(dialog) and not widget.isWindow():
            yield widget


def _describe(widget: QWidget) -> str:
    name = widget.accessibleName() or widget.objectName()
    return f"{type(widget).__name__}({name!r})"


def problems_of(dialog: QWidget) -> list[str]:
    """What is clipped in ``dialog`` (or another top-level widget) as shown now."""
    found = []
    hint = dialog.sizeHint()
    small = dialog.width() < hint.width() or dialog.height() < hint.height()
    if isinstance(dialog, QDialog) and small:
        found.append(f"dialog {dialog.size().toTuple()} < sizeHint {hint.toTuple()}")
    for widget in _visible_children(dialog):
        what, size = _describe(widget), widget.size()
        least = widget.minimumSizeHint()
        if size.width() < least.width() or size.height() < least.height():
            found.append(f"{what} {size.toTuple()} < minimumSizeHint {least.toTuple()}")
        wraps = isinstance(widget, QLabel) and widget.wordWrap() and bool(widget.text())
        if wraps and size.height() < widget.heightForWidth(size.width()):
            found.append(f"{what}: {size.height()} px tall, its text needs more")
        one_line = isinstance(widget, (QLabel, QAbstractButton, QComboBox)) and not wraps
        if one_line and size.width() < widget.sizeHint().width():
            found.append(f"{what} {size.width()} px wide < {widget.sizeHint().width()}")
        parent = widget.parentWidget()
        # A tab widget's hidden pages may be larger than its frame; its tab bar may not.
        free = isinstance(parent, QTabWidget) and not isinstance(widget, QTabBar)
        if parent is not None and not free and not parent.rect().contains(widget.geometry()):
            found.append(f"{what} reaches outside {_describe(parent)}")
        if isinstance(widget, QTabBar):
            for tab in range(widget.count()):
                if not widget.rect().contains(widget.tabRect(tab)):
                    found.append(f"tab {widget.tabText(tab)!r} cut off")
    return found


def settle(app: QApplication) -> None:
    """Let layouts that depend on others (a field re-wrapping to a new width) finish."""
    for _ in range(5):
        app.processEvents()


def probe() -> dict[str, dict[str, object]]:
    """Every dialog's size, sizeHint and problems (each tab of a tabbed one)."""
    app = QApplication.instance() or QApplication(sys.argv)
    theme.apply("light")
    report: dict[str, dict[str, object]] = {}
    makers: dict[str, Callable[[], QWidget]] = {**DIALOGS, **WIDGETS}
    for name, make in makers.items():
        dialog = make()
        dialog.show()
        settle(app)
        tabs = dialog.findChild(QTabWidget)
        pages = range(tabs.count()) if tabs is not None else [None]
        for page in pages:
            if tabs is not None and page is not None:
                tabs.setCurrentIndex(page)
                settle(app)
            key = name if page is None or tabs is None else f"{name}/{tabs.tabText(page)}"
            report[key] = {
                "size": dialog.size().toTuple(),
                "hint": dialog.sizeHint().toTuple(),
                "problems": problems_of(dialog),
                "unnamed": unnamed_controls(dialog),
            }
        dialog.close()
        dialog.deleteLater()
    return report


def unnamed_controls(dialog: QWidget) -> list[str]:
    """Tab stops a screen reader could only call by their class."""
    return [
        _describe(w)
        for w in _visible_children(dialog)
        if w.focusPolicy() & w.focusPolicy().TabFocus and not w.accessibleName()
    ]


if __name__ == "__main__":
    print(json.dumps(probe()))
