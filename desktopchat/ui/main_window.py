"""The main window: rooms on the left, the conversation in the middle, members on the right.

It owns widgets and actions only. Logging in runs on a worker (``open_login`` may start
the embedded hub); after that a :class:`ChatController` feeds the widgets.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, QPoint, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QListView,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktopchat.client import settings as settings_file
from desktopchat.client.credentials import TokenStore
from desktopchat.client.domain import Message
from desktopchat.client.errors import (
    AuthenticationError,
    DesktopChatError,
    NotLoggedInError,
    UntrustedCertificateError,
)
from desktopchat.client.login import Login, open_login, sign_in
from desktopchat.client.notify.center import NotificationCenter, Preferences
from desktopchat.client.notify.policy import Content, Situation
from desktopchat.client.outbox import OutboxItem, OutboxState
from desktopchat.client.session import ChatSession
from desktopchat.client.settings import Profile, Settings
from desktopchat.client.tasks import TaskRunner
from desktopchat.client.trust import KnownHosts
from desktopchat.paths import AppDirs
from desktopchat.resources import APP_ICON_SVG, resource
from desktopchat.ui import notifications, theme
from desktopchat.ui.avatars import AvatarCache
from desktopchat.ui.composer import Composer
from desktopchat.ui.controller import ChatController
from desktopchat.ui.dialogs import NewRoomDialog, SettingsDialog, SignInDialog, SignInRequest
from desktopchat.ui.message_delegate import MessageDelegate
from desktopchat.ui.message_model import MessageListModel, Roles
from desktopchat.ui.message_view import MessageView
from desktopchat.ui.panels import ConnectionBanner, MembersPanel, TypingIndicator
from desktopchat.ui.rooms import ROOM_ROLE, QuickSwitcher
from desktopchat.ui.toast import Toast
from desktopchat.ui.tray import Tray
from desktopchat.ui.trust_prompt import TrustPrompt

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    """The desktopchat window."""

    def __init__(
        self, dirs: AppDirs, settings: Settings, store: TokenStore, notices: list[str]
    ) -> None:
        super().__init__()
        self.dirs = dirs
        self.settings = settings
        self.store = store
        self.notices = notices
        self.tasks = TaskRunner(parent=self)
        self.avatars = AvatarCache(
            dirs.cache, self.tasks, self.devicePixelRatioF(), self, KnownHosts(dirs.data)
        )
        self.session: ChatSession | None = None
        self.controller: ChatController | None = None
        self._sign_in: SignInDialog | None = None
        #: The open "trust this certificate?" question, if any (tests answer it).
        self.trust_prompt: TrustPrompt | None = None
        #: Where each visited room was scrolled to (top message id; None = at the bottom).
        self._scroll: dict[str, int | None] = {}
        self._quitting = False
        self.setWindowTitle("desktopchat")
        self.setAccessibleName("desktopchat")
        icon_path = resource(APP_ICON_SVG)
        self.app_icon = QIcon(str(icon_path)) if icon_path else QIcon()
        self.setWindowIcon(self.app_icon)
        self._build()
        self._build_menus()
        self._restore_geometry()
        self._build_notifications()

    def _build_notifications(self) -> None:
        self.tray = Tray(self.app_icon, self)
        self.toast = Toast(self)
        backend, self.notification_service = notifications.start_backend()
        self._notification_backend = backend  # kept to stop it at quit, whatever happens
        self.notifications = NotificationCenter(
            backend,
            [
                ("the tray's message bubble", self.tray.balloon),
                ("an in-app toast", self.toast.show_content),
            ],
            self._situation,
            notifications.load_preferences(self.settings),
            self,
        )
        if backend is not None and hasattr(backend, "inhibited_changed"):
            self.notifications.system_do_not_disturb = bool(getattr(backend, "inhibited", False))
            backend.inhibited_changed.connect(self._system_do_not_disturb)
        self.notifications.open_room.connect(self.bring_to_front)
        self.notifications.mark_read.connect(self._mark_read_from_notification)
        self.notifications.reply.connect(self._reply_from_notification)
        self.toast.clicked.connect(self.bring_to_front)
        self.tray.toggle_window.connect(self._toggle_visible)
        self.tray.quit_requested.connect(self.quit)
        self.tray.do_not_disturb.connect(self.set_do_not_disturb)
        self.tray.set_do_not_disturb(self.notifications.preferences.do_not_disturb)

    def _situation(self) -> Situation:
        controller = self.controller
        if controller is None:
            return Situation(-1, (), self.isActiveWindow(), None)
        user = controller.user
        current = controller.current.name if controller.current else None
        return Situation(
            user.id, (user.display_name, user.username), controller.window_active, current
        )

    def _system_do_not_disturb(self, on: bool) -> None:
        self.notifications.system_do_not_disturb = on

    def set_do_not_disturb(self, on: bool) -> None:
        """Silence (or allow) notifications, mentions included."""
        self.notifications.preferences.do_not_disturb = on
        self.tray.set_do_not_disturb(on)
        self._save_notification_preferences()

    def _save_notification_preferences(self) -> None:
        self._save_section(
            "notifications", notifications.preferences_table(self.notifications.preferences)
        )

    def bring_to_front(self, room: str = "") -> None:
        """Show, raise and focus the window, on ``room`` if given (a notification click)."""
        self.showNormal()
        self.raise_()
        self.activateWindow()
        if room:
            self.select_room(room)

    def _mark_read_from_notification(self, room: str) -> None:
        if self.controller is not None:
            self.controller.mark_room_read(room)

    def _reply_from_notification(self, room: str, text: str) -> None:
        if self.controller is not None:
            self.controller.send_to(room, text)

    def _toggle_visible(self) -> None:
        if self.isVisible() and self.isActiveWindow():
            self.hide()
        else:
            self.bring_to_front()

    def quit(self) -> None:
        """Really quit (the tray's Quit, Ctrl+Q), not just close into the tray."""
        self._quitting = True
        self.close()

    # ----------------------------------------------------------------------- layout

    def _build(self) -> None:
        self.room_list = QListView(self)
        self.room_list.setAccessibleName("Rooms")
        self.room_list.activated.connect(self._room_activated)
        self.room_list.clicked.connect(self._room_activated)
        new_room = QPushButton("+ New room", self)
        new_room.setAccessibleName("Create a room")
        new_room.clicked.connect(self.new_room)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 4, 4)
        left_layout.addWidget(QLabel("<b>Rooms</b>", left))
        left_layout.addWidget(self.room_list, 1)
        left_layout.addWidget(new_room)

        self.banner = ConnectionBanner(self)
        self.room_title = QLabel(self)
        self.room_title.setAccessibleName("Room title")
        self.room_title.setTextFormat(Qt.TextFormat.PlainText)
        self.messages = MessageView(MessageDelegate(self.avatars, self), self)
        self.avatars.updated.connect(self.messages.viewport().update)
        self.messages.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.messages.customContextMenuRequested.connect(self._message_menu)
        self.typing = TypingIndicator(self)
        self.composer = Composer(self)
        self.composer.setEnabled(False)
        center = QWidget(self)
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.banner, self.room_title):
            center_layout.addWidget(widget)
        center_layout.addWidget(self.messages, 1)
        center_layout.addWidget(self.typing)
        center_layout.addWidget(self.composer)

        self.members = MembersPanel(self.avatars, self)
        splitter = QSplitter(self)
        splitter.addWidget(left)
        splitter.addWidget(center)
        splitter.addWidget(self.members)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([180, 640, 180])
        self.setCentralWidget(splitter)
        self.resize(1000, 680)
        self.statusBar().showMessage("Starting…")

    def _action(
        self,
        menu: QMenu,
        text: str,
        slot: Any,
        shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        chat = self.menuBar().addMenu("&Chat")
        self._action(chat, "&Quick switcher…", self.quick_switch, "Ctrl+K")
        self._action(chat, "&New room…", self.new_room, QKeySequence.StandardKey.New)
        self._action(chat, "Previous room", lambda: self._step_room(-1), "Alt+Up")
        self._action(chat, "Next room", lambda: self._step_room(1), "Alt+Down")
        chat.addSeparator()
        self.profiles_menu = chat.addMenu("&Profiles")
        self.profiles_menu.aboutToShow.connect(self._fill_profiles)
        self._action(chat, "&Sign in to a server…", self.show_sign_in)
        self._action(chat, "Se&ttings…", self.show_settings, QKeySequence.StandardKey.Preferences)
        chat.addSeparator()
        self.dnd = self._action(chat, "&Do not disturb", self.set_do_not_disturb)
        self.dnd.setCheckable(True)
        self._action(chat, "&Quit", self.quit, QKeySequence.StandardKey.Quit)
        view = self.menuBar().addMenu("&View")
        self.toggle_members = self._action(
            view, "&Members", self.members.setVisible, "Ctrl+Shift+M"
        )
        self.toggle_members.setCheckable(True)
        self.toggle_members.setChecked(True)
        self._action(view, "Jump to &newest", self.messages.scroll_to_newest, "Ctrl+End")

    # ---------------------------------------------------------------------- session

    def open_profile(self, profile: Profile) -> None:
        """Log in to ``profile`` on a worker, then show it (or ask to sign in)."""
        self.close_session()
        where = "this computer" if profile.embedded else profile.server
        self.statusBar().showMessage(f"Connecting to {where}…")
        dirs, settings, store = self.dirs, self.settings, self.store
        self.tasks.run(
            lambda: open_login(dirs, settings, profile, store),
            self.attach,
            lambda exc: self._login_failed(profile, exc),
        )

    def _login_failed(self, profile: Profile, exc: BaseException) -> None:
        if isinstance(exc, UntrustedCertificateError):
            self.ask_trust(exc, lambda: self.open_profile(profile))
            return
        if isinstance(exc, NotLoggedInError | AuthenticationError):
            self.statusBar().showMessage(str(exc))
            self.show_sign_in(
                profile.server if not profile.embedded else "", profile.username or ""
            )
            return
        self.statusBar().showMessage(f"Could not connect: {exc}")
        QMessageBox.warning(self, "desktopchat", f"Could not connect: {exc}")

    @Slot(object)
    def attach(self, login: Login) -> None:
        """Show a logged-in session."""
        self.close_session()
        self.notices.extend(login.notices)
        session = ChatSession(login, self.dirs.data, self)
        controller = ChatController(session, self)
        self.session, self.controller = session, controller
        self.room_list.setModel(controller.rooms)
        session.bridge.state_changed.connect(self.banner.set_state)
        self.banner.retry_requested.connect(session.bridge.retry_now)
        session.outbox.changed.connect(lambda _: self._outbox_count())
        controller.room_changed.connect(self._room_changed)
        controller.unread_changed.connect(self._update_title)
        controller.error.connect(self.statusBar().showMessage)
        controller.typing.connect(self.typing.typed)
        controller.messages_arrived.connect(self._messages_arrived)
        controller.messages_arrived.connect(self.notifications.offer)
        controller.room_read.connect(self.notifications.read)
        controller.room_read.connect(self.toast.withdraw)
        controller.unread_changed.connect(self.tray.set_unread)
        controller.window_active = self.isActiveWindow()
        controller.members_reset.connect(self.members.set_members)
        controller.member_added.connect(self.members.add)
        controller.member_removed.connect(self.members.remove)
        self.composer.submitted.connect(controller.send)
        self.composer.edit_submitted.connect(controller.edit)
        self.composer.typing.connect(controller.typed)
        self.composer.edit_last_requested.connect(self._edit_last)
        self.messages.older_wanted.connect(controller.load_older)
        self.composer.setEnabled(True)
        session.start()
        controller.load_rooms(self._ui_state().get("last_room"))
        user = login.user
        message = f"Signed in as {user.display_name} on {login.server_url}"
        self.statusBar().showMessage("; ".join([message, *self.notices]))
        self._outbox_count()

    def close_session(self) -> None:
        """Disconnect the current session (switching profile, signing out, quitting)."""
        if self.controller is not None:
            for signal in (
                self.composer.submitted,
                self.composer.edit_submitted,
                self.composer.typing,
            ):
                signal.disconnect()
            self.composer.edit_last_requested.disconnect()
            self.messages.older_wanted.disconnect()
            self.banner.retry_requested.disconnect()
            self.controller.deleteLater()
            self.controller = None
        if self.session is not None:
            self.session.close()
            self.session.deleteLater()
            self.session = None
        self.composer.setEnabled(False)

    # ------------------------------------------------------------------------ rooms

    @Slot(QModelIndex)
    def _room_activated(self, index: QModelIndex) -> None:
        room = index.data(ROOM_ROLE)
        if room is not None and self.controller is not None:
            self.controller.select(room.name)

    def select_room(self, name: str) -> None:
        """Go to room ``name``."""
        if self.controller is not None:
            self.controller.select(name)

    @Slot(str)
    def _room_changed(self, name: str) -> None:
        controller = self.controller
        if controller is None or controller.current is None:
            return
        model = controller.model(name)
        leaving = self.messages.model()
        if isinstance(leaving, MessageListModel):
            self._scroll[leaving.room] = self.messages.top_message_id()
        self.messages.setModel(model)
        anchor = self._scroll.get(name, self._ui_state().get("scroll", {}).get(name))
        if isinstance(anchor, int):
            self.messages.scroll_to_message(anchor)
        row = controller.rooms.row_of(name)
        if row is not None:
            self.room_list.setCurrentIndex(controller.rooms.index(row))
        topic = controller.current.topic
        self.room_title.setText(f"# {name}" + (f" — {topic}" if topic else ""))
        self.composer.set_room(name)
        self.typing.clear_all()
        self.members.set_members({})
        self._update_title(controller.rooms.total_unread())
        self._save_ui_state(last_room=name)
        self.composer.setFocus()

    def _step_room(self, step: int) -> None:
        controller = self.controller
        if controller is None or controller.current is None:
            return
        names = [r.name for r in controller.rooms.rooms()]
        position = names.index(controller.current.name)
        controller.select(names[(position + step) % len(names)])

    def quick_switch(self) -> None:
        """Ctrl+K: jump to a room by typing part of its name."""
        if self.controller is None:
            return
        switcher = QuickSwitcher(self.controller.rooms, self)
        switcher.chosen.connect(self.select_room)
        switcher.open()

    def new_room(self) -> None:
        """Create a room."""
        if self.controller is None:
            return
        dialog = NewRoomDialog(self)
        if dialog.exec() == NewRoomDialog.DialogCode.Accepted and dialog.name.text().strip():
            self.controller.create_room(dialog.name.text().strip(), dialog.topic.text().strip())

    # --------------------------------------------------------------------- messages

    def _edit_last(self) -> None:
        model = self.messages.model()
        if isinstance(model, MessageListModel):
            message = model.last_own_message()
            if message is not None:
                self.composer.begin_edit(message.id, message.text)

    def _message_menu(self, point: QPoint) -> None:
        index = self.messages.indexAt(point)
        if not index.isValid() or self.controller is None or self.session is None:
            return
        record = index.data(Roles.ROW)
        menu = QMenu(self)
        text = record.text
        menu.addAction("Copy text", lambda: QGuiApplication.clipboard().setText(text))
        if (
            isinstance(record, Message)
            and record.author.id == self.controller.user.id
            and not record.deleted
        ):
            menu.addAction("Edit", lambda: self.composer.begin_edit(record.id, record.text))
            menu.addAction("Delete", lambda: self._confirm_delete(record.id))
        if isinstance(record, OutboxItem) and record.state is OutboxState.FAILED:
            outbox = self.session.outbox
            menu.addAction("Retry sending", lambda: outbox.retry(record.client_id))
            menu.addAction("Discard", lambda: outbox.discard(record.client_id))
        menu.exec(self.messages.viewport().mapToGlobal(point))

    def _confirm_delete(self, message_id: int) -> None:
        answer = QMessageBox.question(self, "Delete message", "Delete this message for everyone?")
        if answer == QMessageBox.StandardButton.Yes and self.controller is not None:
            self.controller.delete(message_id)

    def _messages_arrived(self, room: str, messages: list[Message]) -> None:
        for message in messages:
            self.typing.stopped(str(message.author.id))

    def _outbox_count(self) -> None:
        if self.session is not None:
            waiting = [i for i in self.session.outbox.items() if i.state is not OutboxState.FAILED]
            self.banner.set_waiting(len(waiting))

    @Slot(int)
    def _update_title(self, unread: int) -> None:
        room = self.controller.current.name if self.controller and self.controller.current else None
        title = f"#{room} — desktopchat" if room else "desktopchat"
        self.setWindowTitle(f"({unread}) {title}" if unread else title)

    # ---------------------------------------------------------------- sign in, settings

    def show_sign_in(self, server: str = "", username: str = "") -> None:
        """Sign in to (or sign up on) a remote relay."""
        dialog = SignInDialog(server, username, self)
        dialog.requested.connect(lambda request: self._sign_in_requested(dialog, request))
        self._sign_in = dialog
        dialog.open()

    def _sign_in_requested(self, dialog: SignInDialog, request: SignInRequest) -> None:
        store = self.store

        def signed_in(result: tuple[Login, Profile]) -> None:
            login, profile = result
            self.settings = self.settings.with_profile(profile)
            settings_file.save(self.dirs.config, self.settings)
            dialog.accept()
            self.attach(login)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, UntrustedCertificateError):
                self.ask_trust(
                    exc,
                    lambda: self._sign_in_requested(dialog, request),
                    lambda: dialog.failed("Not signed in: the certificate was not trusted"),
                )
                return
            dialog.failed(str(exc) if isinstance(exc, DesktopChatError) else f"Failed: {exc}")

        settings = self.settings
        known_hosts = KnownHosts(self.dirs.data)
        self.tasks.run(
            lambda: sign_in(
                store,
                settings,
                request.server,
                request.username,
                request.password,
                remember_me=request.remember,
                create_account=request.create_account,
                display_name=request.display_name,
                email=request.email,
                known_hosts=known_hosts,
            ),
            signed_in,
            refused,
        )

    def ask_trust(
        self,
        error: UntrustedCertificateError,
        then: Callable[[], None],
        otherwise: Callable[[], None] | None = None,
    ) -> None:
        """Show the certificate's fingerprint; if the person trusts it, pin it and ``then()``."""
        if self.trust_prompt is not None:
            self.trust_prompt.reject()
        prompt = TrustPrompt(error, self)
        self.trust_prompt = prompt

        def trusted() -> None:
            self.trust_prompt = None
            try:
                KnownHosts(self.dirs.data).pin(error.server, error.presented)
            except OSError as exc:
                QMessageBox.warning(self, "desktopchat", f"Could not save the trust: {exc}")
                return
            self.statusBar().showMessage(f"Trusted the certificate of {error.server}")
            then()

        def declined() -> None:
            self.trust_prompt = None
            self.statusBar().showMessage(f"Not connected: {error.server}'s certificate")
            if otherwise is not None:
                otherwise()

        prompt.accepted.connect(trusted)
        prompt.rejected.connect(declined)
        prompt.open()

    def _fill_profiles(self) -> None:
        self.profiles_menu.clear()
        for profile in self.settings.profiles.values():
            label = f"{profile.name} ({'this computer' if profile.embedded else profile.server})"
            action = self.profiles_menu.addAction(label)
            action.setCheckable(True)
            action.setChecked(profile.name == self.settings.current)
            action.triggered.connect(lambda _=False, p=profile: self.switch_profile(p))

    def switch_profile(self, profile: Profile) -> None:
        """Make ``profile`` current and open it."""
        self.settings = self.settings.with_profile(profile)
        settings_file.save(self.dirs.config, self.settings)
        self.open_profile(profile)

    def show_settings(self) -> None:
        """Servers, account and appearance."""
        user = self.controller.user if self.controller else None
        dialog = SettingsDialog(
            list(self.settings.profiles.values()),
            self.settings.current,
            user.display_name if user else "",
            str(self._ui_state().get("theme", "system")),
            self,
        )
        dialog.theme_changed.connect(self._set_theme)
        dialog.display_name_changed.connect(self._set_display_name)
        dialog.profile_removed.connect(self._remove_profile)
        dialog.sign_in_requested.connect(self.show_sign_in)
        rooms = [r.name for r in self.controller.rooms.rooms()] if self.controller else []
        page = dialog.add_notifications_page(self.notifications.preferences, rooms)
        page.changed.connect(self._notification_preferences_changed)
        page.test_requested.connect(lambda: page.show_result(self.send_test_notification()))
        dialog.open()

    def _notification_preferences_changed(self, preferences: Preferences) -> None:
        self.notifications.preferences = preferences
        self.tray.set_do_not_disturb(preferences.do_not_disturb)
        self.dnd.setChecked(preferences.do_not_disturb)
        self._save_notification_preferences()

    def send_test_notification(self) -> str:
        """Show a test notification; return which channel delivered it."""
        content = Content(None, "desktopchat test", "If you can read this, notifications work.", 1)
        delivered = self.notifications.show(content)
        if delivered is None:
            return "Nothing could show it: no notification service, no tray, window hidden."
        return f"Delivered by {delivered}."

    def _set_theme(self, name: str) -> None:
        theme.apply(name)
        self._save_ui_state(theme=name)

    def _set_display_name(self, name: str) -> None:
        if self.session is None or not name:
            return
        relay = self.session.relay
        self.session.tasks.run(
            lambda: relay().set_display_name(name),
            lambda user: self.statusBar().showMessage(f"Your name is now {user.display_name}"),
            lambda exc: self.statusBar().showMessage(f"Could not change the name: {exc}"),
        )

    def _remove_profile(self, name: str) -> None:
        if name == self.settings.current or len(self.settings.profiles) <= 1:
            self.statusBar().showMessage("The current profile cannot be removed")
            return
        profiles = {k: v for k, v in self.settings.profiles.items() if k != name}
        self.settings = replace(self.settings, profiles=profiles)
        settings_file.save(self.dirs.config, self.settings)

    # ------------------------------------------------------------------ persistence

    def _ui_state(self) -> dict[str, Any]:
        extra = self.settings.extra or {}
        state = extra.get("ui", {})
        return dict(state) if isinstance(state, dict) else {}

    def _save_ui_state(self, **changes: Any) -> None:
        self._save_section("ui", {**self._ui_state(), **changes})

    def _save_section(self, name: str, table: dict[str, Any]) -> None:
        latest = settings_file.load(self.dirs.config)  # a CLI may have changed other parts
        self.settings = replace(latest, extra={**(latest.extra or {}), name: table})
        settings_file.save(self.dirs.config, self.settings)

    def _restore_geometry(self) -> None:
        geometry = self._ui_state().get("geometry")
        if isinstance(geometry, str):
            self.restoreGeometry(QByteArray(base64.b64decode(geometry)))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        """Becoming active marks the room on screen read (and withdraws its notification)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.controller is not None:
            self.controller.window_active = self.isActiveWindow()
            self.controller.mark_read()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        """Close into the tray when there is one; otherwise (or on Quit) really close.

        Remembers the window, then disconnects (the outbox keeps unsent messages).
        """
        if self.tray.available and not self._quitting:
            self.hide()
            event.ignore()
            return
        geometry = base64.b64encode(bytes(self.saveGeometry().data())).decode()
        scroll = {}
        model = self.messages.model()
        if isinstance(model, MessageListModel):
            top = self.messages.top_message_id()
            if top is not None:
                scroll[model.room] = top
        self._save_ui_state(geometry=geometry, scroll=scroll)
        self.close_session()
        self.tasks.shutdown(wait=False)
        backend = self._notification_backend
        if backend is not None and hasattr(backend, "stop"):
            backend.stop()
        super().closeEvent(event)
