"""Small panels around the message list: connection banner, members, typing indicator."""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QIcon, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from desktopchat.client import connection_words
from desktopchat.client.realtime import ConnectionState
from desktopchat.ui.avatars import AvatarCache
from desktopchat.ui.theme import Size, Space
from desktopchat.ui.widgets import ElidedLabel

#: Seconds "alice is typing…" stays after her last typing event.
TYPING_SHOWN_FOR = 6.0


class WrappingLabel(QLabel):
    """Plain text that wraps to the width the layout gives it, and asks for no width.

    A QLabel's minimum width is its text's width, so a long line widened the whole window
    (and that width was saved). This one's horizontal policy is ``Ignored``: the layout
    decides the width, the text wraps onto more lines (height for width) instead, and
    a technical detail goes only in the tooltip.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setWordWrap(True)
        policy = QSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_text(self, text: str, detail: str = "") -> None:
        """Show ``text``; ``detail`` (if any) is the tooltip."""
        if text != self.text():
            self.setText(text)
        self.setToolTip(f"Details: {detail}" if detail and detail != text else "")

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """One line high, no width: the window's size never depends on the text."""
        return QSize(0, self.fontMetrics().height())


class ConnectionBanner(QFrame):
    """Connecting / offline with a countdown and "Retry now"; hidden while connected.

    It says what happened in plain words (:mod:`desktopchat.client.connection_words`; the
    bridge's own reason is in the tooltip), and never changes the window's width: the
    text wraps within the space the window gives it.

    Signals:
        retry_requested(): the user asked to reconnect at once.
        covers(int): the height it lies over the messages with now (0 when hidden).
    """

    retry_requested = Signal()
    covers = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionBar")
        self.setAccessibleName("Connection status")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setProperty("mood", "info")
        self.label = WrappingLabel(self)
        self.label.setAccessibleName("Connection status text")
        self.retry = QPushButton("Retry now", self)
        self.retry.setAccessibleName("Retry connecting now")
        self.retry.clicked.connect(self.retry_requested)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(Space.M, Space.XS, Space.S, Space.XS)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.retry)
        self._state = ConnectionState.STOPPED
        self._reason = ""
        self._retry_at = 0.0
        self._waiting = 0
        self._tick = QTimer(self)
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self._render)
        self.hide()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        """Shown: the messages keep the rows out from under it. (Not when the window
        itself comes back from the tray or a minimise: nothing changed then.)"""
        super().showEvent(event)
        if not event.spontaneous():
            self.covers.emit(self.height())

    def hideEvent(self, event: QHideEvent) -> None:  # noqa: N802 - Qt API
        """Hidden itself (not with its window): the rows may use the top again."""
        super().hideEvent(event)
        if self.isHidden() and not event.spontaneous():
            self.covers.emit(0)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        """Taller or shorter (the text wrapped anew): the space kept follows."""
        super().resizeEvent(event)
        if self.isVisible():
            self.covers.emit(self.height())

    def set_state(self, state: ConnectionState, reason: str, retry_in: float) -> None:
        """Show what the realtime bridge reports."""
        self._state, self._reason = state, reason
        self._retry_at = time.monotonic() + retry_in
        if state is ConnectionState.OFFLINE:
            self._tick.start()
        else:
            self._tick.stop()
        self._render()

    def set_waiting(self, count: int) -> None:
        """How many written messages wait in the outbox."""
        self._waiting = count
        self._render()

    def _render(self) -> None:
        state = self._state
        waiting = (
            f" — {self._waiting} message{'s' * (self._waiting != 1)} waiting to be sent"
            if self._waiting
            else ""
        )
        if state is ConnectionState.CONNECTED or state is ConnectionState.STOPPED:
            self._set_mood("info")
            self.setVisible(bool(self._waiting))
            self.label.set_text(waiting.removeprefix(" — ").capitalize())
            self.retry.hide()
            return
        self._set_mood("connecting" if state is ConnectionState.CONNECTING else "offline")
        text = connection_words.in_words(state, self._reason, self._retry_at - time.monotonic())
        self.label.set_text(text + waiting, connection_words.detail(self._reason))
        self.retry.setVisible(state is not ConnectionState.CONNECTING)
        self.show()

    def _set_mood(self, mood: str) -> None:
        """The bar's colour pair (offline, connecting, info) from the theme's style sheet."""
        if self.property("mood") != mood:
            self.setProperty("mood", mood)
            self.style().unpolish(self)
            self.style().polish(self)


#: What the members panel says while who is here cannot be known.
MEMBERS_UNKNOWN = "Offline — who is here is unknown until reconnected"


