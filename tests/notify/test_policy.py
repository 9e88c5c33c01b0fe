"""The notification policy and content: pure functions, checked case by case from tables."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from desktopchat.client.domain import Attachment, Message
from desktopchat.client.notify.policy import (
    Content,
    RoomMode,
    mentions,
    preview,
    room_content,
    should_notify,
    summary_content,
)
from tests.notify.helpers import BOB, CAROL, ME, MY_NAMES, message, situation

MUTE = {"random": RoomMode.MUTE}
MENTIONS_ONLY = {"random": RoomMode.MENTIONS}

# id, message(**kwargs), situation(**kwargs), notify?
# By default Alice looks at #general in the active window; messages are Bob's.
SHOULD_NOTIFY = [
    ("other room", {"room": "random"}, {}, True),
    ("own message", {"room": "random", "author": ME}, {}, False),
    (
        "own message mentioning myself",
        {"room": "random", "author": ME, "text": "@alice"},
        {},
        False,
    ),
    ("deleted", {"room": "random", "deleted": True}, {}, False),
    ("deleted mention", {"room": "random", "deleted": True, "text": "@alice"}, {}, False),
    ("do not disturb", {"room": "random"}, {"do_not_disturb": True}, False),
    ("system do not disturb", {"room": "random"}, {"system_do_not_disturb": True}, False),
    ("mention under DND", {"room": "random", "text": "@alice!"}, {"do_not_disturb": True}, False),
    (
        "mention under system DND",
        {"room": "random", "text": "@alice!"},
        {"system_do_not_disturb": True},
        False,
    ),
    ("room on screen, window active", {"room": "general"}, {}, False),
    ("mention in the room on screen", {"room": "general", "text": "@alice"}, {}, False),
    ("room on screen, window inactive", {"room": "general"}, {"window_active": False}, True),
    ("nothing on screen", {"room": "general"}, {"room_on_screen": None}, True),
    ("another room on screen", {"room": "general"}, {"room_on_screen": "random"}, True),
    ("muted room", {"room": "random"}, {"room_modes": MUTE}, False),
    (
        "muted room, inactive window",
        {"room": "random"},
        {"room_modes": MUTE, "window_active": False},
        False,
    ),
    ("muted room, @mention", {"room": "random", "text": "@alice look"}, {"room_modes": MUTE}, True),
    (
        "muted room, display name",
        {"room": "random", "text": "Alice Liddell: hi"},
        {"room_modes": MUTE},
        True,
    ),
    (
        "muted room, an e-mail address is no mention",
        {"room": "random", "text": "write to alice@example.com"},
        {"room_modes": MUTE},
        False,
    ),
    ("mentions-only room", {"room": "random"}, {"room_modes": MENTIONS_ONLY}, False),
    (
        "mentions-only room, mention",
        {"room": "random", "text": "Alice, ok?"},
        {"room_modes": MENTIONS_ONLY},
        True,
    ),
    (
        "mentions-only room, 'malice'",
        {"room": "random", "text": "malice"},
        {"room_modes": MENTIONS_ONLY},
        False,
    ),
    ("room explicitly ALL", {"room": "random"}, {"room_modes": {"random": RoomMode.ALL}}, True),
    ("another room is muted", {"room": "dev"}, {"room_modes": MUTE}, True),
    # Mentions by user id (ME is user 1): the ids decide, whatever the text says.
    (
        "muted room, mentioned by id",
        {"room": "random", "mentions": (1,)},
        {"room_modes": MUTE},
        True,
    ),
    (
        "mentions-only room, mentioned by id",
        {"room": "random", "text": "look", "mentions": (1,)},
        {"room_modes": MENTIONS_ONLY},
        True,
    ),
    (
        "muted room, someone else mentioned by id",
        {"room": "random", "text": "@alice's twin", "mentions": (3,)},
        {"room_modes": MUTE},
        False,
    ),
    (
        "muted room, my name but no ids",
        {"room": "random", "text": "@alice hi", "mentions": ()},
        {"room_modes": MUTE},
        False,
    ),
    (
        "mentioned by id under DND",
        {"room": "random", "mentions": (1,)},
        {"do_not_disturb": True},
        False,
    ),
    (
        "mentioned by id in the room on screen",
        {"room": "general", "mentions": (1,)},
        {},
        False,
    ),
]


@pytest.mark.parametrize(
    ("message_kwargs", "situation_kwargs", "expected"),
    [pytest.param(m, s, e, id=name) for name, m, s, e in SHOULD_NOTIFY],
)
def test_should_notify(
    message_kwargs: dict[str, Any], situation_kwargs: dict[str, Any], expected: bool
) -> None:
    assert should_notify(message(**message_kwargs), situation(**situation_kwargs)) is expected


# id, text, names, mentioned?
MENTIONS = [
    ("@username", "@alice can you look?", MY_NAMES, True),
    ("name and comma, other case", "Alice, lunch?", ("alice",), True),
    ("shouted", "ALICE!", ("alice",), True),
    ("at the end", "thanks alice", ("alice",), True),
    ("before a full stop", "ask @Alice.", ("alice",), True),
    ("display name with a space", "alice liddell: ping", MY_NAMES, True),
    ("name needing escaping", "c++ is hard", ("c++",), True),
    ("inside a word", "malice aforethought", ("alice",), False),
    ("a longer word", "alices", ("alice",), False),
    ("an identifier", "alice_bot restarted", ("alice",), False),
    ("the domain of an address", "mail bob@alice", ("alice",), False),
    ("an e-mail address", "write to alice@example.com", ("alice",), False),
    ("regex characters are literal", "axb", ("a.b",), False),
    ("someone else", "@bob hi", MY_NAMES, False),
    ("empty name is ignored", "anything", ("",), False),
    ("no names", "@alice", (), False),
]


@pytest.mark.parametrize(
    ("text", "names", "expected"),
    [pytest.param(t, n, e, id=name) for name, t, n, e in MENTIONS],
)
def test_mentions(text: str, names: tuple[str, ...], expected: bool) -> None:
    assert mentions(text, names) is expected


# ---------------------------------------------------------------------- content


def test_room_content_of_one_message_is_the_message() -> None:
    content = room_content("general", [message("lunch at  noon?\nor later")])
    assert content == Content("general", "Bob in #general", "lunch at noon? or later", 1)


def test_a_file_without_a_caption_is_named_not_blank() -> None:
    def carrying(*names: str, text: str = "") -> Message:
        files = tuple(
            Attachment(f"f{n}", "0" * 64, name, 10, "image/png", None, None, f"/f/{n}", None)
            for n, name in enumerate(names)
        )
        return replace(message(text), attachments=files)

    one = room_content("general", [carrying("shot.png")])
    assert one.body == "Sent shot.png"
    several = room_content("dm-x", [carrying("a.png", "b.log", "c.zip")])
    assert several.body == "Sent 3 files: a.png, b.log, c.zip"
    captioned = room_content("general", [carrying("shot.png", text="look")])
    assert captioned.body == "look"


def test_room_content_of_several_counts_and_shows_the_last() -> None:
    messages = [message("one"), message("two"), message("three", author=CAROL)]
    content = room_content("general", messages)
    assert content == Content("general", "3 new messages in #general", "Carol: three", 3)


def test_room_content_body_is_a_preview() -> None:
    long = "word " * 100
    content = room_content("general", [message("first"), message(long)])
    assert content.body == f"{BOB.display_name}: {preview(long)}"
    assert len(content.body) == len("Bob: ") + 200


def test_summary_lists_rooms_busiest_first() -> None:
    by_room = {
        "quiet": [message(room="quiet")],
        "busy": [message(room="busy") for _ in range(3)],
        "middle": [message(room="middle") for _ in range(2)],
    }
    content = summary_content(by_room)
    assert content == Content(
        None, "6 new messages in 3 rooms", "#busy (3), #middle (2), #quiet (1)", 6
    )


def test_summary_of_four_rooms_lists_them_all() -> None:
    by_room = {f"r{i}": [message(room=f"r{i}")] for i in range(4)}
    assert summary_content(by_room).body == "#r0 (1), #r1 (1), #r2 (1), #r3 (1)"


@pytest.mark.parametrize(("rooms", "more"), [(5, 1), (9, 5)])
def test_summary_of_many_rooms_says_how_many_more(rooms: int, more: int) -> None:
    by_room = {f"r{i}": [message(room=f"r{i}") for _ in range(i + 1)] for i in range(rooms)}
    content = summary_content(by_room)
    top = [f"#r{i} ({i + 1})" for i in range(rooms - 1, rooms - 5, -1)]
    assert content.body == ", ".join(top) + f" and {more} more"
    total = rooms * (rooms + 1) // 2
    assert content.title == f"{total} new messages in {rooms} rooms"
    assert content.count == total
    assert content.room is None


# id, text, limit, expected
PREVIEWS = [
    ("one line stays", "hello there", 200, "hello there"),
    ("whitespace flattened", "  a\n\n b\t\tc \r\n", 200, "a b c"),
    ("exactly the limit", "x" * 200, 200, "x" * 200),
    ("one past the limit", "x" * 201, 200, "x" * 199 + "…"),
    (
        "flattened before measuring",
        "x" * 100 + "\n\n\n" + "y" * 99,
        200,
        "x" * 100 + " " + "y" * 99,
    ),
    ("other limit", "abcdefghij", 5, "abcd…"),
    ("empty", "", 200, ""),
]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [pytest.param(t, lim, e, id=name) for name, t, lim, e in PREVIEWS],
)
def test_preview(text: str, limit: int, expected: str) -> None:
    result = preview(text, limit)
    assert result == expected
    assert len(result) <= limit


def test_a_direct_message_notifies_like_a_mention_even_when_muted() -> None:
    dm = "dm-0123456789abcdef0123456789abcdef"
    psst = message("psst", room=dm)
    muted = {dm: RoomMode.MUTE}
    assert should_notify(psst, situation(room_modes=muted))
    assert not should_notify(psst, situation(room_modes=muted, do_not_disturb=True))
    assert not should_notify(psst, situation(room_on_screen=dm))
    content = room_content(dm, [psst])
    assert (content.title, content.body) == (BOB.display_name, "psst")
    assert "dm-" not in summary_content({dm: [psst], "general": [message()]}).body
