"""Dialogs: sign in / sign up, new room, settings. They collect input; the window acts on it."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QScrollArea,
    QTabWidget,
    QWidget,
)

from desktopchat.client import room_names
from desktopchat.client.notify.center import Preferences
from desktopchat.client.notify.policy import RoomMode
from desktopchat.client.settings import Profile
from desktopchat.ui.dialog_chrome import (
    error_label,
    form_layout,
    make_primary,
    name_buttons,
    page_layout,
    titled_layout,
)

THEMES = {"system": "Follow the system", "light": "Light", "dark": "Dark"}


@dataclass(frozen=True, slots=True)
class SignInRequest:
    """What the sign-in dialog asks the window to do."""

    server: str
    username: str
    password: str
    remember: bool
    create_account: bool
    display_name: str = ""
    email: str = ""


class SignInDialog(QDialog):
    """Sign in to (or create an account on) a remote relay; "remember me" keeps the token.

    Signals:
        requested(object): a :class:`SignInRequest`; the window answers with :meth:`failed`
            or closes the dialog.
    """

    requested = Signal(object)

    def __init__(self, server: str = "", username: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = titled_layout(self, "Sign in", "Your account on a desktopchat server.")
        self.server = QLineEdit(server, self)
        self.server.setPlaceholderText("chat.example.org:6001")
        self.username = QLineEdit(username, self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.display_name = QLineEdit(self)
        self.email = QLineEdit(self)
        self.email.setPlaceholderText("optional, for a Gravatar")
        self.new_account = QCheckBox("Create a new account", self)
        self.remember = QCheckBox("Remember me (keeps the session in the system keyring)", self)
        self.remember.setChecked(True)
        self.error = error_label(self, "Sign-in error")
        for field, name in (
            (self.server, "Server"),
            (self.username, "Username"),
            (self.password, "Password"),
            (self.display_name, "Display name"),
            (self.email, "Email"),
            (self.new_account, "Create a new account"),
            (self.remember, "Remember me"),
        ):
            field.setAccessibleName(name)
        form = form_layout()
        form.addRow("Server", self.server)
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        form.addRow(self.new_account)
        form.addRow("Display name", self.display_name)
        form.addRow("Email", self.email)
        form.addRow(self.remember)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        make_primary(self.buttons.button(QDialogButtonBox.StandardButton.Ok))
        name_buttons(self.buttons)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self._form = form
        self.new_account.toggled.connect(self._mode)
        self._mode(False)
        # Tab follows the form (widgets were created in another order): ticking "Create a
        # new account" makes Display name and Email the next stops.
        chain = (
            self.server,
            self.username,
            self.password,
            self.new_account,
            self.display_name,
            self.email,
            self.remember,
            self.buttons,
        )
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

    def _mode(self, create: bool) -> None:
        """Signing in or creating an account: the fields only the latter uses, their
        labels with them, are off otherwise; an error about the other mode goes."""
        for field in (self.display_name, self.email):
            field.setEnabled(create)
            label = self._form.labelForField(field)
            if label is not None:
                label.setEnabled(create)
        self.error.clear()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Create account" if create else "Sign in")
        ok.setAccessibleName(ok.text())

    def _submit(self) -> None:
        if (
            not self.server.text().strip()
            or not self.username.text().strip()
            or not self.password.text()
        ):
            self.failed("Server, username and password are all needed.")
            return
        self.error.clear()
        self.buttons.setEnabled(False)
        self.requested.emit(
            SignInRequest(
                server=self.server.text().strip(),
                username=self.username.text().strip(),
                password=self.password.text(),
                remember=self.remember.isChecked(),
                create_account=self.new_account.isChecked(),
                display_name=self.display_name.text().strip(),
                email=self.email.text().strip(),
            )
        )

    def failed(self, message: str) -> None:
        """Show why signing in did not work, and let the user try again."""
        self.error.setText(message)
        self.buttons.setEnabled(True)
        self.password.setFocus()


class NewRoomDialog(QDialog):
    """Name and topic of a new room; what is wrong with a name is said beside the field.

    A name the relay's rule refuses (:mod:`desktopchat.client.room_names`) never leaves
    the dialog; a valid one is :attr:`submitted`, and the window answers with
    :meth:`failed` (the relay refused it: the dialog stays open with the reason) or
    closes the dialog.

    Signals:
        submitted(str, str): the room's name and topic.
    """

    submitted = Signal(str, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = titled_layout(self, "New room")
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("lower-case letters, digits, - and _")
        self.name.setAccessibleName("Room name")
        self.name.setMaxLength(room_names.MAX_LENGTH + 16)  # room to say it is too long
        self.error = error_label(self, "Room name problem")
        self.error.hide()
        self.topic = QLineEdit(self)
        self.topic.setAccessibleName("Room topic")
        form = form_layout()
        form.addRow("Name", self.name)
        form.addRow("", self.error)
        form.addRow("Topic", self.topic)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, parent=self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        make_primary(self.buttons.button(QDialogButtonBox.StandardButton.Ok))
        name_buttons(self.buttons)
        self.buttons.accepted.connect(self._submit)
        self.buttons.rejected.connect(self.reject)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.name.textEdited.connect(lambda _: self.error.hide())
        layout.addStrut(self.fontMetrics().averageCharWidth() * 52)  # a long name's reason

    def _submit(self) -> None:
        name = self.name.text().strip()
        wrong = room_names.problem(name)
        if wrong is not None:
            self.failed(wrong)
            return
        self.error.hide()
        self.buttons.setEnabled(False)  # until the window answers
        self.submitted.emit(name, self.topic.text().strip())

    def failed(self, message: str) -> None:
        """Show why the room was not created beside its name, and let the user fix it."""
        self.error.setText(message)
        self.error.show()
        self.adjustSize()  # room for the wrapped message, never clipped
        self.buttons.setEnabled(True)
        self.name.setFocus()
        self.name.selectAll()


class SettingsDialog(QDialog):
    """Profiles, your display name, the theme. Later issues add pages (notifications).

    Signals:
        display_name_changed(str): save this display name on the server.
        theme_changed(str): one of :data:`THEMES`.
        profile_removed(str): forget this profile.
        sign_in_requested(): open the sign-in dialog (adds a profile).
    """

    display_name_changed = Signal(str)
    theme_changed = Signal(str)
    profile_removed = Signal(str)
    sign_in_requested = Signal()

    def __init__(
        self,
        profiles: list[Profile],
        current: str,
        display_name: str,
        theme: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        layout = titled_layout(self, "Settings")
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Settings pages")
        self.tabs.tabBar().setAccessibleName("Settings pages")
        self.tabs.setUsesScrollButtons(False)  # every tab shown: the dialog is as wide as they are
        self.tabs.addTab(self._profiles_page(profiles, current), "Servers")
        self.tabs.addTab(self._account_page(display_name), "Account")
        self.tabs.addTab(self._appearance_page(theme), "Appearance")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        make_primary(close.button(QDialogButtonBox.StandardButton.Close))
        name_buttons(close)
        close.rejected.connect(self.reject)
        layout.addWidget(self.tabs)
        layout.addWidget(close)

    def add_notifications_page(
        self, preferences: Preferences, rooms: list[str]
    ) -> NotificationsPage:
        """The Notifications page (its owner connects its signals)."""
        page = NotificationsPage(preferences, rooms, self)
        self.tabs.addTab(page, "Notifications")
        return page

    def _profiles_page(self, profiles: list[Profile], current: str) -> QWidget:
        page = QWidget(self)
        self.profiles = QListWidget(page)
        self.profiles.setAccessibleName("Server profiles")
        for profile in profiles:
            where = "this computer" if profile.embedded else profile.server
            who = f" as {profile.username}" if profile.username else ""
            marker = " (current)" if profile.name == current else ""
            self.profiles.addItem(f"{profile.name}: {where}{who}{marker}")
        self._profile_names = [p.name for p in profiles]
        self._current = current
        self.removal_refused = error_label(page, "Why the profile was not removed")
        add = QPushButton("Sign in to another server…", page)
        add.setAccessibleName("Sign in to another server")
        add.clicked.connect(self.sign_in_requested)
        remove = QPushButton("Remove", page)
        remove.setAccessibleName("Remove the selected profile")
        remove.clicked.connect(self._remove)
        layout = page_layout(page)
        layout.addWidget(self.profiles)
        layout.addWidget(add)
        layout.addWidget(remove)
        layout.addWidget(self.removal_refused)
        return page

    def _remove(self) -> None:
        row = self.profiles.currentRow()
        if 0 <= row < len(self._profile_names) and self._profile_names[row] == self._current:
            self.removal_refused.setText("The profile in use cannot be removed; switch first.")
            return
        if 0 <= row < len(self._profile_names):
            self.profile_removed.emit(self._profile_names[row])
            self.profiles.takeItem(row)
            del self._profile_names[row]

    def _account_page(self, display_name: str) -> QWidget:
        page = QWidget(self)
        self.display_name = QLineEdit(display_name, page)
        self.display_name.setAccessibleName("Display name")
        save = QPushButton("Save", page)
        save.setAccessibleName("Save the display name")
        save.clicked.connect(
            lambda: self.display_name_changed.emit(self.display_name.text().strip())
        )
        form = form_layout(page)
        form.addRow("Display name", self.display_name)
        form.addRow(save)
        return page

    def _appearance_page(self, theme: str) -> QWidget:
        page = QWidget(self)
        self.theme = QComboBox(page)
        self.theme.setAccessibleName("Theme")
        for key, label in THEMES.items():
            self.theme.addItem(label, key)
        self.theme.setCurrentIndex(max(0, list(THEMES).index(theme) if theme in THEMES else 0))
        self.theme.currentIndexChanged.connect(
            lambda _: self.theme_changed.emit(self.theme.currentData())
        )
        form = form_layout(page)
        form.addRow("Theme", self.theme)
        return page


class _RowsArea(QScrollArea):
    """A frameless scrolling area that asks for the height of its first ``shown`` rows
    (of ``rows`` alike ones), measured as its content is now (styled, at any scale)."""

    def __init__(self, rows: int, shown: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows, self._shown = rows, shown
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def _height(self) -> int:
        inner = self.widget()
        if inner is None or not self._rows:
            return 0
        whole = inner.sizeHint().height()
        return whole if self._rows <= self._shown else round(whole * self._shown / self._rows)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """As wide as the rows (and a scroll bar when they scroll), as tall as ``shown``."""
        inner = self.widget()
        width = inner.sizeHint().width() if inner is not None else 0
        if self._rows > self._shown:
            width += self.verticalScrollBar().sizeHint().width()
        return QSize(width, self._height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """The same height: ``shown`` rows are always in view."""
        return QSize(super().minimumSizeHint().width(), self._height())


class NotificationsPage(QWidget):
    """Notification settings, with a "send a test notification" button.

    Signals:
        changed(object): the new :class:`Preferences`.
        test_requested(): send a test notification.
    """

    changed = Signal(object)
    test_requested = Signal()

    #: How many rooms' rows the page shows before they scroll.
    ROOMS_SHOWN: ClassVar[int] = 5

    MODES: ClassVar[dict[RoomMode, str]] = {
        RoomMode.ALL: "All messages",
        RoomMode.MENTIONS: "Mentions only",
        RoomMode.MUTE: "Muted",
    }

    def __init__(
        self, preferences: Preferences, rooms: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._modes = dict(preferences.room_modes)
        self.enabled = QCheckBox("Show notifications for new messages", self)
        self.enabled.setChecked(preferences.enabled)
        self.sound = QCheckBox("Play a sound", self)
        self.sound.setChecked(preferences.sound)
        self.dnd = QCheckBox("Do not disturb (not even mentions)", self)
        self.dnd.setChecked(preferences.do_not_disturb)
        for check in (self.enabled, self.sound, self.dnd):
            check.setAccessibleName(check.text())
        form = form_layout()
        self.room_boxes: dict[str, QComboBox] = {}
        for room in rooms:
            box = QComboBox(self)
            box.setAccessibleName(f"Notifications for #{room}")
            for mode, label in self.MODES.items():
                box.addItem(label, mode.value)
            box.setCurrentIndex(list(self.MODES).index(self._modes.get(room, RoomMode.ALL)))
            box.currentIndexChanged.connect(self._emit)
            self.room_boxes[room] = box
            form.addRow(f"#{room}", box)
        self.test = QPushButton("Send a test notification", self)
        self.test.setAccessibleName("Send a test notification")
        self.result = QLabel(self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Test notification result")
        self.test.clicked.connect(self.test_requested)
        layout = page_layout(self)
        for check in (self.enabled, self.sound, self.dnd):
            check.toggled.connect(self._emit)
            layout.addWidget(check)
        scrolls = len(rooms) > self.ROOMS_SHOWN  # then a taller dialog shows more rows
        layout.addWidget(self._scrolling(form), 1 if scrolls else 0)
        layout.addWidget(self.test)
        layout.addWidget(self.result)
        if not scrolls:
            layout.addStretch(1)

    def _scrolling(self, form: QFormLayout) -> QScrollArea:
        """The rooms' choices in a frameless area that scrolls: one row per room made the
        dialog taller than the screen for a team with twenty rooms."""
        inner = QWidget(self)
        inner.setObjectName("roomModes")
        form.setContentsMargins(0, 0, 0, 0)
        inner.setLayout(form)
        area = _RowsArea(len(self.room_boxes), self.ROOMS_SHOWN, self)
        area.setObjectName("roomModesArea")
        area.setAccessibleName("Notifications for each room")
        area.setWidget(inner)
        return area

    def show_result(self, text: str) -> None:
        """Say which channel delivered the test notification."""
        self.result.setText(text)

    def preferences(self) -> Preferences:
        """The settings as shown."""
        modes = dict(self._modes)
        for room, box in self.room_boxes.items():
            modes[room] = RoomMode(box.currentData())
        modes = {room: mode for room, mode in modes.items() if mode is not RoomMode.ALL}
        return Preferences(
            self.enabled.isChecked(), self.sound.isChecked(), self.dnd.isChecked(), modes
        )

    def _emit(self) -> None:
        self.changed.emit(self.preferences())
