"""The compose box, driven by key presses as a person types."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktopchat.ui.composer import TYPING_INTERVAL, Composer
from tests.ui.conftest import QT_CLEAN, FakeClock, use_clock

pytestmark = QT_CLEAN

SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def composer(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> Composer:
    use_clock(monkeypatch, "desktopchat.ui.composer", clock)
    widget = Composer()
    widget.set_room("general")
    qtbot.addWidget(widget)
    return widget


# ------------------------------------------------------------------------------ sending


@pytest.mark.parametrize("key", [Qt.Key.Key_Return, Qt.Key.Key_Enter])
def test_enter_sends_and_clears_the_box(qtbot: QtBot, composer: Composer, key: Qt.Key) -> None:
    qtbot.keyClicks(composer, "hello there")
    with qtbot.waitSignal(composer.submitted, timeout=1000) as blocker:
        qtbot.keyClick(composer, key)
    assert blocker.args == ["hello there"]
    assert composer.toPlainText() == ""


def test_shift_enter_breaks_the_line_without_sending(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer, "first")
    with qtbot.assertNotEmitted(composer.submitted):
        qtbot.keyClick(composer, Qt.Key.Key_Return, SHIFT)
    qtbot.keyClicks(composer, "second")
    assert composer.toPlainText() == "first\nsecond"
    with qtbot.waitSignal(composer.submitted, timeout=1000) as blocker:
        qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert blocker.args == ["first\nsecond"]


@pytest.mark.parametrize("text", ["", "   ", "\t", " \t  "])
def test_blank_text_is_not_sent(qtbot: QtBot, composer: Composer, text: str) -> None:
    qtbot.keyClicks(composer, text)
    with qtbot.assertNotEmitted(composer.submitted):
        qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert composer.toPlainText() == text  # nothing sent, nothing lost


def test_only_new_lines_are_not_sent(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClick(composer, Qt.Key.Key_Return, SHIFT)
    qtbot.keyClick(composer, Qt.Key.Key_Return, SHIFT)
    with qtbot.assertNotEmitted(composer.submitted):
        qtbot.keyClick(composer, Qt.Key.Key_Return)


def test_text_is_sent_as_typed(qtbot: QtBot, composer: Composer) -> None:
    """Leading spaces and markup characters are the sender's: nothing is trimmed or changed."""
    qtbot.keyClicks(composer, "  <b>**x**</b>  ")
    with qtbot.waitSignal(composer.submitted, timeout=1000) as blocker:
        qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert blocker.args == ["  <b>**x**</b>  "]


def test_the_placeholder_names_the_room(composer: Composer) -> None:
    assert "#general" in composer.placeholderText()
    composer.set_room("random")
    assert "#random" in composer.placeholderText()


# ------------------------------------------------------------------------------ editing


def test_up_in_an_empty_box_asks_to_edit_the_last_message(qtbot: QtBot, composer: Composer) -> None:
    with qtbot.waitSignal(composer.edit_last_requested, timeout=1000):
        qtbot.keyClick(composer, Qt.Key.Key_Up)


def test_up_with_text_moves_the_cursor_instead(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer, "line one")
    qtbot.keyClick(composer, Qt.Key.Key_Return, SHIFT)
    qtbot.keyClicks(composer, "two")
    with qtbot.assertNotEmitted(composer.edit_last_requested):
        qtbot.keyClick(composer, Qt.Key.Key_Up)
    assert composer.textCursor().blockNumber() == 0


def test_begin_edit_then_enter_saves_the_edit(qtbot: QtBot, composer: Composer) -> None:
    composer.begin_edit(42, "old text")
    assert composer.editing == 42
    assert composer.toPlainText() == "old text"
    assert "Editing" in composer.placeholderText()
    qtbot.keyClicks(composer, " and more")  # the cursor is at the end
    with (
        qtbot.waitSignal(composer.edit_submitted, timeout=1000) as blocker,
        qtbot.assertNotEmitted(composer.submitted),
    ):
        qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert blocker.args == [42, "old text and more"]
    assert composer.editing is None
    assert composer.toPlainText() == ""
    assert "#general" in composer.placeholderText()
    # The next message is a new one again.
    qtbot.keyClicks(composer, "new")
    with qtbot.waitSignal(composer.submitted, timeout=1000) as sent:
        qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert sent.args == ["new"]


