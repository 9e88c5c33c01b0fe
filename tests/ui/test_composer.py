"""The compose box, driven by key presses and clicks as a person types."""

from __future__ import annotations

import itertools

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from desktopchat.ui import theme
from desktopchat.ui.composer import TYPING_INTERVAL, Composer
from desktopchat.ui.composer_box import ComposerBox
from desktopchat.ui.emoji_picker import COMMON, emoji_name
from desktopchat.ui.theme import Size
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


@pytest.mark.parametrize("fits", ["all", "the room", "less"])
def test_the_placeholder_keeps_to_one_line_at_any_width(
    qtbot: QtBot, composer: Composer, fits: str
) -> None:
    """Qt wraps a placeholder, and the box is one line high: the second line showed cut in
    half. Where the whole hint does not fit, the box names the room alone, elided if need
    be; the keys stay in its accessible description."""
    composer.set_room("design-team")
    whole = "Message #design-team — Enter to send, Shift+Enter for a new line"
    metrics = composer.fontMetrics()
    margins = composer.width() - composer.viewport().width()
    edge = 2 * round(composer.document().documentMargin()) + 4
    widths = {
        "all": metrics.horizontalAdvance(whole) + 40,
        "the room": metrics.horizontalAdvance(whole) // 2 + 20,
        "less": metrics.horizontalAdvance("Message #des"),
    }
    composer.resize(widths[fits] + margins + edge, composer.sizeHint().height())
    composer.show()
    qtbot.waitExposed(composer)
    shown = composer.placeholderText()
    room = composer.viewport().width() - 2 * round(composer.document().documentMargin())
    assert metrics.horizontalAdvance(shown) <= room
    assert {"all": shown == whole, "the room": shown == "Message #design-team"}.get(
        fits, shown.startswith("Message #") and shown.endswith("…")
    ), shown
    assert "Enter to send" in composer.accessibleDescription()
    composer.begin_edit(7, "")
    assert metrics.horizontalAdvance(composer.placeholderText()) <= room
    assert composer.placeholderText().startswith("Editing")


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


# --------------------------------------------------------------- what the box shows


@pytest.fixture
def box(qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, clock: FakeClock) -> ComposerBox:
    use_clock(monkeypatch, "desktopchat.ui.composer", clock)
    widget = ComposerBox()
    widget.editor.set_room("general")
    widget.resize(640, 400)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    widget.editor.setFocus()
    qtbot.waitUntil(widget.editor.hasFocus, timeout=1000)
    return widget


def test_the_field_grows_line_by_line_then_scrolls(qtbot: QtBot, box: ComposerBox) -> None:
    editor = box.editor
    heights = [editor.height()]
    for _ in range(Size.COMPOSER_LINES + 3):
        qtbot.keyClicks(editor, "a line")
        qtbot.keyClick(editor, Qt.Key.Key_Return, SHIFT)
        heights.append(editor.height())
    growing = heights[: Size.COMPOSER_LINES]
    assert all(b > a for a, b in itertools.pairwise(growing)), heights
    assert heights[Size.COMPOSER_LINES - 1] == max(heights)
    assert set(heights[Size.COMPOSER_LINES - 1 :]) == {max(heights)}, heights
    assert editor.verticalScrollBar().maximum() > 0  # the rest scrolls
    assert box.frame.height() > editor.height()  # the frame holds it, growing with it
    one_line = heights[0]
    editor.clear()
    qtbot.waitUntil(lambda: editor.height() == one_line, timeout=1000)


def test_one_line_shows_whole_without_a_scroll_bar(box: ComposerBox) -> None:
    box.editor.setPlainText("hello")
    assert box.editor.verticalScrollBar().maximum() == 0
    assert box.editor.lines == 1


def test_a_long_line_wraps_and_grows_the_field(qtbot: QtBot, box: ComposerBox) -> None:
    one_line = box.editor.height()
    box.editor.setPlainText("word " * 60)
    qtbot.waitUntil(lambda: box.editor.lines > 1, timeout=1000)
    assert box.editor.height() > one_line
    assert box.editor.horizontalScrollBar().maximum() == 0


def test_the_editing_bar_shows_while_editing(qtbot: QtBot, box: ComposerBox) -> None:
    assert not box.editing_bar.isVisible()
    box.editor.begin_edit(9, "old words")
    assert box.editing_bar.isVisible()
    assert box.editing_bar.label.text() == "Editing message · Esc to cancel"
    assert box.editing_bar.geometry().bottom() < box.frame.geometry().top()  # above the field
    qtbot.keyClick(box.editor, Qt.Key.Key_Escape)
    assert not box.editing_bar.isVisible()
    assert box.editor.editing is None


def test_the_editing_bar_cancel_button_cancels(qtbot: QtBot, box: ComposerBox) -> None:
    box.editor.begin_edit(9, "old words")
    with qtbot.assertNotEmitted(box.editor.edit_submitted):
        qtbot.mouseClick(box.editing_bar.cancel, Qt.MouseButton.LeftButton)
    assert not box.editing_bar.isVisible()
    assert box.editor.toPlainText() == ""
    assert box.editor.hasFocus()


def test_saving_an_edit_hides_the_bar(qtbot: QtBot, box: ComposerBox) -> None:
    box.editor.begin_edit(9, "old words")
    with qtbot.waitSignal(box.editor.edit_submitted, timeout=1000):
        qtbot.keyClick(box.editor, Qt.Key.Key_Return)
    assert not box.editing_bar.isVisible()


def test_a_revision_says_what_it_is(box: ComposerBox) -> None:
    box.editor.begin_revise("c-1", "not sent")
    assert box.editing_bar.isVisible()
    assert "not sent" in box.editing_bar.label.text()


