"""``@`` completion in the composer, driven by keys and clicks as a person types."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from desktopchat.ui.composer import Composer
from tests.ui.conftest import QT_CLEAN

pytestmark = QT_CLEAN

PEOPLE = {2: "Alice Archer", 3: "Bob Baker", 4: "Bobby Tables"}


@pytest.fixture
def composer(qtbot: QtBot) -> Composer:
    window = QWidget()
    window.resize(600, 300)
    layout = QVBoxLayout(window)
    layout.addStretch(1)
    widget = Composer(window)
    layout.addWidget(widget)
    widget.set_room("general")
    widget.mention_list.set_people(lambda: dict(PEOPLE))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    widget.setFocus()
    widget.test_window = window  # type: ignore[attr-defined]  # keeps the window alive
    return widget


def test_at_opens_the_rooms_people_and_typing_filters_them(
    qtbot: QtBot, composer: Composer
) -> None:
    qtbot.keyClicks(composer, "hi @")
    assert composer.mention_list.visible
    assert sorted(composer.mention_list.shown_names()) == sorted(PEOPLE.values())
    qtbot.keyClicks(composer, "bo")
    assert composer.mention_list.shown_names()[:2] == ["Bob Baker", "Bobby Tables"]
    qtbot.keyClicks(composer, "bt")
    assert composer.mention_list.shown_names() == ["Bobby Tables"]
    qtbot.keyClicks(composer, "zzz")
    assert not composer.mention_list.visible  # nobody matches: nothing in the way


def test_down_and_tab_accept_a_name_and_sending_carries_its_id(
    qtbot: QtBot, composer: Composer
) -> None:
    qtbot.keyClicks(composer, "ask @bo")
    qtbot.keyClick(composer, Qt.Key.Key_Down)
    qtbot.keyClick(composer, Qt.Key.Key_Tab)  # accepts, and the focus stays here
    assert composer.hasFocus()
    assert composer.toPlainText() == "ask @Bobby Tables "
    assert not composer.mention_list.visible
    qtbot.keyClicks(composer, "now")
    text = composer.toPlainText()
    assert composer.mentions_in(text) == (4,)
    with qtbot.waitSignal(composer.submitted, timeout=1000) as sent:
        qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert sent.args == ["ask @Bobby Tables now"]


def test_enter_accepts_instead_of_sending_while_the_list_is_open(
    qtbot: QtBot, composer: Composer
) -> None:
    qtbot.keyClicks(composer, "@ali")
    with qtbot.assertNotEmitted(composer.submitted):
        qtbot.keyClick(composer, Qt.Key.Key_Return)
    assert composer.toPlainText() == "@Alice Archer "


def test_up_wraps_to_the_last_name(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer, "@b")
    qtbot.keyClick(composer, Qt.Key.Key_Up)
    qtbot.keyClick(composer, Qt.Key.Key_Tab)
    assert composer.toPlainText() == "@Bobby Tables "


def test_escape_closes_the_list_and_keeps_the_text(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer, "mail me @al")
    qtbot.keyClick(composer, Qt.Key.Key_Escape)
    assert not composer.mention_list.visible
    assert composer.toPlainText() == "mail me @al"
    assert composer.mentions_in(composer.toPlainText()) == ()


def test_a_click_accepts_a_name(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer, "@")
    names = composer.mention_list.shown_names()
    row = names.index("Bob Baker")
    listing = composer.mention_list.list
    rect = listing.visualItemRect(listing.item(row))
    qtbot.mouseClick(listing.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert composer.toPlainText() == "@Bob Baker "
    assert composer.hasFocus()


def test_a_name_deleted_from_the_text_is_no_mention(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer, "@ali")
    qtbot.keyClick(composer, Qt.Key.Key_Tab)
    composer.setPlainText("never mind")
    assert composer.mentions_in(composer.toPlainText()) == ()


def test_an_at_inside_a_word_is_no_mention(qtbot: QtBot, composer: Composer) -> None:
    qtbot.keyClicks(composer, "me@bo")
    assert not composer.mention_list.visible
