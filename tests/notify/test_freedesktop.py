"""FreedesktopBackend against a real notification server: dunst 1.9 on a private bus.

What a person would see is read back from dunst itself (``dunstctl count`` and
``dunstctl history``), and clicks come from dunst: ``dunstctl action 0`` makes dunst perform
the default action of the notification on screen, i.e. send ``ActionInvoked(id, "default")``
exactly as a click does; a test rule in the dunst config makes that action "mark-read" for
room #markread (see ``tests/notify/desktop.py``). dunst 1.9 has neither inline replies nor the
``Inhibited`` property (spec 1.3): those are tested against a stand-in server of the tests' own
(``tests/notify/standin.py``) that has them and sends their signals from its own connection,
the one owning ``org.freedesktop.Notifications`` (the backend listens to no other).

Synchronising with the backend without sleeping: its calls are fire-and-forget tasks on
its own event loop. ``settle`` waits on that loop until every task submitted so far (and
any they start) has finished, i.e. dunst has answered every call; then one more round trip
on the backend's connection (a bus keeps one connection's messages in order) makes sure
dunst has handled everything before it. This holds however the backend orders its calls.
"""

from __future__ import annotations

import asyncio
import html
import os
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator

import pytest
from dbus_fast import Message, MessageType, Variant
from pytestqt.qtbot import QtBot

from desktopchat.client.notify import freedesktop
from desktopchat.client.notify.center import NotificationCenter, Preferences
from desktopchat.client.notify.freedesktop import (
    CALL_TIMEOUT,
    INTERFACE,
    PATH,
    FreedesktopBackend,
)
from desktopchat.client.notify.policy import Content
from desktopchat.ui import notifications
from tests.inbox import WAIT
from tests.notify.desktop import MARK_READ_ROOM, NotificationDesktop, PrivateBus, wait_until
from tests.notify.helpers import close_leaked_socket, message, situation
from tests.notify.standin import StandInServer

SIGNAL_MS = int(WAIT * 1000)


class TrackedBackend(FreedesktopBackend):
    """FreedesktopBackend, remembering its instances (even those ``start_backend`` drops)."""

    instances: list[FreedesktopBackend] = []  # noqa: RUF012 - deliberately shared

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        TrackedBackend.instances.append(self)


@pytest.fixture(autouse=True)
def backends(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[FreedesktopBackend]]:
    """Every backend a test creates (``start_backend`` too); each stopped afterwards."""
    monkeypatch.setattr(freedesktop, "FreedesktopBackend", TrackedBackend)
    TrackedBackend.instances = []
    yield TrackedBackend.instances
    for backend in TrackedBackend.instances:
        backend.stop()
        assert not backend._thread.is_alive(), "the D-Bus thread outlived stop()"
        close_leaked_socket(backend)


@pytest.fixture
def backend(desktop: NotificationDesktop, qtbot: QtBot) -> FreedesktopBackend:
    """The backend the app would pick (``start_backend``), on dunst's bus; nothing on screen."""
    desktop.close_all()
    backend, name = notifications.start_backend()
    assert isinstance(backend, FreedesktopBackend), name
    assert name == FreedesktopBackend.name
    return backend


@pytest.fixture
def start_on_standin(standin: StandInServer) -> Iterator[Callable[[], FreedesktopBackend]]:
    """Starts the backend the app would pick, on the stand-in server's bus (call it once the
    server is as the test wants it at the app's start); stopped before the server is."""
    started: list[FreedesktopBackend] = []

    def start() -> FreedesktopBackend:
        backend, name = notifications.start_backend()
        assert isinstance(backend, FreedesktopBackend), name
        started.append(backend)
        return backend

    yield start
    for backend in started:
        backend.stop()


def open_fds() -> set[str]:
    """This process's open file descriptors."""
    return set(os.listdir("/proc/self/fd"))


def settle(backend: FreedesktopBackend) -> None:
    """Return once dunst has handled everything the backend was asked to do so far."""

    async def drained() -> None:
        while True:
            others = asyncio.all_tasks() - {asyncio.current_task()}
            if not others:
                break
            await asyncio.wait(others)
        await backend._call("GetServerInformation")

    backend._run(drained(), WAIT)


