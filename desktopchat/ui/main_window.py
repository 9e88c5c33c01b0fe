"""The main window: rooms on the left, the conversation in the middle, members on the right.

It owns widgets and actions only. Getting a session is :class:`ProfileFlow`'s job
(local-first: a stored session opens at once, offline if need be); notifications are
:class:`WindowNotifications`'; once logged in, a :class:`ChatController` feeds the widgets.
"""

from __future__ import annotations

import base64
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QModelIndex, QPoint, QRect, QSignalBlocker, Qt, Slot
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QGuiApplication,
    QIcon,
    QKeySequence,
    QResizeEvent,
)
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktopchat.client import embedded
from desktopchat.client.credentials import TokenStore
from desktopchat.client.direct import is_direct
from desktopchat.client.domain import Message
from desktopchat.client.hub_keeper import HubKeeper
from desktopchat.client.live_settings import LiveSettings
from desktopchat.client.login import Login
from desktopchat.client.notify.policy import Situation
from desktopchat.client.outbox import OutboxItem, OutboxState
from desktopchat.client.realtime import ConnectionState
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.session import ChatSession
from desktopchat.client.settings import Profile, Settings
from desktopchat.client.tasks import TaskRunner
from desktopchat.client.trust import KnownHosts
from desktopchat.paths import AppDirs
from desktopchat.resources import APP_ICON_SVG, resource
from desktopchat.ui.avatars import AvatarCache
from desktopchat.ui.composer_box import ComposerBox
from desktopchat.ui.controller import ChatController
from desktopchat.ui.file_open import AttachmentFlow
from desktopchat.ui.header import RoomHeader
from desktopchat.ui.message_delegate import MessageDelegate
from desktopchat.ui.message_model import MessageListModel, Roles
from desktopchat.ui.message_view import MessageView
from desktopchat.ui.panels import ConnectionBanner, MembersPanel, NoticeLine, TypingIndicator
from desktopchat.ui.profile_flow import ProfileFlow
from desktopchat.ui.reply_react_flow import ReplyReactFlow
from desktopchat.ui.rooms import ROOM_ROLE
from desktopchat.ui.search_flow import SearchFlow
from desktopchat.ui.search_panel import SearchPanel
from desktopchat.ui.send_files_flow import SendFilesFlow
from desktopchat.ui.settings_flow import SettingsFlow
from desktopchat.ui.sidebar import MembersColumn, Sidebar
from desktopchat.ui.switcher_targets import (
    PERSON_KEY_PREFIX,
    Kind,
    Target,
    person_targets,
    room_targets,
)
from desktopchat.ui.theme import Size, Space
from desktopchat.ui.window_notifications import WindowNotifications

if TYPE_CHECKING:  # the dialogs module loads when a dialog opens, not before the paint
    from desktopchat.ui.dialogs import NewRoomDialog, SettingsDialog, SignInDialog
    from desktopchat.ui.quick_switcher import QuickSwitcher

log = logging.getLogger(__name__)

#: Room kept for a window frame (borders, title bar) when fitting the window to its screen.
FRAME_ALLOWANCE = (16, 40)
#: How long good news stays on the notice line (errors stay until the next message).
NEWS_MS = 6000


