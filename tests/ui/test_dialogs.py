"""The dialogs as a person uses them: New room keeps a bad name open, sign-in's Tab order,
every dialog at its size with nothing clipped at 100-200 %, names, the primary button.

Real dialogs on the offscreen platform, driven with key and mouse events; what is checked
is what the person sees (the dialog still open, the error beside the field, which field
has the focus, and the pixels of a focused Tab stop).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from desktopchat.client.errors import UntrustedCertificateError
from desktopchat.ui import theme
from desktopchat.ui.dialogs import NewRoomDialog, SettingsDialog, SignInDialog
from desktopchat.ui.trust_prompt import TrustPrompt
from tests.qt_platform import run_probe, screen_platform
from tests.ui.conftest import QT_CLEAN

pytestmark = QT_CLEAN

WAIT_MS = 2000


# --------------------------------------------------------------------------- new room


@pytest.fixture
def new_room(qtbot: QtBot) -> NewRoomDialog:
    dialog = NewRoomDialog()
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog


def create(qtbot: QtBot, dialog: NewRoomDialog) -> None:
    button = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("", "Give the room a name."),
        ("Design Team", "Only lower-case letters, digits, - and _ (not space, “D”, “T”)."),
        ("-dev", "Start with a lower-case letter or a digit."),
        ("x" * 70, "At most 64 characters (this one has 70)."),
    ],
)
def test_a_bad_name_keeps_the_dialog_open_with_the_reason_beside_it(
    qtbot: QtBot, new_room: NewRoomDialog, name: str, says: str
) -> None:
    asked: list[tuple[str, str]] = []
    new_room.submitted.connect(lambda n, t: asked.append((n, t)))
    qtbot.keyClicks(new_room.name, name)
    create(qtbot, new_room)
    assert new_room.isVisible()
    assert new_room.error.isVisible()
    assert new_room.error.text() == says
    error = new_room.error  # all of its lines are shown, none clipped
    qtbot.waitUntil(lambda: error.height() >= error.heightForWidth(error.width()), timeout=WAIT_MS)
    assert new_room.name.hasFocus()
    assert asked == []
    qtbot.keyClicks(new_room.name, "x")  # editing the name clears the complaint
    assert not new_room.error.isVisible()


def test_a_good_name_is_asked_for_and_a_refusal_is_shown_in_the_dialog(
    qtbot: QtBot, new_room: NewRoomDialog
) -> None:
    qtbot.keyClicks(new_room.name, "design-team")
    qtbot.keyClicks(new_room.topic, "Pixels and type")
    with qtbot.waitSignal(new_room.submitted, timeout=WAIT_MS) as asked:
        create(qtbot, new_room)
    assert asked.args == ["design-team", "Pixels and type"]
    assert not new_room.buttons.isEnabled()  # waiting for the relay
    new_room.failed("Room design-team already exists")  # the relay's answer, through the window
    assert new_room.isVisible()
    assert new_room.error.isVisible()
    assert new_room.error.text() == "Room design-team already exists"
    assert new_room.buttons.isEnabled()


# ---------------------------------------------------------------------------- sign in


@pytest.fixture
def sign_in(qtbot: QtBot) -> SignInDialog:
    dialog = SignInDialog("chat.example.org:6001", "alice")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    return dialog


def tab_stops(dialog: SignInDialog) -> list[QWidget]:
    """Every widget Tab visits in creating an account, in the form's order."""
    return [
        dialog.server,
        dialog.username,
        dialog.password,
        dialog.new_account,
        dialog.display_name,
        dialog.email,
        dialog.remember,
        dialog.buttons.button(QDialogButtonBox.StandardButton.Ok),
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel),
    ]


def test_tab_visits_display_name_and_email_after_create_account_is_ticked(
    qtbot: QtBot, sign_in: SignInDialog
) -> None:
    sign_in.password.setFocus()
    qtbot.waitUntil(sign_in.password.hasFocus, timeout=WAIT_MS)
    qtbot.keyClick(sign_in.password, Qt.Key.Key_Tab)
    assert sign_in.new_account.hasFocus()
    qtbot.keyClick(sign_in.new_account, Qt.Key.Key_Space)
    assert sign_in.new_account.isChecked()
    visited = []
    for _ in range(len(tab_stops(sign_in))):
        visited.append(sign_in.focusWidget())
        qtbot.keyClick(sign_in.focusWidget(), Qt.Key.Key_Tab)
    stops = tab_stops(sign_in)
    assert visited == stops[3:] + stops[:3]