def shown_id(backend: FreedesktopBackend, room: str) -> int:
    """The notification id dunst gave the room's notification (after :func:`settle`)."""
    settle(backend)
    assert room in backend._ids, f"no notification id for {room!r}: {backend._ids}"
    return backend._ids[room]


def rendered(markup: str) -> str:
    """The text a person sees for a Pango markup string (Pango markup is XML)."""
    markup_document = f"<markup>{markup}</markup>"  # what dunst itself renders
    return "".join(ET.fromstring(markup_document).itertext())  # noqa: S314 - our dunst


def signal(
    member: str,
    signature: str,
    body: list[object],
    interface: str = INTERFACE,
    destination: str | None = None,
) -> Message:
    """A signal as the server would send it; with ``destination``, addressed to that
    connection alone (delivered to it whatever its match rules say)."""
    return Message(
        message_type=MessageType.SIGNAL,
        destination=destination,
        path=PATH,
        interface=interface,
        member=member,
        signature=signature,
        body=body,
    )


def inhibited_signal(on: bool, destination: str | None = None) -> Message:
    """``PropertiesChanged`` of ``Inhibited``, as a spec-1.3 server announces it."""
    return signal(
        "PropertiesChanged",
        "sa{sv}as",
        [INTERFACE, {"Inhibited": Variant("b", on)}, []],
        interface="org.freedesktop.DBus.Properties",
        destination=destination,
    )


# ---------------------------------------------------------------------- start


def test_start_finds_dunst(backend: FreedesktopBackend) -> None:
    assert backend.server.startswith("dunst 1.9"), backend.server
    assert backend.supports_actions
    assert not backend.supports_reply
    assert "body-markup" in backend.capabilities


def test_stop_releases_the_connection(desktop: NotificationDesktop, qtbot: QtBot) -> None:
    """At quit the bus socket must be closed, not abandoned (a failed start() stops too).

    Whether a careless ``stop()`` leaks depends on thread scheduling, so it is run a
    number of times: a correct one never leaves a descriptor open.
    """
    before = open_fds()
    cycles = 20
    for _ in range(cycles):
        backend = freedesktop.FreedesktopBackend("desktopchat", notifications.DESKTOP_ENTRY, None)
        assert backend.start() is None
        backend.stop()
        assert not backend._thread.is_alive()
    leaked = open_fds() - before
    assert not leaked, f"{len(leaked)} of {cycles} stop()s left the D-Bus socket open"


# ------------------------------------------------------------------- showing