class MembersPanel(QListWidget):
    """Who is in the room now (its presence channel), with avatars.

    Offline it shows that presence is unknown rather than the last (stale) list.

    Signals:
        count_changed(int): how many are here; -1 while that is unknown.
        message_requested(int): a direct message to this user id (double-click, or
            "Message" in the context menu).
    """

    count_changed = Signal(int)
    message_requested = Signal(int)

    def __init__(self, avatars: AvatarCache, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Members in this room")
        self.setWordWrap(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setIconSize(QSize(Size.AVATAR_SMALL, Size.AVATAR_SMALL))
        self.setSpacing(Space.XXS)
        self.setMinimumWidth(Size.MEMBERS_MIN)
        self._avatars = avatars
        self._members: dict[str, dict[str, Any]] = {}
        self._unknown = False
        avatars.updated.connect(self._render)
        self.itemDoubleClicked.connect(self._message)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._menu)

    def _message(self, item: QListWidgetItem) -> None:
        user_id = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(user_id, int):
            self.message_requested.emit(user_id)

    def _menu(self, point: QPoint) -> None:
        item = self.itemAt(point)
        if item is None or not isinstance(item.data(Qt.ItemDataRole.UserRole), int):
            return
        menu = QMenu(self)
        menu.addAction(f"Message {item.text()}", lambda: self._message(item))
        menu.exec(self.viewport().mapToGlobal(point))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        """Another theme: the avatars are drawn again on its background."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._render()

    @property
    def unknown(self) -> bool:
        """Whether presence is unknown (offline)."""
        return self._unknown

    def set_members(self, members: dict[str, Any]) -> None:
        """Everyone present (on subscription)."""
        self._unknown = False
        self._members = {
            uid: info if isinstance(info, dict) else {} for uid, info in members.items()
        }
        self._render()

    def set_unknown(self) -> None:
        """Offline: nobody's presence can be vouched for until the room resubscribes."""
        self._unknown = True
        self._members = {}
        self._render()

    def add(self, user_id: str, info: Any) -> None:
        """Someone arrived."""
        self._members[user_id] = info if isinstance(info, dict) else {}
        self._render()

    def remove(self, user_id: str) -> None:
        """Someone left."""
        self._members.pop(user_id, None)
        self._render()

    def people(self) -> dict[int, str]:
        """Who is here, ``{user_id: display_name}`` (for ``@`` completion and Ctrl+K)."""
        found = {}
        for user_id, info in self._members.items():
            name = info.get("display_name") if isinstance(info, dict) else None
            if user_id.isascii() and user_id.isdigit() and isinstance(name, str) and name:
                found[int(user_id)] = name
        return found

    def name_of(self, user_id: str) -> str:
        """A member's display name (for "… is typing")."""
        return str(self._members.get(user_id, {}).get("display_name") or "Someone")

    def _render(self) -> None:
        self.clear()
        if self._unknown:
            item = QListWidgetItem(MEMBERS_UNKNOWN)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.addItem(item)
            self.count_changed.emit(-1)
            return
        for user_id, info in sorted(
            self._members.items(), key=lambda m: str(m[1].get("display_name", "")).lower()
        ):
            name = str(info.get("display_name") or user_id)
            item = QListWidgetItem(name)
            seed = int(user_id) if user_id.isascii() and user_id.isdigit() else 0
            url = str(info.get("avatar_url") or "")
            item.setIcon(QIcon(self._avatars.pixmap(seed, url, name)))
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{name}, online")
            if user_id.isascii() and user_id.isdigit():  # "²".isdigit(), int("²") raises
                item.setData(Qt.ItemDataRole.UserRole, int(user_id))
                item.setToolTip(f"Double-click to message {name}")
            self.addItem(item)
        self.count_changed.emit(len(self._members))


class TypingIndicator(QLabel):
    """ "alice is typing…" for a few seconds after each typing event."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Who is typing")
        # Names come from other clients' typing events, unchecked: never read as HTML.
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._typing: dict[str, tuple[str, float]] = {}
        self._expire = QTimer(self)
        self._expire.setInterval(1000)
        self._expire.timeout.connect(self._render)
        self.setText(" ")

    def typed(self, user_id: str, name: str) -> None:
        """``name`` is typing now."""
        self._typing[user_id] = (name, time.monotonic() + TYPING_SHOWN_FOR)
        self._expire.start()
        self._render()

    def stopped(self, user_id: str) -> None:
        """``user_id`` sent their message or left."""
        self._typing.pop(user_id, None)
        self._render()

    def clear_all(self) -> None:
        """Another room is on screen."""
        self._typing.clear()
        self._render()

    def _render(self) -> None:
        now = time.monotonic()
        self._typing = {uid: v for uid, v in self._typing.items() if v[1] > now}
        names = sorted(name for name, _ in self._typing.values())
        if not names:
            self._expire.stop()
            self.setText(" ")
        elif len(names) == 1:
            self.setText(f"{names[0]} is typing…")
        elif len(names) == 2:
            self.setText(f"{names[0]} and {names[1]} are typing…")
        else:
            self.setText("Several people are typing…")


class NoticeLine(ElidedLabel):
    """News for the user (sign-in results, errors, "Saved shot.png"), in the line above the
    composer that the typing indicator shares.

    It replaces the window's status bar, which appeared with each notice and went again
    after it: the composer and the messages jumped by its height every time. This line's
    height is there all the time, so news never moves anything; a notice too long for it
    is elided, whole in the tooltip and the accessible description. The calls are
    QStatusBar's in snake case (:meth:`show_message` with a timeout, :meth:`current_message`).
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notice")
        self.setAccessibleName("Status")
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._expire = QTimer(self)
        self._expire.setSingleShot(True)
        self._expire.timeout.connect(self.clear_message)

    def show_message(self, text: str, timeout_ms: int = 0) -> None:
        """Show ``text`` (replacing any notice) for ``timeout_ms``, or until the next one."""
        if timeout_ms > 0:
            self._expire.start(timeout_ms)
        else:
            self._expire.stop()
        self.set_full_text(text)

    def clear_message(self) -> None:
        """No notice."""
        self.show_message("")

    def current_message(self) -> str:
        """The notice shown now, whole and on one line ("" when none)."""
        return self.full_text
