"""The NotificationCenter: policy, coalescing, replacement, withdrawal, and fallbacks.

The center is the unit here, so its backend is a small QObject with the backend's signals
that records what it is asked to do (the real backend is tested against a real
notification server in ``test_freedesktop.py``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from desktopchat.client.notify.center import (
    COALESCE_MS,
    Fallback,
    NotificationCenter,
    Preferences,
)
from desktopchat.client.notify.policy import Content, RoomMode, Situation
from tests.notify.helpers import ME, message, situation


class RecordingBackend(QObject):
    """The backend protocol: the three signals, ``show`` and ``withdraw``, recorded."""

    activated = Signal(str)
    action = Signal(str, str)
    replied = Signal(str, str)

    name = "recording service"

    def __init__(self, *, broken: bool = False) -> None:
        super().__init__()
        self.broken = broken
        self.shown: list[tuple[Content, bool]] = []
        self.withdrawn: list[str | None] = []

    def show(self, content: Content, *, sound: bool) -> None:
        if self.broken:
            raise RuntimeError("the notification service went away")
        self.shown.append((content, sound))

    def withdraw(self, room: str | None) -> None:
        self.withdrawn.append(room)

    @property
    def contents(self) -> list[Content]:
        return [content for content, _ in self.shown]


@dataclass
class RecordingFallback:
    """A fallback channel that can or cannot show, and records what it was given."""

    name: str
    works: bool
    calls: list[Content] = field(default_factory=list)

    def __call__(self, content: Content) -> bool:
        self.calls.append(content)
        return self.works

    @property
    def entry(self) -> Fallback:
        return (self.name, self)


#: Alice's window shows nothing in particular: every room's messages are notified.
AWAY = situation(room_on_screen=None, window_active=False)


@pytest.fixture
def backend() -> RecordingBackend:
    return RecordingBackend()


@pytest.fixture
def make_center(qtbot: QtBot) -> Callable[..., NotificationCenter]:
    """Build centers (default: the recording backend's, no fallbacks, Alice away)."""
    centers: list[NotificationCenter] = []

    def make(
        backend: RecordingBackend | None,
        fallbacks: list[Fallback] | None = None,
        where: Situation = AWAY,
        preferences: Preferences | None = None,
    ) -> NotificationCenter:
        center = NotificationCenter(
            backend, fallbacks or [], lambda: where, preferences or Preferences()
        )
        centers.append(center)
        return center

    yield make
    for center in centers:
        center.flush()  # no timer left to fire into a later test
        center.deleteLater()


# ------------------------------------------------------------------------ coalescing


def test_a_burst_in_one_room_becomes_one_notification(
    qtbot: QtBot, backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    center = make_center(backend)
    started = time.monotonic()
    with qtbot.waitSignal(center.delivered, timeout=5 * COALESCE_MS) as delivered:
        center.offer("general", [message("one")])
        center.offer("general", [message("two"), message("three")])
        assert backend.shown == [], "shown before the coalescing window closed"
    waited = time.monotonic() - started
    assert delivered.args == [RecordingBackend.name]
    assert backend.contents == [Content("general", "3 new messages in #general", "Bob: three", 3)]
    # The window is real (Qt's coarse timers may fire up to 5 % early).
    assert waited >= 0.9 * COALESCE_MS / 1000
    center.flush()
    assert len(backend.shown) == 1, "the burst was shown twice"


def test_flush_shows_what_was_collected_at_once(
    backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    center = make_center(backend)
    center.offer("general", [message("lunch?")])
    center.flush()
    assert backend.contents == [Content("general", "Bob in #general", "lunch?", 1)]


def test_messages_a_second_apart_keep_counting_until_the_room_is_read(
    backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    """Three messages 1 s apart (three flushes): the room's one notification says "3 new
    messages", not only the last one; once read, the count starts again."""
    center = make_center(backend)
    for text in ("one", "two", "three"):
        center.offer("general", [message(text)])
        center.flush()
    assert [c.title for c in backend.contents] == [
        "Bob in #general",
        "2 new messages in #general",
        "3 new messages in #general",
    ]
    assert backend.contents[-1].body == "Bob: three"
    assert backend.contents[-1].count == 3
    assert {c.room for c in backend.contents} == {"general"}  # one, replaced each time
    center.read("general")
    center.offer("general", [message("four")])
    center.flush()
    assert backend.contents[-1] == Content("general", "Bob in #general", "four", 1)


def test_a_burst_across_rooms_becomes_one_summary(
    backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    center = make_center(backend)
    center.offer("general", [message("a"), message("b")])
    center.offer("random", [message("c", room="random")])
    center.flush()
    assert backend.contents == [
        Content(None, "3 new messages in 2 rooms", "#general (2), #random (1)", 3)
    ]


def test_only_messages_the_policy_lets_through_are_notified(
    qtbot: QtBot, backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    center = make_center(backend)
    with qtbot.assertNotEmitted(center.delivered):
        center.offer("general", [message("mine", author=ME), message("gone", deleted=True)])
        center.flush()
    center.offer("general", [message("mine", author=ME), message("yours")])
    center.flush()
    assert backend.contents == [Content("general", "Bob in #general", "yours", 1)]


def test_the_room_on_screen_is_not_notified(
    backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    center = make_center(backend, where=situation(room_on_screen="general"))
    center.offer("general", [message("seen")])
    center.offer("random", [message("not seen", room="random")])
    center.flush()
    assert backend.contents == [Content("random", "Bob in #random", "not seen", 1)]


# ------------------------------------------------------------------- preferences


def test_disabled_notifications_show_nothing(
    qtbot: QtBot, backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    center = make_center(backend, preferences=Preferences(enabled=False))
    with qtbot.assertNotEmitted(center.delivered):
        center.offer("general", [message("@alice urgent")])
        center.flush()
    assert backend.shown == []


@pytest.mark.parametrize(
    "silence",
    [
        pytest.param(lambda c: setattr(c.preferences, "do_not_disturb", True), id="own DND"),
        pytest.param(lambda c: setattr(c, "system_do_not_disturb", True), id="system DND"),
    ],
)
def test_do_not_disturb_silences_even_mentions(
    backend: RecordingBackend,
    make_center: Callable[..., NotificationCenter],
    silence: Callable[[NotificationCenter], None],
) -> None:
    center = make_center(backend)
    silence(center)
    center.offer("general", [message("@alice urgent")])
    center.flush()
    assert backend.shown == []


def test_room_modes_come_from_the_preferences(
    backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    preferences = Preferences(room_modes={"random": RoomMode.MUTE, "dev": RoomMode.MENTIONS})
    center = make_center(backend, preferences=preferences)
    center.offer("random", [message("muted", room="random")])
    center.offer("dev", [message("not for you", room="dev")])
    center.flush()
    assert backend.shown == []
    center.offer("random", [message("@alice see this", room="random")])
    center.flush()
    assert backend.contents == [Content("random", "Bob in #random", "@alice see this", 1)]


@pytest.mark.parametrize("sound", [True, False])
def test_sound_follows_the_preference(
    backend: RecordingBackend, make_center: Callable[..., NotificationCenter], sound: bool
) -> None:
    center = make_center(backend, preferences=Preferences(sound=sound))
    center.offer("general", [message()])
    center.flush()
    assert [s for _, s in backend.shown] == [sound]


# -------------------------------------------------------------------- withdrawal


def test_reading_a_room_withdraws_its_notification_and_the_summary(
    backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    center = make_center(backend)
    center.offer("general", [message()])
    center.flush()
    center.offer("general", [message()])
    center.offer("random", [message(room="random")])
    center.flush()
    assert [c.room for c in backend.contents] == ["general", None]
    center.read("general")
    assert backend.withdrawn == ["general", None]
    center.read("general")
    assert backend.withdrawn == ["general", None], "withdrawn twice"


def test_reading_another_room_withdraws_only_a_stale_summary(
    backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    center = make_center(backend)
    center.offer("general", [message()])
    center.flush()
    center.read("random")
    assert backend.withdrawn == []
    center.offer("general", [message()])
    center.offer("random", [message(room="random")])
    center.flush()
    center.read("random")
    assert backend.withdrawn == [None]


def test_reading_a_room_drops_its_pending_messages(
    backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    center = make_center(backend)
    center.offer("general", [message("already read")])
    center.offer("random", [message("news", room="random")])
    center.read("general")
    center.flush()
    assert backend.contents == [Content("random", "Bob in #random", "news", 1)]


# ---------------------------------------------------------------------- fallbacks


def test_without_a_service_the_fallbacks_are_tried_in_order(
    qtbot: QtBot, make_center: Callable[..., NotificationCenter]
) -> None:
    balloon = RecordingFallback("tray balloon", works=False)
    toast = RecordingFallback("toast", works=True)
    never = RecordingFallback("never", works=True)
    center = make_center(None, [balloon.entry, toast.entry, never.entry])
    content = Content("general", "Bob in #general", "hi", 1)
    with qtbot.waitSignal(center.delivered) as delivered:
        assert center.show(content) == "toast"
    assert delivered.args == ["toast"]
    assert balloon.calls == [content]
    assert toast.calls == [content]
    assert never.calls == []


def test_offers_reach_the_fallback_too(make_center: Callable[..., NotificationCenter]) -> None:
    toast = RecordingFallback("toast", works=True)
    center = make_center(None, [toast.entry])
    center.offer("general", [message("hi")])
    center.flush()
    assert toast.calls == [Content("general", "Bob in #general", "hi", 1)]
    center.read("general")  # nothing to withdraw, and no backend to ask: must not fail


def test_when_nothing_can_show_it_show_says_so(
    qtbot: QtBot, make_center: Callable[..., NotificationCenter], caplog: pytest.LogCaptureFixture
) -> None:
    balloon = RecordingFallback("tray balloon", works=False)
    center = make_center(None, [balloon.entry])
    with qtbot.assertNotEmitted(center.delivered), caplog.at_level(logging.WARNING):
        assert center.show(Content(None, "t", "b", 1)) is None
    assert balloon.calls
    assert "no way to show a notification" in caplog.text


def test_a_failing_service_falls_back_without_raising(
    qtbot: QtBot, make_center: Callable[..., NotificationCenter], caplog: pytest.LogCaptureFixture
) -> None:
    broken = RecordingBackend(broken=True)
    toast = RecordingFallback("toast", works=True)
    center = make_center(broken, [toast.entry])
    with qtbot.waitSignal(center.delivered) as delivered, caplog.at_level(logging.ERROR):
        center.offer("general", [message("hi")])
        center.flush()  # would raise here if the service's exception propagated
    assert delivered.args == ["toast"]
    assert toast.calls == [Content("general", "Bob in #general", "hi", 1)]
    assert "notification service failed" in caplog.text
    center.read("general")
    assert broken.withdrawn == [], "withdrew a notification the service never showed"


# ------------------------------------------------------------- what comes back


def test_mark_read_action_marks_the_room_read_and_withdraws(
    qtbot: QtBot, backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    center = make_center(backend)
    center.offer("general", [message()])
    center.flush()
    with qtbot.waitSignal(center.mark_read) as marked:
        backend.action.emit("general", "mark-read")
    assert marked.args == ["general"]
    assert backend.withdrawn == ["general"]


@pytest.mark.parametrize(
    ("room", "action"), [("", "mark-read"), ("general", "snooze")], ids=["summary", "unknown"]
)
def test_other_actions_mark_nothing(
    qtbot: QtBot,
    backend: RecordingBackend,
    make_center: Callable[..., NotificationCenter],
    room: str,
    action: str,
) -> None:
    center = make_center(backend)
    center.offer("general", [message()])
    center.offer("random", [message(room="random")])
    center.flush()
    with qtbot.assertNotEmitted(center.mark_read):
        backend.action.emit(room, action)
    assert backend.withdrawn == []


@pytest.mark.parametrize("room", ["general", ""], ids=["room", "summary"])
def test_a_click_opens_the_room(
    qtbot: QtBot,
    backend: RecordingBackend,
    make_center: Callable[..., NotificationCenter],
    room: str,
) -> None:
    center = make_center(backend)
    with qtbot.waitSignal(center.open_room) as opened:
        backend.activated.emit(room)
    assert opened.args == [room]


def test_an_inline_reply_is_passed_on(
    qtbot: QtBot, backend: RecordingBackend, make_center: Callable[..., NotificationCenter]
) -> None:
    center = make_center(backend)
    with qtbot.waitSignal(center.reply) as replied:
        backend.replied.emit("general", "on my way")
    assert replied.args == ["general", "on my way"]