def test_show_is_what_a_person_sees(
    desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    backend.show(Content("general", "Bob in #general", "lunch at noon?", 1), sound=False)
    notification_id = shown_id(backend, "general")
    assert desktop.displayed() == 1
    desktop.close_all()
    seen = desktop.history_entry(notification_id)
    assert seen["appname"] == "desktopchat"
    assert seen["summary"] == "Bob in #general"
    assert seen["body"] == "lunch at noon?"
    assert seen["category"] == "im.received"
    assert seen["default_action_name"] == "default"


def test_the_next_notification_of_a_room_replaces_it(
    desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    backend.show(Content("general", "Bob in #general", "one", 1), sound=False)
    first = shown_id(backend, "general")
    assert desktop.displayed() == 1
    backend.show(Content("general", "2 new messages in #general", "Bob: two", 2), sound=True)
    assert shown_id(backend, "general") == first
    assert desktop.displayed() == 1
    desktop.close_all()
    seen = desktop.history_entry(first)  # exactly one entry: replaced, not stacked
    assert (seen["summary"], seen["body"]) == ("2 new messages in #general", "Bob: two")


def test_back_to_back_notifications_of_a_room_replace_too(
    desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    """Shows are fire-and-forget: the caller cannot wait for dunst's answer to the first.

    (Done in five rooms at once: the outcome of a race in the backend depends on thread
    scheduling, and one room could pass by luck.)"""
    rooms = [f"room{i}" for i in range(5)]
    for room in rooms:
        backend.show(Content(room, f"Bob in #{room}", "one", 1), sound=False)
        backend.show(Content(room, f"2 new messages in #{room}", "Bob: two", 2), sound=False)
    settle(backend)
    assert desktop.displayed() == len(rooms), "more than one notification for a room"


def test_each_room_has_its_own_notification(
    desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    backend.show(Content("general", "Bob in #general", "one", 1), sound=False)
    general = shown_id(backend, "general")
    backend.show(Content("random", "Bob in #random", "two", 1), sound=False)
    random = shown_id(backend, "random")
    assert general != random
    assert desktop.displayed() == 2


def test_withdraw_closes_the_notification(
    desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    backend.show(Content("general", "Bob in #general", "one", 1), sound=False)
    backend.show(Content("random", "Bob in #random", "two", 1), sound=False)
    random = shown_id(backend, "random")
    assert desktop.displayed() == 2
    backend.withdraw("general")
    settle(backend)
    desktop.wait_displayed(1)
    assert "general" not in backend._ids
    desktop.close_all()
    assert desktop.history()[0]["id"] == random, "the wrong notification was closed"


def test_withdraw_right_after_show_closes_it(
    desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    """Reading a room just as its notification goes out (the window was focused then).

    (In five rooms at once, as above.)"""
    rooms = [f"room{i}" for i in range(5)]
    for room in rooms:
        backend.show(Content(room, f"Bob in #{room}", "one", 1), sound=False)
        backend.withdraw(room)
    settle(backend)
    assert desktop.displayed() == 0, "notifications of rooms already read stayed up"


def test_the_summary_is_shown_and_withdrawn(
    desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    backend.show(Content(None, "5 new messages in 2 rooms", "#a (3), #b (2)", 5), sound=False)
    summary = shown_id(backend, "")
    assert desktop.displayed() == 1
    backend.withdraw(None)
    settle(backend)
    desktop.wait_displayed(0)
    assert desktop.history_entry(summary)["summary"] == "5 new messages in 2 rooms"


def test_markup_in_a_message_is_shown_literally(
    desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    text = "use <b>bold</b> & <i>italics</i> <a href='x'>here</a>"
    title = "Tom & <Jerry> in #general"
    backend.show(Content("general", title, text, 1), sound=False)
    notification_id = shown_id(backend, "general")
    desktop.close_all()
    seen = desktop.history_entry(notification_id)
    assert seen["body"] == html.escape(text, quote=False)
    assert rendered(seen["message"]) == f"{title}\n{text}"


def test_a_closed_notification_is_forgotten(
    desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    backend.show(Content("general", "Bob in #general", "one", 1), sound=False)
    shown_id(backend, "general")
    desktop.close_all()  # the person dismissed it: dunst sends NotificationClosed
    wait_until(lambda: "general" not in backend._ids, "the backend to forget the closed one")


# ------------------------------------------------------------ what comes back


def test_a_click_activates_the_room(
    qtbot: QtBot, desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    backend.show(Content("general", "Bob in #general", "one", 1), sound=False)
    shown_id(backend, "general")
    actions: list[tuple[str, str]] = []
    backend.action.connect(lambda room, key: actions.append((room, key)))
    with qtbot.waitSignal(backend.activated, timeout=SIGNAL_MS) as clicked:
        desktop.invoke_default_action(0)
    assert clicked.args == ["general"]
    assert actions == []


def test_a_click_on_the_summary_activates_no_room(
    qtbot: QtBot, desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    backend.show(Content(None, "5 new messages in 2 rooms", "#a (3), #b (2)", 5), sound=False)
    shown_id(backend, "")
    with qtbot.waitSignal(backend.activated, timeout=SIGNAL_MS) as clicked:
        desktop.invoke_default_action(0)
    assert clicked.args == [""]


def test_the_mark_read_button_comes_back_as_an_action(
    qtbot: QtBot, desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    room = MARK_READ_ROOM  # dunst's test rule makes "mark-read" this room's default action
    backend.show(Content(room, f"Bob in #{room}", "one", 1), sound=False)
    shown_id(backend, room)
    clicks: list[str] = []
    backend.activated.connect(clicks.append)
    with qtbot.waitSignal(backend.action, timeout=SIGNAL_MS) as pressed:
        desktop.invoke_default_action(0)
    assert pressed.args == [room, "mark-read"]
    assert clicks == []


def test_the_standin_has_what_dunst_lacks(
    standin: StandInServer, start_on_standin: Callable[[], FreedesktopBackend]
) -> None:
    """The stand-in server (``tests/notify/standin.py``) is found like any server, and the
    backend offers the reply field it has; it takes and closes notifications as dunst does."""
    backend = start_on_standin()
    assert backend.server == "standin 1.0 (desktopchat tests)"
    assert backend.supports_actions
    assert backend.supports_reply
    assert backend.inhibited is False
    backend.show(Content("general", "Bob in #general", "<one>", 1), sound=False)
    first = shown_id(backend, "general")
    assert standin.shown()[first].body == "&lt;one&gt;"  # it renders markup
    backend.show(Content("random", "Bob in #random", "two", 1), sound=False)
    assert shown_id(backend, "random") == first + 1
    backend.show(Content("general", "2 new messages in #general", "Bob: three", 2), sound=False)
    assert shown_id(backend, "general") == first
    shown = standin.shown()
    assert sorted(shown) == [first, first + 1]
    assert (shown[first].summary, shown[first].body) == ("2 new messages in #general", "Bob: three")
    assert shown[first].actions == [
        "default", "Open", "mark-read", "Mark as read", "inline-reply", "Reply",
    ]  # fmt: skip
    backend.withdraw("random")
    settle(backend)
    assert sorted(standin.shown()) == [first]


def test_replies_come_back_and_foreign_signals_are_ignored(
    qtbot: QtBot,
    empty_bus: PrivateBus,
    standin: StandInServer,
    start_on_standin: Callable[[], FreedesktopBackend],
) -> None:
    """An inline reply (KDE's extension; dunst has none) comes back as ``replied``.

    Anyone on the session bus can send the server's signals, for the backend's own
    notification id, broadcast or addressed to the backend: only the connection owning
    ``org.freedesktop.Notifications`` is believed. The forged ones are routed before the
    server's genuine reply is sent (``emit`` returns once the bus has routed them), so they
    reach the backend first: had any been taken, it would have been seen by then.
    """
    backend = start_on_standin()
    backend.show(Content("general", "Bob in #general", "one", 1), sound=False)
    notification_id = shown_id(backend, "general")
    clicks: list[str] = []
    actions: list[tuple[str, str]] = []
    replies: list[tuple[str, str]] = []
    changes: list[bool] = []
    backend.activated.connect(clicks.append)
    backend.action.connect(lambda room, key: actions.append((room, key)))
    backend.replied.connect(lambda room, text: replies.append((room, text)))
    backend.inhibited_changed.connect(changes.append)
    assert backend._bus is not None

    def forged(to: str | None) -> list[Message]:
        """The server's signals, sent by somebody else (broadcast, or to ``to`` alone)."""
        return [
            signal("ActionInvoked", "us", [notification_id, "default"], destination=to),
            signal("ActionInvoked", "us", [notification_id, "mark-read"], destination=to),
            signal("NotificationReplied", "us", [notification_id, "forged"], destination=to),
            inhibited_signal(True, destination=to),
        ]

    empty_bus.emit(*forged(None), *forged(backend._bus.unique_name))

    with qtbot.waitSignal(backend.replied, timeout=SIGNAL_MS) as replied:
        standin.reply(notification_id, "on my way")
    assert replied.args == ["general", "on my way"]
    assert replies == [("general", "on my way")], "a forged reply was taken"
    assert clicks == [], "a forged click opened a room"
    assert actions == [], "a forged button press was taken"
    assert changes == [], "a forged do-not-disturb was taken"
    assert backend.inhibited is False


def test_a_click_from_the_standin_activates_the_room(
    qtbot: QtBot, standin: StandInServer, start_on_standin: Callable[[], FreedesktopBackend]
) -> None:
    """The same signal dunst sends, from the stand-in: its signals are believed too."""
    backend = start_on_standin()
    backend.show(Content("general", "Bob in #general", "one", 1), sound=False)
    notification_id = shown_id(backend, "general")
    with qtbot.waitSignal(backend.action, timeout=SIGNAL_MS) as pressed:
        standin.invoke_action(notification_id, "mark-read")
    assert pressed.args == ["general", "mark-read"]
    with qtbot.waitSignal(backend.activated, timeout=SIGNAL_MS) as clicked:
        standin.invoke_action(notification_id, "default")
    assert clicked.args == ["general"]


# ----------------------------------------------------------------- do not disturb


def test_dunst_pausing_is_not_inhibition(
    qtbot: QtBot, desktop: NotificationDesktop, backend: FreedesktopBackend
) -> None:
    """dunst 1.9 has no ``Inhibited`` property; its own pause is ``paused`` on its
    ``org.dunstproject.cmd0`` interface: dunst holds notifications back by itself."""
    lacks = subprocess.run(
        [
            "dbus-send",
            "--print-reply",
            "--dest=org.freedesktop.Notifications",
            PATH,
            "org.freedesktop.DBus.Properties.Get",
            f"string:{INTERFACE}",
            "string:Inhibited",
        ],
        env=desktop.env,
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    assert lacks.returncode != 0, "this dunst has Inhibited: test it for real"
    assert backend.inhibited is False
    changes: list[bool] = []
    backend.inhibited_changed.connect(changes.append)
    desktop.dunstctl("set-paused", "true")
    try:
        backend.show(Content("general", "Bob in #general", "one", 1), sound=False)
        shown_id(backend, "general")  # dunst's PropertiesChanged(paused) came before this
        assert desktop.count("waiting") == 1
        assert desktop.count("displayed") == 0
        assert backend.inhibited is False
        assert changes == []
    finally:
        desktop.dunstctl("set-paused", "false")
    desktop.wait_displayed(1)


def test_inhibited_follows_the_server(
    qtbot: QtBot, standin: StandInServer, start_on_standin: Callable[[], FreedesktopBackend]
) -> None:
    """A spec-1.3 server's do-not-disturb (GNOME, KDE; dunst 1.9 has none), from the stand-in:
    read at start, then followed through ``PropertiesChanged``."""
    standin.set_inhibited(True)  # already on when the app starts
    assert standin.inhibited() is True
    backend = start_on_standin()
    assert backend.inhibited is True
    with qtbot.waitSignal(backend.inhibited_changed, timeout=SIGNAL_MS) as changed:
        standin.set_inhibited(False)
    assert changed.args == [False]
    assert backend.inhibited is False
    with qtbot.waitSignal(backend.inhibited_changed, timeout=SIGNAL_MS) as changed:
        standin.set_inhibited(True)
    assert changed.args == [True]
    assert backend.inhibited is True


# ------------------------------------------------------------------ no server


def test_without_a_server_start_says_why(qtbot: QtBot, empty_bus: PrivateBus) -> None:
    threads = set(threading.enumerate())
    backend = freedesktop.FreedesktopBackend("desktopchat", notifications.DESKTOP_ENTRY, None)
    started = time.monotonic()
    reason = backend.start()
    assert reason is not None
    assert "no notification server" in reason
    assert "ServiceUnknown" in reason, "something answered (or was activated) on an empty bus"
    assert time.monotonic() - started < CALL_TIMEOUT, "start() waited for a timeout"
    assert set(threading.enumerate()) <= threads, "start() left its D-Bus thread running"


def test_without_any_session_bus_start_says_why(
    qtbot: QtBot, tmp_path: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-bus-here")
    backend = freedesktop.FreedesktopBackend("desktopchat", notifications.DESKTOP_ENTRY, None)
    reason = backend.start()
    assert reason is not None
    assert "no notification server" in reason


def test_without_a_server_the_center_uses_the_fallback(qtbot: QtBot, empty_bus: PrivateBus) -> None:
    backend, reason = notifications.start_backend()
    assert backend is None
    assert "no notification server" in reason
    toasts: list[Content] = []

    def toast(content: Content) -> bool:
        toasts.append(content)
        return True

    center = NotificationCenter(
        backend,
        [("an in-app toast", toast)],
        lambda: situation(room_on_screen=None),
        Preferences(),
    )
    with qtbot.waitSignal(center.delivered, timeout=SIGNAL_MS) as delivered:
        center.offer("general", [message("anyone there?")])
        center.flush()
    assert delivered.args == ["an in-app toast"]
    assert toasts == [Content("general", "Bob in #general", "anyone there?", 1)]