class MainWindow(QMainWindow):
    """The desktopchat window."""

    def __init__(
        self,
        dirs: AppDirs,
        settings: Settings,
        store: TokenStore,
        notices: list[str],
        *,
        defer_services: bool = False,
    ) -> None:
        """Build the window; ``defer_services``: the caller calls :meth:`start_services`.

        The app defers the desktop's notification service and the session's socket
        (importing pysher and requests costs the GUI thread ~0.15 s) until history is on
        screen (see ``ui/app.py``); history itself comes from the local database and over
        HTTP on workers meanwhile. Tests and tools get everything at once.
        """
        super().__init__()
        self.dirs = dirs
        self.live = LiveSettings(dirs.config, settings)
        self.store = store
        self.notices = notices
        self.tasks = TaskRunner(parent=self)
        self.avatars = AvatarCache(
            dirs.cache, self.tasks, self.devicePixelRatioF(), self, KnownHosts(dirs.data)
        )
        self.session: ChatSession | None = None
        self.controller: ChatController | None = None
        self._hub_keeper: HubKeeper | None = None
        #: News for the user, above the composer (the window has no status bar).
        self.notice = NoticeLine(self)
        self.notice.show_message("Starting…")
        self.flow = ProfileFlow(dirs, self.live, store, self.tasks, self)
        self.flow.logged_in.connect(self.attach)
        self.flow.status.connect(self.notice.show_message)
        self.flow.unreachable.connect(self._unreachable)
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
        self._build_notifications(start_service=not defer_services)
        #: Until :meth:`start_services`: an attached session waits to connect its socket.
        self._defer_connect = defer_services
        self._connected_session: ChatSession | None = None
        self.preferences = SettingsFlow(self.live, self.notifier, self)
        self.preferences.profile_chosen.connect(self.open_profile)
        self.preferences.sign_in_requested.connect(self._sign_in_from_menu)
        self.preferences.status.connect(self.notice.show_message)

    @property
    def settings(self) -> Settings:
        """The settings as they stand (profiles, ``[ui]``, ``[notifications]``)."""
        return self.live.current

    def _build_notifications(self, *, start_service: bool) -> None:
        self.notifier = WindowNotifications(
            self,
            self.app_icon,
            self.settings,
            self._situation,
            self._save_notifications,
            start_service=start_service,
        )
        # The parts tests, the tray and the settings dialog reach for directly.
        self.notifications = self.notifier.center
        self.tray, self.toast = self.notifier.tray, self.notifier.toast
        self.notifier.open_room.connect(self.bring_to_front)
        self.notifier.mark_read.connect(self._mark_read_from_notification)
        self.notifier.reply.connect(self._reply_from_notification)
        self.notifier.toggle_window.connect(self._toggle_visible)
        self.notifier.quit_requested.connect(self.quit)
        self.notifier.do_not_disturb_changed.connect(self._show_do_not_disturb)

    @property
    def notification_service(self) -> str:
        """Which service shows notifications, or why none does."""
        return self.notifier.service

    def start_services(self) -> None:
        """Connect what the first paint does not need: notifications and the socket."""
        self._defer_connect = False
        self.tasks.release()
        if self.session is not None:
            self.session.tasks.release()
        self._start_session()
        self.notifier.start_service()

    def _start_session(self) -> None:
        session = self.session
        if session is not None and session is not self._connected_session:
            self._connected_session = session
            session.start()

    def add_notice(self, notice: str | None) -> None:
        """A notice found after start-up (e.g. no keyring): shown now, and with the sign-in."""
        if not notice:
            return
        self.notices.append(notice)
        if self.session is not None:  # the sign-in line has been shown already
            self.notice.show_message(notice, NEWS_MS)

    def _situation(self) -> Situation:
        controller = self.controller
        if controller is None:
            return Situation(-1, (), self.isActiveWindow(), None)
        user = controller.user
        current = controller.current.name if controller.current else None
        return Situation(
            user.id, (user.display_name, user.username), controller.window_active, current
        )

    def set_do_not_disturb(self, on: bool) -> None:
        """Silence (or allow) notifications, mentions included."""
        self.notifier.set_do_not_disturb(on)

    def _show_do_not_disturb(self, on: bool) -> None:
        self.dnd.setChecked(on)

    def _save_notifications(self, table: dict[str, Any]) -> None:
        self.live.save_section("notifications", table)

    def bring_to_front(self, room: str = "") -> None:
        """Show, raise and focus the window, on ``room`` if given (a notification click).

        A maximized or full-screen window stays so; only a minimized one is restored.
        """
        if self.isMinimized():
            self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.show()
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
        self.sidebar = Sidebar(self)
        self.room_list = self.sidebar.room_list
        self.room_list.activated.connect(self._room_activated)
        self.room_list.clicked.connect(self._room_activated)
        self.sidebar.new_room_requested.connect(self.new_room)
        self.direct_list = self.sidebar.direct_list
        self.direct_list.activated.connect(self._room_activated)
        self.direct_list.clicked.connect(self._room_activated)
        self.sidebar.new_direct_requested.connect(self.quick_switch)
        center = self._build_conversation()
        self.members = MembersPanel(self.avatars, self)
        self.members.setObjectName("members")
        self.members.count_changed.connect(self._member_count)
        self.members.message_requested.connect(self.message_person)
        self.messages.author_activated.connect(self.message_person)
        self._members_wanted = True
        self.header.members_toggled.connect(self._show_members)
        splitter = QSplitter(self)
        splitter.setChildrenCollapsible(False)
        splitter.setHandleWidth(1)
        splitter.addWidget(self.sidebar)
        splitter.addWidget(center)
        self.members_column = MembersColumn(self.members, self)
        splitter.addWidget(self.members_column)
        self.search_panel = SearchPanel(self)
        self.search_panel.model.room_label = self._room_label
        self.search_flow = SearchFlow(self.search_panel, self)
        self.search_panel.jump_requested.connect(self.jump_to_message)
        self.search_panel.closed.connect(self._fit_members)
        splitter.addWidget(self.search_panel)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([Size.SIDEBAR, 1000 - Size.SIDEBAR - Size.MEMBERS, Size.MEMBERS])
        self.splitter = splitter
        self.setCentralWidget(splitter)
        self.resize(1100, 720)

    def _build_conversation(self) -> QWidget:
        """The middle column: header, messages (the connection bar over them), composer."""
        self.header = RoomHeader(self)
        self.header.search_requested.connect(self.quick_switch)
        self.header.message_search_requested.connect(self.search_everywhere)
        self.banner = ConnectionBanner(self)
        self.messages = MessageView(MessageDelegate(self.avatars, self), self)
        self.messages.setObjectName("messages")
        self.avatars.updated.connect(self.messages.viewport().update)
        self.messages.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.messages.customContextMenuRequested.connect(self._message_menu)
        self.messages.edit_requested.connect(self._edit_message)
        self.messages.delete_requested.connect(self._confirm_delete)
        self.messages.copy_requested.connect(self._copy_text)
        # The connection bar lies over the top of the messages, in the same grid cell: it
        # comes and goes without moving the conversation or the composer.
        stage = QWidget(self)
        stage_layout = QGridLayout(stage)
        stage_layout.setContentsMargins(0, 0, 0, 0)
        stage_layout.addWidget(self.messages, 0, 0)
        stage_layout.addWidget(self.banner, 0, 0, Qt.AlignmentFlag.AlignTop)
        self.banner.covers.connect(self.messages.set_top_inset)  # no row hides under it
        self.typing = TypingIndicator(self)
        self.typing.setObjectName("typing")
        self.composer_box = ComposerBox(self)
        self.composer = self.composer_box.editor
        self.composer.setEnabled(False)
        self.replies = ReplyReactFlow(self)
        #: Files received (previews, viewer, open, save); `sending` below sends them.
        self.files = AttachmentFlow(self)
        self._switcher: QuickSwitcher | None = None
        center = QWidget(self)
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(0, 0, 0, 0)
        center_layout.setSpacing(0)
        center_layout.addWidget(self.header)
        center_layout.addWidget(stage, 1)
        bottom = QVBoxLayout()
        bottom.setContentsMargins(Space.L, 0, Space.L, Space.M)
        bottom.setSpacing(Space.XXS)
        # One line above the composer, always there: who is typing, and news at its right.
        line = QHBoxLayout()
        line.setContentsMargins(Space.L, 0, Space.L, 0)  # the composer field's edges
        line.setSpacing(Space.L)
        line.addWidget(self.typing)
        line.addWidget(self.notice, 1)
        bottom.addLayout(line)
        bottom.addWidget(self.composer_box)
        center_layout.addLayout(bottom)
        self.sending = SendFilesFlow(self, center)
        return center

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """A narrow window gives the conversation the members panel's room (and back)."""
        super().resizeEvent(event)
        self._fit_members()

    def _fit_members(self) -> None:
        roomy = self.width() >= Size.SIDEBAR + Size.MEMBERS + Size.CONVERSATION_MIN
        # The search panel takes the members' place while it is open (as in Slack).
        shown = roomy and self._members_wanted and self.search_panel.isHidden()
        if self.members_column.isHidden() == shown:
            self.members_column.setVisible(shown)
            # Only reflected: the header's toggle would otherwise record it as the person's
            # choice (_show_members), and the members would not come back.
            with QSignalBlocker(self.header):
                self.header.set_members_shown(shown)

    def _member_count(self, count: int) -> None:
        self.header.set_member_count(None if count < 0 else count)

    def _show_members(self, shown: bool) -> None:
        """The person's choice (header button, View menu): kept while the window is narrow."""
        self._members_wanted = shown
        self.members_column.setVisible(shown)
        self.header.set_members_shown(shown)
        if self.toggle_members.isChecked() != shown:
            self.toggle_members.setChecked(shown)

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
        self._action(chat, "&Find in this room…", self.search_room, QKeySequence.StandardKey.Find)
        self._action(chat, "&Search all rooms…", self.search_everywhere, "Ctrl+Shift+F")
        self._action(chat, "&New room…", self.new_room, QKeySequence.StandardKey.New)
        self._action(chat, "Previous room", lambda: self._step_room(-1), "Alt+Up")
        self._action(chat, "Next room", lambda: self._step_room(1), "Alt+Down")
        chat.addSeparator()
        self.profiles_menu = chat.addMenu("&Profiles")
        self.profiles_menu.aboutToShow.connect(
            lambda: self.preferences.fill_profiles_menu(self.profiles_menu)
        )
        # triggered(bool) would pass False as the server: call with no arguments.
        self._action(chat, "&Sign in to a server…", self._sign_in_from_menu)
        self._action(chat, "Se&ttings…", self.show_settings, QKeySequence.StandardKey.Preferences)
        chat.addSeparator()
        self.dnd = self._action(chat, "&Do not disturb", self.set_do_not_disturb)
        self.dnd.setCheckable(True)
        self._action(chat, "&Quit", self.quit, QKeySequence.StandardKey.Quit)
        view = self.menuBar().addMenu("&View")
        self.toggle_members = self._action(view, "&Members", self._show_members, "Ctrl+Shift+M")
        self.toggle_members.setCheckable(True)
        self.toggle_members.setChecked(True)
        self._action(view, "Jump to &newest", self.messages.scroll_to_newest, "Ctrl+End")

    # ---------------------------------------------------------------------- session

    def open_profile(self, profile: Profile) -> None:
        """Open ``profile`` (local-first; see :class:`ProfileFlow`)."""
        self.close_session()
        self.flow.open(profile)

    def _unreachable(self, reason: str, retry_in: float) -> None:
        """No session could be opened yet: say so in the banner; the flow retries."""
        self.banner.set_state(ConnectionState.OFFLINE, reason, retry_in)
        self.notice.show_message(reason)

    @Slot(object)
    def attach(self, login: Login) -> None:
        """Show a session: at once from the local database, live once connected."""
        self.close_session()
        self.notices.extend(login.notices)
        session = ChatSession(login, self.dirs.data, self)
        if self._defer_connect and login.offline:
            # History is on disk: the first paint needs no network (start_services).
            session.tasks.hold()
            self.tasks.hold()
        controller = ChatController(session, self)
        self.session, self.controller = session, controller
        self.search_flow.session = session
        self.room_list.setModel(controller.rooms)
        self.direct_list.setModel(controller.dms)
        session.bridge.state_changed.connect(self.banner.set_state)
        session.bridge.state_changed.connect(self._connection_state)
        self._keep_hub_running(session)
        session.session_refused.connect(self._session_refused)
        self.banner.retry_requested.connect(session.bridge.retry_now)
        session.outbox.changed.connect(lambda _: self._outbox_count())
        controller.room_changed.connect(self._room_changed)
        controller.room_updated.connect(self._room_updated)
        controller.unread_changed.connect(self._update_title)
        controller.error.connect(self.notice.show_message)
        controller.typing.connect(self.typing.typed)
        controller.messages_arrived.connect(self._messages_arrived)
        controller.messages_arrived.connect(self.notifications.offer)
        controller.room_read.connect(self.notifier.room_read)
        controller.unread_changed.connect(self.tray.set_unread)
        controller.window_active = self.isActiveWindow()
        controller.members_reset.connect(self.members.set_members)
        controller.member_added.connect(self.members.add)
        controller.member_removed.connect(self.members.remove)
        controller.members_unknown.connect(self.members.set_unknown)
        self._wire_composer(controller, login)
        self.sending.attach(session)
        self.messages.older_wanted.connect(controller.load_older)
        if not self._defer_connect:
            self._start_session()
        controller.load_rooms(self.live.section("ui").get("last_room"))
        user = login.user
        where = self._where(login)
        self.sidebar.set_identity(
            user.display_name, where.replace("this computer", "This computer")
        )
        message = f"Signed in as {user.display_name} on {where}"
        if login.offline:
            message = f"{user.display_name} on {where}: showing what is saved here until connected"
        self.notice.show_message("; ".join([message, *self.notices]), NEWS_MS)
        self._outbox_count()

    def _wire_composer(self, controller: ChatController, login: Login) -> None:
        """What the composer sends (messages, replies, edits, typing) goes to ``controller``."""
        self.composer.submitted.connect(self.replies.submit)
        self.composer.mention_list.set_people(self._mention_people)
        self.composer.edit_submitted.connect(
            lambda message_id, text: controller.edit(
                message_id,
                text,
                self.composer.mentions_in(text),
                people=self.composer.mention_names(),
            )
        )
        self.composer.revise_submitted.connect(controller.revise)
        self.composer.typing.connect(controller.typed)
        self.composer.edit_last_requested.connect(self._edit_last)
        self.composer.set_limit(login.server.max_message_bytes)
        self.composer.setEnabled(True)

    def _connection_state(self, state: ConnectionState, reason: str, retry_in: float) -> None:
        """Connected: say so (an offline start said otherwise)."""
        if state is ConnectionState.CONNECTED and self.session is not None:
            login = self.session.login
            where = self._where(login)
            self.notice.show_message(f"Signed in as {login.user.display_name} on {where}", NEWS_MS)

    def _where(self, login: Login) -> str:
        """The server in words: "this computer" for the embedded hub, else its URL."""
        profile = self.flow.profile
        return "this computer" if profile is not None and profile.embedded else login.server_url

    def _keep_hub_running(self, session: ChatSession) -> None:
        """The hub on this computer is ours: start it again whenever it went away."""
        profile = self.flow.profile
        if profile is None or not profile.embedded:
            return
        url, port = self.settings.server_url(profile), self.settings.embedded_port
        dirs = self.dirs

        def start_hub() -> None:
            client = RelayClient(url)
            try:
                embedded.ensure_hub(client, port, dirs.data / "hub", dirs.logs)
            finally:
                client.close()

        self._hub_keeper = HubKeeper(session.bridge, self.tasks, start_hub, session)

    def _session_refused(self, why: str) -> None:
        """The stored session was refused once the server answered: sign in again."""
        profile = self.flow.profile
        if profile is None:
            return
        if profile.embedded:
            self.open_profile(profile)  # a fresh local login, no questions
            return
        self.notice.show_message(f"Your session has ended ({why}); please sign in again")
        self.show_sign_in(profile.server, profile.username or "")

    def close_session(self) -> None:
        """Disconnect the current session (switching profile, signing out, quitting)."""
        if self.controller is not None:
            for signal in (
                self.composer.submitted,
                self.composer.edit_submitted,
                self.composer.revise_submitted,
                self.composer.typing,
            ):
                signal.disconnect()
            self.composer.edit_last_requested.disconnect()
            self.messages.older_wanted.disconnect()
            self.banner.retry_requested.disconnect()
            # The models die with the controller: let go of them first, so the views never
            # select in a model that is gone.
            self.room_list.setModel(None)
            self.direct_list.setModel(None)
            self.messages.setModel(None)
            self.controller.deleteLater()
            self.controller = None
        if self.session is not None:
            self.sending.detach()
            self.session.close()
            self.session.deleteLater()
            self.session = None
            self.search_flow.session = None
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
        for view, rooms in ((self.room_list, controller.rooms), (self.direct_list, controller.dms)):
            row = rooms.row_of(name)
            if row is not None:
                view.setCurrentIndex(rooms.index(row))
            else:
                view.clearSelection()
        self._show_title()
        self.search_panel.set_current_room(name)
        dm_title = controller.dms.title(name) if is_direct(name) else None
        self.composer.set_room(name, dm_title)
        self.sending.set_target(self.composer.addressed_to)
        self.messages.set_place(f"your conversation with {dm_title}" if dm_title else None)
        self.composer_box.reply_bar.stop()  # a reply belongs to the room it was begun in
        self.typing.clear_all()
        self._update_title(controller.total_unread())
        self._save_ui_state(last_room=name)
        self.composer.setFocus()

    def _room_label(self, room: str) -> str:
        """A room as search names it: ``#ops``, or a DM by its people (``@ Bob Builder``)."""
        controller = self.controller
        if controller is not None and is_direct(room):
            return f"@ {controller.dms.title(room)}"
        return f"#{room}"

    def _show_title(self) -> None:
        current = self.controller.current if self.controller else None
        if current is not None and self.controller is not None and is_direct(current.name):
            self.header.set_room(self.controller.dms.title(current.name), "Direct message", "@")
        elif current is not None:
            self.header.set_room(current.name, current.topic)

    @Slot(str)
    def _room_updated(self, name: str) -> None:
        self._show_title()

    def _step_room(self, step: int) -> None:
        controller = self.controller
        if controller is None or controller.current is None:
            return
        names = [r.name for r in controller.rooms.rooms()]
        position = names.index(controller.current.name)
        controller.select(names[(position + step) % len(names)])

    @property
    def switcher(self) -> QuickSwitcher:
        """The Ctrl+K overlay, made when first wanted: its module, its widgets and its
        filter on every event of the window cost nothing before then (nor before the
        first paint)."""
        if self._switcher is None:
            from desktopchat.ui.quick_switcher import QuickSwitcher  # noqa: PLC0415

            self._switcher = QuickSwitcher(self)
            self._switcher.chosen.connect(self._switch_to)
        return self._switcher

    def quick_switch(self) -> None:
        """Ctrl+K: the in-window overlay to jump to a room by typing a few of its letters.

        Pressed again while it is open, it closes (as in Slack and Element).
        """
        if self.switcher.isVisible():
            self.switcher.dismiss()
        elif self.controller is not None:
            controller = self.controller
            # Who is here, and who wrote here lately though away now (as ``@`` offers).
            known = controller.mention_candidates(self.members.people())
            people = person_targets(controller.dms, controller.user.id, known)
            self.switcher.open(room_targets(controller.rooms) + people)

    def search_room(self) -> None:
        """Ctrl+F: search the room on screen (the panel's scope can widen it)."""
        current = self.controller.current if self.controller else None
        name = current.name if current else None
        self.search_panel.open(name, name)
        self._fit_members()

    def search_everywhere(self) -> None:
        """Ctrl+Shift+F or the header's Search: search every room."""
        current = self.controller.current if self.controller else None
        self.search_panel.open(None, current.name if current else None)
        self._fit_members()

    def _switch_to(self, target: Target) -> None:
        if target.kind is Kind.ROOM or not target.key.startswith(PERSON_KEY_PREFIX):
            self.select_room(target.key)
        else:
            self.message_person(int(target.key.removeprefix(PERSON_KEY_PREFIX)))

    def message_person(self, user_id: int) -> None:
        """Open the DM with ``user_id``, starting it if there is none (not with yourself)."""
        if self.controller is not None and user_id != self.controller.user.id:
            self.controller.start_direct([user_id])

    def new_room(self) -> NewRoomDialog | None:
        """Create a room: the dialog stays open until the relay has it, or shows why not."""
        controller = self.controller
        if controller is None:
            return None
        from desktopchat.ui.dialogs import NewRoomDialog  # noqa: PLC0415 - not before paint

        dialog = NewRoomDialog(self)

        def submit(name: str, topic: str) -> None:
            controller.create_room(
                name, topic, refused=dialog.failed, created=lambda _room: dialog.accept()
            )

        dialog.submitted.connect(submit)
        dialog.open()
        return dialog

    # --------------------------------------------------------------------- messages

    def _send(self, text: str) -> None:
        """Send what the composer submitted, with the mentions it holds (by user id)."""
        if self.controller is not None:
            self.controller.send(text, self.composer.mentions_in(text))

    def _mention_people(self) -> dict[int, str]:
        """Whom ``@`` offers: who is in the room now and who wrote in it lately (not you)."""
        controller = self.controller
        if controller is None or controller.current is None:
            return {}
        return controller.mention_candidates(self.members.people())

    def _edit_last(self) -> None:
        model = self.messages.model()
        if isinstance(model, MessageListModel):
            message = model.last_own_message()
            if message is not None:
                self._begin_edit(message)

    def _begin_edit(self, message: Message) -> None:
        """Load one of your messages for editing, with the names of whom it mentions: an
        ``@Name`` edited out is then no longer a mention (ChatController.edit)."""
        people = self._mention_people()
        mentioned = {uid: people[uid] for uid in message.mentions or () if uid in people}
        self.composer.begin_edit(message.id, message.text, mentioned)

    @staticmethod
    def _copy_text(text: str) -> None:
        QGuiApplication.clipboard().setText(text)

    def jump_to_message(self, room: str, message_id: int) -> None:
        """Switch to ``room``, load ``message_id`` and its neighbours if needed, scroll to
        it and flash it (a reply's quote, a search result)."""
        self.replies.jump_to_message(room, message_id)

    def _edit_message(self, message_id: int) -> None:
        model = self.messages.model()
        message = model.message(message_id) if isinstance(model, MessageListModel) else None
        if message is not None:
            self._begin_edit(message)

    def _message_menu(self, point: QPoint) -> None:
        index = self.messages.indexAt(point)
        if not index.isValid() or self.controller is None or self.session is None:
            return
        record = index.data(Roles.ROW)
        menu = QMenu(self)
        text = record.text
        menu.addAction("Copy text", lambda: QGuiApplication.clipboard().setText(text))
        if isinstance(record, Message) and not record.deleted:
            menu.addAction("Reply", lambda: self.replies.reply_to(record.id))
            menu.addAction("Add reaction…", lambda: self.replies.react_to(record.id))
        if isinstance(record, Message) and record.author.id != self.controller.user.id:
            author = record.author
            menu.addAction(f"Message {author.display_name}", lambda: self.message_person(author.id))
        if (
            isinstance(record, Message)
            and record.author.id == self.controller.user.id
            and not record.deleted
        ):
            menu.addAction("Edit", lambda: self._begin_edit(record))
            menu.addAction("Delete", lambda: self._confirm_delete(record.id))
        if (
            isinstance(record, OutboxItem)
            and record.files
            and record.state is not OutboxState.FAILED
        ):
            menu.addAction("Cancel upload", lambda: self.sending.cancel(record.client_id))
        if isinstance(record, OutboxItem) and record.state is OutboxState.FAILED:
            outbox = self.session.outbox
            menu.addAction("Retry sending", lambda: outbox.retry(record.client_id))
            menu.addAction("Edit", lambda: self.composer.begin_revise(record.client_id, text))
            menu.addAction("Discard", lambda: outbox.discard(record.client_id))
        self.files.add_actions(menu, record)
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
        if room is not None and self.controller is not None and is_direct(room):
            title = f"{self.controller.dms.title(room)} — desktopchat"
        else:
            title = f"#{room} — desktopchat" if room else "desktopchat"
        self.setWindowTitle(f"({unread}) {title}" if unread else title)

    # ---------------------------------------------------------------- sign in, settings

    def _sign_in_from_menu(self) -> None:
        self.show_sign_in()

    def show_sign_in(self, server: str = "", username: str = "") -> SignInDialog:
        """Sign in to (or sign up on) a remote relay."""
        return self.flow.show_sign_in(server, username)

    def switch_profile(self, profile: Profile) -> None:
        """Make ``profile`` current and open it."""
        self.preferences.switch_profile(profile)

    def show_settings(self) -> SettingsDialog:
        """Servers, account, appearance and notifications."""
        user = self.controller.user if self.controller else None
        rooms = [r.name for r in self.controller.rooms.rooms()] if self.controller else []
        return self.preferences.show_settings(
            self.session, user.display_name if user else "", rooms
        )

    def send_test_notification(self) -> str:
        """Show a test notification; return which channel delivered it."""
        return self.notifier.send_test()

    def _ui_state(self) -> dict[str, Any]:
        return self.live.section("ui")

    def _save_ui_state(self, **changes: Any) -> None:
        self.live.update_section("ui", **changes)

    def _restore_geometry(self) -> None:
        geometry = self._ui_state().get("geometry")
        if isinstance(geometry, str):
            self.restoreGeometry(QByteArray(base64.b64decode(geometry)))
        self._fit_screen()

    def _fit_screen(self) -> None:
        """A window larger than its screen (frame included) is made to fit, centred.

        Saved at 100 % and restored at 200 % (QT_SCALE_FACTOR, or a new monitor), the window
        was twice the screen, the composer off its bottom edge; a first start's 1100x720
        does not fit a 1366x768 laptop at 125 % either (nor, with its title bar, at 100 %
        under a panel), and window managers such as openbox leave it so.
        """
        screen = self.screen()
        room = screen.availableGeometry()
        # The frame is not known before the window manager has framed the window once.
        frame_w, frame_h = FRAME_ALLOWANCE
        if self.width() + frame_w <= room.width() and self.height() + frame_h <= room.height():
            return
        width = min(self.width(), room.width() - frame_w)
        self.resize(width, min(self.height(), room.height() - frame_h))
        # move() places the frame: centre the frame's estimated size, title bar included.
        framed = QRect(0, 0, self.width() + frame_w, self.height() + frame_h)
        framed.moveCenter(room.center())
        self.move(framed.topLeft())

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
        self.files.shutdown()
        self.notifier.stop()
        super().closeEvent(event)