def strong_changes(a: QImage, b: QImage) -> int:
    """Pixels that differ clearly (by 90 or more in a colour channel) between two grabs."""
    count = 0
    for y in range(a.height()):
        for x in range(a.width()):
            p, q = a.pixelColor(x, y), b.pixelColor(x, y)
            if (
                max(abs(p.red() - q.red()), abs(p.green() - q.green()), abs(p.blue() - q.blue()))
                >= 90
            ):
                count += 1
    return count


@pytest.mark.usefixtures("restore_theme")
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_tab_stop_shows_it_has_the_focus(
    qtbot: QtBot, sign_in: SignInDialog, scheme: str
) -> None:
    """Each stop looks clearly different focused: at least one ring side of strong change."""
    theme.apply(scheme)
    qtbot.waitUntil(lambda: theme.is_dark(sign_in.palette()) is (scheme == "dark"))
    sign_in.new_account.setChecked(True)
    stops = tab_stops(sign_in)
    for position, widget in enumerate(stops):
        elsewhere = stops[position - 1]
        elsewhere.setFocus()
        qtbot.waitUntil(elsewhere.hasFocus, timeout=WAIT_MS)
        unfocused = widget.grab().toImage()
        widget.setFocus()
        qtbot.waitUntil(widget.hasFocus, timeout=WAIT_MS)
        focused = widget.grab().toImage()
        changed = strong_changes(unfocused, focused)
        assert changed >= widget.height(), (
            f"focus barely shows on {widget.accessibleName() or widget.text()}"
        )


# ------------------------------------------------------------- size, names, primary

#: A virtual screen big enough that no dialog is squeezed by the screen at 200 %.
BIG_SCREEN = (3840, 2400)


def probe_at(scale: float, tmp_path: Path) -> dict[str, dict[str, Any]]:
    """Every dialog opened in a fresh process at ``QT_SCALE_FACTOR=scale``."""
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM=screen_platform(tmp_path, *BIG_SCREEN), QT_SCALE_FACTOR=str(scale))
    env.pop("QT_QPA_PLATFORMTHEME", None)
    report: dict[str, dict[str, Any]] = run_probe("tests.ui.dialog_probe", env=env)
    return report


@pytest.mark.parametrize("scale", [1, 1.5, 2])
def test_every_dialog_opens_with_nothing_clipped(scale: float, tmp_path: Path) -> None:
    """Settings opened narrower than its own tabs (cut behind scroll arrows); now every
    dialog opens at least at its sizeHint and every child's text fits, at 100-200 %."""
    report = probe_at(scale, tmp_path)
    assert {name.split("/")[0] for name in report} == {
        "settings",
        "settings-first-run",
        "sign-in",
        "sign-up",
        "new-room",
        "new-room-refused",
        "trust",
        "composer",
        "switcher",
    }
    assert "settings/Notifications" in report
    clipped = {name: shown["problems"] for name, shown in report.items() if shown["problems"]}
    assert clipped == {}
    for name, shown in report.items():
        width, height = shown["size"]
        hint_width, hint_height = shown["hint"]
        assert width >= hint_width, name
        assert height >= hint_height, name


def test_every_control_has_an_accessible_name(tmp_path: Path) -> None:
    report = probe_at(1, tmp_path)
    unnamed = {name: shown["unnamed"] for name, shown in report.items() if shown["unnamed"]}
    assert unnamed == {}


@pytest.mark.usefixtures("restore_theme")
def test_the_primary_button_is_the_default_and_in_the_accent(qtbot: QtBot) -> None:
    theme.apply("light")
    accent = QColor(theme.colours().accent).rgb()
    dialogs: list[tuple[QDialog, QPushButton]] = []
    sign_in = SignInDialog("chat.example.org", "alice")
    dialogs.append((sign_in, sign_in.buttons.button(QDialogButtonBox.StandardButton.Ok)))
    new_room = NewRoomDialog()
    dialogs.append((new_room, new_room.buttons.button(QDialogButtonBox.StandardButton.Ok)))
    for dialog, button in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert button.isDefault()
        image = button.grab().toImage()
        filled = sum(
            1
            for y in range(image.height())
            for x in range(image.width())
            if image.pixelColor(x, y).rgb() == accent
        )
        assert filled > image.width() * image.height() // 3, button.text()


def test_every_dialog_has_a_title_line(qtbot: QtBot) -> None:
    for dialog in (SignInDialog(), NewRoomDialog(), SettingsDialog([], "", "", "light")):
        qtbot.addWidget(dialog)
        title = dialog.findChild(QLabel, "dialogTitle")
        assert title is not None
        assert title.text() == dialog.windowTitle()
        assert title.font().bold()


