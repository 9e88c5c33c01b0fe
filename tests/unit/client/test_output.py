"""``tail``'s output: a message's text can never drive the terminal or disguise itself."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from desktopchat.client.domain import Author, Message
from desktopchat.commands.tail import json_line, terminal_safe, text_line

#: Characters no output line may carry raw: C0, DEL, C1, line/paragraph separators, bidi.
RAW_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")

ATTACKS = [
    "\x1b[2J\x1b[31mred alert",  # clear screen, recolour
    "\x1b]0;pwned\x07",  # set the terminal title (OSC ... BEL)
    "looks fine\rREWRITTEN",  # carriage return overwrites the line
    "\x9b31mC1 CSI",  # the 8-bit CSI
    "user\u202egnp.exe",  # right-to-left override: shows as "userexe.png"
    "a\u2066isolate\u2069b",
    "one\u2028two\u2029three",
    "bell\x07 backspace\x08 del\x7f nul\x00 tab\t newline\n",
    "\u0085next line (C1)",
]


def message(text: str, display_name: str = "Alice", **changes: object) -> Message:
    base = Message(
        id=7,
        room="general",
        client_id="dc-1",
        author=Author(1, display_name, "/api/avatars/1.svg"),
        text=text,
        sent_at=datetime(2026, 11, 28, 16, 21, 46, 123000, tzinfo=UTC),
        edited_at=None,
        deleted=False,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- terminal_safe


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31m", "\\x1b[31m"),
        ("a\rb", "a\\rb"),
        ("a\nb\tc", "a\\nb\\tc"),
        ("\x9b", "\\x9b"),
        ("\x85", "\\x85"),
        ("\x7f", "\\x7f"),
        ("\x00", "\\x00"),
        ("abc\u202edef", "abc\\u202edef"),
        ("\u202a\u202b\u202c\u202d", "\\u202a\\u202b\\u202c\\u202d"),
        ("\u2066\u2067\u2068\u2069", "\\u2066\\u2067\\u2068\\u2069"),
        ("x\u2028y\u2029z", "x\\u2028y\\u2029z"),
    ],
)
def test_terminal_safe_escapes_controls_and_bidi(raw: str, shown: str) -> None:
    assert terminal_safe(raw) == shown


@pytest.mark.parametrize("text", ATTACKS)
def test_terminal_safe_leaves_no_unsafe_character(text: str) -> None:
    safe = terminal_safe(text)
    assert not RAW_UNSAFE.search(safe), repr(safe)
    assert safe.isprintable(), repr(safe)


@pytest.mark.parametrize(
    "text",
    [
        "héllo wörld",
        "日本語のテキスト",
        "Привет",
        "مرحبا بالعالم",  # right-to-left script itself is fine: only overrides are not
        "🎉👍🏽👩‍💻🇫🇷",  # skin tone, zero-width joiner sequence, flag
        "a ~ b | c & d < e > f \\ g",
        "",
    ],
)
def test_terminal_safe_keeps_ordinary_unicode(text: str) -> None:
    assert terminal_safe(text) == text


# ------------------------------------------------------------------------------ json_line


@pytest.mark.parametrize("text", [*ATTACKS, "🎉 héllo 日本", 'quote " and \\ backslash'])
def test_json_line_round_trips_and_carries_nothing_unsafe_raw(text: str) -> None:
    evil_name = "Mallory\u202e\x1b[0m"
    line = json_line("message", message(text, display_name=evil_name))
    assert "\n" not in line
    assert not RAW_UNSAFE.search(line), repr(line)
    record = json.loads(line)
    assert record["text"] == text
    assert record["author"]["display_name"] == evil_name


def test_json_line_keeps_ordinary_unicode_readable() -> None:
    line = json_line("message", message("🎉 héllo 日本"))
    assert "🎉 héllo 日本" in line


def test_json_line_is_the_message_with_its_kind_and_no_client_id() -> None:
    record = json.loads(
        json_line("edit", message("hi", edited_at=datetime(2026, 1, 1, tzinfo=UTC)))
    )
    assert record == {
        "type": "edit",
        "id": 7,
        "room": "general",
        "author": {"id": 1, "display_name": "Alice", "avatar_url": "/api/avatars/1.svg"},
        "text": "hi",
        "sent_at": "2026-11-28T16:21:46.123Z",
        "edited_at": "2026-01-01T00:00:00.000Z",
        "deleted": False,
        "attachments": [],
        "reply_to": None,
        "reactions": [],
    }


# ------------------------------------------------------------------------------ text_line


def test_text_line_shows_id_author_and_text() -> None:
    line = text_line("message", message("hello there"))
    assert re.fullmatch(r"\[\d\d:\d\d\] #7 Alice: hello there", line), line


def test_text_line_marks_an_edit() -> None:
    line = text_line("edit", message("fixed text", edited_at=datetime(2026, 1, 1, tzinfo=UTC)))
    assert line.endswith("Alice: (edited) fixed text"), line


def test_a_plain_message_is_not_marked_edited() -> None:
    assert "(edited)" not in text_line("message", message("hello"))


@pytest.mark.parametrize("kind", ["delete", "message", "edit"])
def test_text_line_shows_a_deleted_message_as_deleted_without_its_text(kind: str) -> None:
    line = text_line(kind, message("secret words", deleted=True))
    assert line.endswith("Alice: (deleted)"), line
    assert "secret words" not in line


@pytest.mark.parametrize("text", ATTACKS)
def test_text_line_escapes_text_and_author(text: str) -> None:
    line = text_line("message", message(text, display_name="Eve\x1b[2J\u202e"))
    assert not RAW_UNSAFE.search(line), repr(line)
    assert "Eve\\x1b[2J\\u202e" in line
