"""The panels around the conversation: connection banner, typing indicator, members."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from desktopchat.client.realtime import ConnectionState
from desktopchat.ui.avatars import AvatarCache
from desktopchat.ui.panels import TYPING_SHOWN_FOR, ConnectionBanner, MembersPanel, TypingIndicator
from tests.ui.conftest import QT_CLEAN, FakeClock, use_clock

pytestmark = QT_CLEAN

#: The banner's countdown and the typing indicator's expiry tick once a second.
TICK_WAIT_MS = 3000


# ------------------------------------------------------------------ connection banner


@pytest.fixture
def banner(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> ConnectionBanner:
    use_clock(monkeypatch, "desktopchat.ui.panels", clock)
    widget = ConnectionBanner()
    qtbot.addWidget(widget)
    return widget


def retry_shown(banner: ConnectionBanner) -> bool:
    return not banner.retry.isHidden()


def test_hidden_until_something_is_wrong(banner: ConnectionBanner) -> None:
    assert banner.isHidden()
    banner.set_state(ConnectionState.CONNECTED, "connected", 0.0)
    assert banner.isHidden()


def test_connecting(banner: ConnectionBanner) -> None:
    banner.set_state(ConnectionState.CONNECTING, "connecting", 0.0)
    assert not banner.isHidden()
    assert banner.label.text() == "Connecting…"
    assert not retry_shown(banner)


def test_offline_counts_down_to_the_next_retry(
    qtbot: QtBot, banner: ConnectionBanner, clock: FakeClock
) -> None:
    banner.set_state(ConnectionState.OFFLINE, "connection closed", 5.0)
    assert not banner.isHidden()
    assert banner.label.text() == "Lost the connection to the server — retrying in 5 s"
    assert retry_shown(banner)
    assert banner.retry.text() == "Retry now"
    clock.advance(2.0)
    qtbot.waitUntil(
        lambda: banner.label.text() == "Lost the connection to the server — retrying in 3 s",
        timeout=TICK_WAIT_MS,
    )
    clock.advance(10.0)
    qtbot.waitUntil(
        lambda: banner.label.text() == "Lost the connection to the server — retrying in 0 s",
        timeout=TICK_WAIT_MS,
    )


def test_the_countdown_stops_once_connected(banner: ConnectionBanner) -> None:
    banner.set_state(ConnectionState.OFFLINE, "connection closed", 5.0)
    assert banner._tick.isActive()
    banner.set_state(ConnectionState.CONNECTING, "connecting", 0.0)
    assert not banner._tick.isActive()
    banner.set_state(ConnectionState.CONNECTED, "connected", 0.0)
    assert banner.isHidden()


def test_failed_for_good_offers_a_retry(banner: ConnectionBanner) -> None:
    banner.set_state(ConnectionState.FAILED, "Application disabled (4003)", 0.0)
    assert banner.label.text() == "The server has turned this app off"
    assert banner.label.toolTip() == "Details: Application disabled (4003)"
    assert retry_shown(banner)
    assert not banner.isHidden()


def test_retry_now_asks_to_reconnect(qtbot: QtBot, banner: ConnectionBanner) -> None:
    banner.set_state(ConnectionState.OFFLINE, "connection refused", 20.0)
    banner.show()
    with qtbot.waitSignal(banner.retry_requested, timeout=1000):
        qtbot.mouseClick(banner.retry, Qt.MouseButton.LeftButton)


@pytest.mark.parametrize(
    ("waiting", "suffix"),
    [(1, " — 1 message waiting to be sent"), (3, " — 3 messages waiting to be sent")],
)
def test_offline_says_how_many_messages_wait(
    banner: ConnectionBanner, waiting: int, suffix: str
) -> None:
    banner.set_state(ConnectionState.OFFLINE, "connection closed", 4.0)
    banner.set_waiting(waiting)
    assert banner.label.text() == "Lost the connection to the server — retrying in 4 s" + suffix
    banner.set_state(ConnectionState.CONNECTING, "connecting", 0.0)
    assert banner.label.text() == "Connecting…" + suffix


def test_connected_with_messages_still_waiting(banner: ConnectionBanner) -> None:
    banner.set_state(ConnectionState.CONNECTED, "connected", 0.0)
    banner.set_waiting(2)
    assert not banner.isHidden()
    assert banner.label.text() == "2 messages waiting to be sent"
    assert not retry_shown(banner)
    banner.set_waiting(0)
    assert banner.isHidden()


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        ("[Errno 111] Connection refused", "Can't reach the server"),
        ("[Errno -2] Name or service not known", "Can't find the server (check its address)"),
        ("[Errno 101] Network is unreachable", "No network"),
        ("ping/pong timed out", "The server stopped answering"),
        ("Connection to remote host was lost.", "Lost the connection to the server"),
        ("Handshake status 404 Not Found -+-+- {} -+-+- b''", "No chat service answered"),
        ("[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed", "A secure connection"),
        ("something nobody expected", "Can't connect to the server"),
    ],
)
def test_offline_reasons_are_plain_words_with_the_detail_in_the_tooltip(
    qtbot: QtBot, banner: ConnectionBanner, reason: str, words: str
) -> None:
    banner.resize(900, banner.sizeHint().height())
    banner.set_state(ConnectionState.OFFLINE, reason, 12.0)
    qtbot.waitExposed(banner)
    shown = banner.label.text()
    assert shown.startswith(words)
    assert shown.endswith(" — retrying in 12 s")
    assert "Errno" not in shown
    assert banner.label.toolTip() == f"Details: {reason}"


def test_a_narrow_banner_wraps_and_asks_for_no_width(
    qtbot: QtBot, banner: ConnectionBanner
) -> None:
    banner.set_state(ConnectionState.OFFLINE, "[Errno 111] Connection refused", 12.0)
    banner.set_waiting(3)
    text = "Can't reach the server — retrying in 12 s — 3 messages waiting to be sent"
    assert banner.label.text() == text
    one_line = banner.label.fontMetrics().height()
    assert banner.minimumSizeHint().width() < 250  # the text does not set the minimum
    banner.resize(250, banner.heightForWidth(250))
    qtbot.waitExposed(banner)
    assert banner.label.width() < banner.label.fontMetrics().horizontalAdvance(text)
    assert banner.label.height() >= 2 * one_line  # wrapped onto more lines, all shown
    assert banner.label.toolTip() == "Details: [Errno 111] Connection refused"


# --------------------------------------------------------------------- typing indicator


@pytest.fixture
def typing(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> TypingIndicator:
    use_clock(monkeypatch, "desktopchat.ui.panels", clock)
    widget = TypingIndicator()
    qtbot.addWidget(widget)
    return widget


def test_nobody_typing_shows_a_blank_line(typing: TypingIndicator) -> None:
    assert typing.text().strip() == ""


def test_one_two_and_several_people_typing(typing: TypingIndicator) -> None:
    typing.typed("2", "bob")
    assert typing.text() == "bob is typing…"
    typing.typed("3", "alice")
    assert typing.text() == "alice and bob are typing…"
    typing.typed("2", "bob")  # again: still two people
    assert typing.text() == "alice and bob are typing…"
    typing.typed("4", "carol")
    assert typing.text() == "Several people are typing…"
    typing.stopped("4")
    typing.stopped("3")
    assert typing.text() == "bob is typing…"
    typing.clear_all()
    assert typing.text().strip() == ""


def test_typing_expires_without_a_new_event(
    qtbot: QtBot, typing: TypingIndicator, clock: FakeClock
) -> None:
    typing.typed("2", "bob")
    clock.advance(TYPING_SHOWN_FOR / 2)
    typing.typed("3", "alice")
    clock.advance(TYPING_SHOWN_FOR / 2 + 0.1)  # bob's event is too old now, alice's is not
    qtbot.waitUntil(lambda: typing.text() == "alice is typing…", timeout=TICK_WAIT_MS)
    clock.advance(TYPING_SHOWN_FOR)
    qtbot.waitUntil(lambda: typing.text().strip() == "", timeout=TICK_WAIT_MS)
    assert not typing._expire.isActive()  # nothing left to expire: no more ticking


def test_a_new_event_keeps_someone_shown(
    qtbot: QtBot, typing: TypingIndicator, clock: FakeClock
) -> None:
    typing.typed("2", "bob")
    clock.advance(TYPING_SHOWN_FOR - 1)
    typing.typed("2", "bob")
    clock.advance(TYPING_SHOWN_FOR - 1)
    typing.stopped("nobody")  # renders now, with the clock moved on
    assert typing.text() == "bob is typing…"


# ----------------------------------------------------------------------------- members


@pytest.fixture
def members(qtbot: QtBot, avatars: AvatarCache) -> MembersPanel:
    panel = MembersPanel(avatars)
    qtbot.addWidget(panel)
    return panel


def names(panel: MembersPanel) -> list[str]:
    return [panel.item(r).text() for r in range(panel.count())]


def test_members_are_sorted_by_display_name(members: MembersPanel) -> None:
    members.set_members(
        {
            "3": {"display_name": "carol", "avatar_url": "/api/avatars/3.svg"},
            "1": {"display_name": "Bob", "avatar_url": "/api/avatars/1.svg"},
            "2": {"display_name": "alice", "avatar_url": "/api/avatars/2.svg"},
        }
    )
    assert names(members) == ["alice", "Bob", "carol"]
    assert members.item(0).data(Qt.ItemDataRole.AccessibleTextRole) == "alice, online"
    assert not members.item(0).icon().isNull()


def test_members_arrive_and_leave(members: MembersPanel) -> None:
    members.set_members({"1": {"display_name": "bob"}})
    members.add("2", {"display_name": "alice"})
    members.add("3", {"display_name": "Zed"})
    assert names(members) == ["alice", "bob", "Zed"]
    members.remove("1")
    assert names(members) == ["alice", "Zed"]
    members.remove("404")  # not there: nothing happens
    assert names(members) == ["alice", "Zed"]
    members.add("2", {"display_name": "alice"})  # a second connection of alice: still once
    assert names(members) == ["alice", "Zed"]
    members.set_members({})
    assert names(members) == []


def test_a_member_without_a_name_is_shown_by_id(members: MembersPanel) -> None:
    members.set_members({"7": None, "8": {"display_name": ""}})
    assert sorted(names(members)) == ["7", "8"]
    assert members.name_of("7") == "Someone"


def test_a_member_id_of_unicode_digits_is_shown_not_a_crash(members: MembersPanel) -> None:
    # "²".isdigit() is True but int("²") raises: the avatar seed must not trust isdigit alone.
    members.set_members({"²": {"display_name": "Squared"}, "٣": {"display_name": "Three"}})
    assert sorted(names(members)) == ["Squared", "Three"]


def test_name_of_a_member(members: MembersPanel) -> None:
    members.set_members({"5": {"display_name": "Eve"}})
    assert members.name_of("5") == "Eve"
    assert members.name_of("6") == "Someone"


@pytest.mark.usefixtures("restore_theme")
def test_members_and_the_offline_words_start_under_the_members_title(
    qtbot: QtBot, avatars: AvatarCache
) -> None:
    """The rows (avatars, and "Offline — who is here is unknown…") begin where the MEMBERS
    title does, not 11 px left of it."""
    from desktopchat.ui import theme
    from desktopchat.ui.sidebar import MembersColumn

    theme.apply("light")
    members = MembersPanel(avatars)  # the column owns it
    members.setObjectName("members")  # as the window names it (its style sheet rules)
    column = MembersColumn(members)
    qtbot.addWidget(column)
    column.resize(240, 400)
    members.set_members({"1": {"display_name": "Ada", "avatar_url": "/api/avatars/1.svg"}})
    column.show()
    qtbot.waitExposed(column)
    title = column.section.findChild(QLabel)
    assert title is not None
    title_left = title.mapTo(column, title.contentsRect().topLeft()).x()

    def first_row_left() -> int:
        rect = members.visualItemRect(members.item(0))
        return members.viewport().mapTo(column, rect.topLeft()).x()

    assert abs(first_row_left() - title_left) <= 2
    members.set_unknown()
    assert members.item(0).text().startswith("Offline")
    assert abs(first_row_left() - title_left) <= 2


def test_a_typing_name_is_plain_text(qtbot: QtBot) -> None:
    """The name comes from another client's typing event, unchecked: "<b>x</b>" or an
    <img> tag is shown as typed, never drawn as HTML."""
    typing = TypingIndicator()
    qtbot.addWidget(typing)
    typing.typed("2", "<b>bob</b><img src='file:///etc/passwd'>")
    assert typing.textFormat() == Qt.TextFormat.PlainText
    assert typing.text() == "<b>bob</b><img src='file:///etc/passwd'> is typing…"
    assert typing.sizeHint().width() >= typing.fontMetrics().horizontalAdvance(typing.text())