def tab_stops_of(top: QWidget) -> list[QWidget]:
    """Every widget Tab visits in ``top``, from the focus chain."""
    stops: list[QWidget] = []
    widget = top.nextInFocusChain()
    while widget is not top and widget not in stops:
        tabbable = widget.focusPolicy() & Qt.FocusPolicy.TabFocus
        proxied = widget.focusProxy() is not None  # its proxy is the stop (a tab widget's bar)
        if tabbable and not proxied and widget.isVisibleTo(top) and widget.isEnabled():
            stops.append(widget)
        widget = widget.nextInFocusChain()
    return stops


def _trust_prompt() -> QDialog:
    error = UntrustedCertificateError("https://chat.example.org", presented="AB:" * 31 + "CD")
    return TrustPrompt(error)


@pytest.mark.usefixtures("restore_theme")
@pytest.mark.parametrize(
    "make",
    [NewRoomDialog, lambda: SettingsDialog([], "", "", "light"), _trust_prompt],
    ids=["new-room", "settings", "trust"],
)
def test_every_tab_stop_of_the_other_dialogs_shows_the_focus(qtbot: QtBot, make: Any) -> None:
    theme.apply("light")
    dialog = make()
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitActive(dialog)
    stops = tab_stops_of(dialog)
    assert len(stops) >= 2
    for position, widget in enumerate(stops):
        elsewhere = stops[position - 1]
        elsewhere.setFocus()
        qtbot.waitUntil(elsewhere.hasFocus, timeout=WAIT_MS)
        unfocused = widget.grab().toImage()
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(widget.hasFocus, timeout=WAIT_MS)
        focused = widget.grab().toImage()
        assert strong_changes(unfocused, focused) >= widget.height(), widget.accessibleName()


@pytest.mark.usefixtures("restore_theme")
def test_settings_with_many_rooms_stays_the_size_of_a_few(qtbot: QtBot) -> None:
    """A team with thirty rooms: the Notifications page shows five rooms' choices and
    scrolls the rest, so Settings is no taller than with five (one row per room made it
    taller than the screen); the last room's choice is reachable by scrolling."""
    from desktopchat.client.notify.center import Preferences

    theme.apply("light")

    def settings(rooms: int) -> SettingsDialog:
        dialog = SettingsDialog([], "", "", "light")
        dialog.add_notifications_page(Preferences(), [f"room-{n}" for n in range(rooms)])
        qtbot.addWidget(dialog)
        return dialog

    few, many, more = settings(5), settings(30), settings(60)
    assert abs(more.sizeHint().height() - many.sizeHint().height()) <= 1  # it does not grow
    assert many.sizeHint().height() <= few.sizeHint().height() + 10  # five rows' worth
    assert many.minimumSizeHint().height() <= few.minimumSizeHint().height() + 10
    many.show()
    qtbot.waitExposed(many)
    many.tabs.setCurrentIndex(many.tabs.count() - 1)  # Notifications
    page = many.tabs.currentWidget()
    last = page.room_boxes["room-29"]
    area = page.findChild(QWidget, "roomModesArea")
    assert area is not None
    area.ensureWidgetVisible(last)
    qtbot.waitUntil(lambda: last.visibleRegion().boundingRect().height() == last.height())


@pytest.mark.usefixtures("restore_theme")
def test_signing_in_or_creating_an_account_shows_which_fields_count(
    qtbot: QtBot, sign_in: SignInDialog
) -> None:
    """Signing in, Display name and Email are off, and look it, labels too (they looked
    the same as the fields in use); "Wrong username or password" goes once you tick
    "Create a new account", being about the other mode."""
    theme.apply("light")
    form = sign_in._form
    labels = [form.labelForField(f) for f in (sign_in.display_name, sign_in.email)]
    assert all(label is not None and not label.isEnabled() for label in labels)
    username_label = form.labelForField(sign_in.username)
    assert username_label is not None
    on_label = username_label.grab().toImage()
    off_label = labels[0].grab().toImage() if labels[0] is not None else on_label
    assert _darkest(off_label) > _darkest(on_label) + 40  # the off label is visibly paler
    sign_in.failed("Wrong username or password")
    assert sign_in.error.text() == "Wrong username or password"
    sign_in.new_account.setFocus()
    qtbot.keyClick(sign_in.new_account, Qt.Key.Key_Space)
    assert sign_in.new_account.isChecked()
    assert sign_in.error.text() == ""
    assert sign_in.display_name.isEnabled()
    assert all(label is not None and label.isEnabled() for label in labels)


def _darkest(image: QImage) -> int:
    """The lightness of the darkest pixel (text ink on a light background)."""
    return min(
        image.pixelColor(x, y).lightness()
        for x in range(image.width())
        for y in range(image.height())
    )