def test_escape_cancels_editing(qtbot: QtBot, composer: Composer) -> None:
    composer.begin_edit(7, "draft")
    with qtbot.assertNotEmitted(composer.edit_submitted):
        qtbot.keyClick(composer, Qt.Key.Key_Escape)
    assert composer.editing is None
    assert composer.toPlainText() == ""
    with qtbot.assertNotEmitted(composer.edit_submitted):
        qtbot.keyClick(composer, Qt.Key.Key_Return)  # empty: nothing to send either


def test_escape_without_an_edit_keeps_the_text(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer, "keep me")
    qtbot.keyClick(composer, Qt.Key.Key_Escape)
    assert composer.toPlainText() == "keep me"


def test_an_edit_emptied_is_not_saved(qtbot: QtBot, composer: Composer) -> None:
    composer.begin_edit(3, "ab")
    qtbot.keyClick(composer, Qt.Key.Key_Backspace)
    qtbot.keyClick(composer, Qt.Key.Key_Backspace)
    with qtbot.assertNotEmitted(composer.edit_submitted):
        qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert composer.editing == 3


def test_up_while_editing_does_not_ask_again(qtbot: QtBot, composer: Composer) -> None:
    composer.begin_edit(3, "x")
    composer.clear()
    with qtbot.assertNotEmitted(composer.edit_last_requested):
        qtbot.keyClick(composer, Qt.Key.Key_Up)


def test_switching_rooms_drops_an_edit(qtbot: QtBot, composer: Composer) -> None:
    composer.begin_edit(3, "x")
    composer.set_room("random")
    assert composer.editing is None
    assert composer.toPlainText() == ""


# ------------------------------------------------------------------------------- typing


def test_typing_is_reported_at_most_once_per_interval(
    qtbot: QtBot, composer: Composer, clock: FakeClock
) -> None:
    reports: list[float] = []
    composer.typing.connect(lambda: reports.append(clock.now))
    with qtbot.waitSignal(composer.typing, timeout=1000):
        qtbot.keyClick(composer, Qt.Key.Key_H)
    for char in "ello, this is a long sentence":
        clock.advance(0.05)
        qtbot.keyClicks(composer, char)
    assert len(reports) == 1
    clock.advance(TYPING_INTERVAL)  # time passes; the next keystroke reports again
    with qtbot.waitSignal(composer.typing, timeout=1000):
        qtbot.keyClicks(composer, "!")
    qtbot.keyClicks(composer, "!!!")
    assert len(reports) == 2
    assert reports[1] - reports[0] >= TYPING_INTERVAL


def test_a_burst_of_keystrokes_is_one_report(
    qtbot: QtBot, composer: Composer, clock: FakeClock
) -> None:
    reports: list[None] = []
    composer.typing.connect(lambda: reports.append(None))
    qtbot.keyClicks(composer, "x" * 200)  # no time passes at all
    assert len(reports) == 1


def test_just_under_the_interval_is_still_quiet(
    qtbot: QtBot, composer: Composer, clock: FakeClock
) -> None:
    reports: list[None] = []
    composer.typing.connect(lambda: reports.append(None))
    qtbot.keyClicks(composer, "a")
    clock.advance(TYPING_INTERVAL - 0.01)
    qtbot.keyClicks(composer, "b")
    assert len(reports) == 1
    clock.advance(0.01)
    qtbot.keyClicks(composer, "c")
    assert len(reports) == 2


def test_sending_clearing_and_editing_are_not_typing(
    qtbot: QtBot, composer: Composer, clock: FakeClock
) -> None:
    qtbot.keyClicks(composer, "hi")
    clock.advance(TYPING_INTERVAL)
    with qtbot.assertNotEmitted(composer.typing):
        qtbot.keyClick(composer, Qt.Key.Key_Return)  # the box is cleared: not typing
    clock.advance(TYPING_INTERVAL)
    with qtbot.assertNotEmitted(composer.typing):
        composer.begin_edit(5, "an edit is not announced")
        qtbot.keyClicks(composer, " more")