@pytest.mark.usefixtures("restore_theme")
def test_the_counter_shows_only_near_the_limit_and_turns_red_over_it(
    qtbot: QtBot, box: ComposerBox
) -> None:
    theme.apply("light")
    box.editor.set_limit(1000)
    box.editor.setPlainText("x" * 500)  # far from it: no counter
    assert not box.counter.isVisible()
    box.editor.setPlainText("x" * 850)  # 85 %: still quiet
    assert not box.counter.isVisible()
    box.editor.setPlainText("x" * 950)  # the last 10 %: how much is left
    assert box.counter.isVisible()
    assert box.counter.text() == "50 bytes left"
    assert not box.counter.over
    assert danger_pixels(box) == 0
    box.editor.setPlainText("x" * 1001)
    assert box.counter.text() == "1 byte too long to send"
    box.editor.setPlainText("x" * 3500)
    assert box.counter.text() == "2,500 bytes too long to send"
    assert box.counter.over
    assert danger_pixels(box) > 0  # the person sees it in the danger colour
    assert not box.send_button.isEnabled()
    with qtbot.assertNotEmitted(box.editor.submitted):
        qtbot.keyClick(box.editor, Qt.Key.Key_Return)
    box.editor.setPlainText("x" * 10)
    assert not box.counter.isVisible()
    assert box.send_button.isEnabled()


def danger_pixels(box: ComposerBox) -> int:
    image = box.counter.grab().toImage()
    danger = QColor(theme.colours().danger).rgb()
    return sum(
        1
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).rgb() == danger
    )


def test_no_limit_no_counter(box: ComposerBox) -> None:
    box.editor.set_limit(None)
    box.editor.setPlainText("x" * 20_000)  # far over any limit the relay would set
    assert not box.counter.isVisible()


#: A popup on the offscreen platform: it cannot raise it or grab the keyboard (the keys are
#: sent to the grid directly here).
POPUP = pytest.mark.qt_log_ignore(
    r"This plugin does not support propagateSizeHints\(\)",
    r"This plugin does not support raise\(\)",
    r"This plugin does not support grabbing the keyboard",
)


def test_the_attach_and_emoji_buttons_match(qtbot: QtBot, box: ComposerBox) -> None:
    """Two line icons of one size, side by side on one line (the colour emoji glyph sat
    smaller and lower than the paperclip)."""
    box.resize(600, box.sizeHint().height())
    box.show()
    qtbot.waitExposed(box)
    attach, emoji = box.attach_button, box.emoji_button
    assert emoji.text() == ""
    assert not emoji.icon().isNull()
    assert emoji.accessibleName() == "Insert an emoji"
    assert emoji.iconSize() == attach.iconSize()
    assert emoji.geometry().size() == attach.geometry().size()
    assert emoji.geometry().top() == attach.geometry().top()


@POPUP
def test_an_emoji_is_typed_at_the_cursor(qtbot: QtBot, box: ComposerBox) -> None:
    qtbot.keyClicks(box.editor, "see you ")
    qtbot.keyClicks(box.editor, "soon")
    for _ in range(4):
        qtbot.keyClick(box.editor, Qt.Key.Key_Left)  # the cursor before "soon"
    qtbot.mouseClick(box.emoji_button, Qt.MouseButton.LeftButton)
    picker = box.picker
    assert picker is not None
    qtbot.waitUntil(picker.isVisible, timeout=1000)
    assert picker.grid.count() == len(COMMON)
    qtbot.keyClick(picker.grid, Qt.Key.Key_Right)  # keyboard navigable: the second emoji
    qtbot.keyClick(picker.grid, Qt.Key.Key_Down)  # and the one under it
    chosen = picker.grid.currentItem().text()
    assert chosen == COMMON[1 + Size.EMOJI_COLUMNS]
    qtbot.keyClick(picker.grid, Qt.Key.Key_Return)
    assert not picker.isVisible()
    assert box.editor.toPlainText() == f"see you {chosen}soon"
    qtbot.waitUntil(box.editor.hasFocus, timeout=1000)


@POPUP
def test_esc_closes_the_emoji_grid_without_typing(qtbot: QtBot, box: ComposerBox) -> None:
    picker = box.show_emoji()
    qtbot.waitUntil(picker.isVisible, timeout=1000)
    qtbot.keyClick(picker.grid, Qt.Key.Key_Escape)
    assert not picker.isVisible()
    assert box.editor.toPlainText() == ""


def test_every_emoji_has_a_name_for_screen_readers() -> None:
    names = [emoji_name(e) for e in COMMON]
    assert emoji_name("👍") == "Thumbs up sign"
    assert all(name and name not in COMMON for name in names)


def test_the_send_button_sends(qtbot: QtBot, box: ComposerBox) -> None:
    assert not box.send_button.isEnabled()  # nothing to send yet
    qtbot.keyClicks(box.editor, "by mouse")
    assert box.send_button.isEnabled()
    with qtbot.waitSignal(box.editor.submitted, timeout=1000) as blocker:
        qtbot.mouseClick(box.send_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["by mouse"]
    assert box.editor.toPlainText() == ""


def test_the_frame_shows_the_focus(qtbot: QtBot, box: ComposerBox) -> None:
    assert box.frame.property("focused") is True
    box.emoji_button.setFocus()
    qtbot.waitUntil(lambda: box.frame.property("focused") is False, timeout=1000)


def test_disabling_the_field_disables_its_buttons(box: ComposerBox) -> None:
    box.editor.setPlainText("text")
    box.editor.setEnabled(False)
    assert not box.send_button.isEnabled()
    assert not box.emoji_button.isEnabled()
    box.editor.setEnabled(True)
    assert box.send_button.isEnabled()
    assert box.emoji_button.isEnabled()
