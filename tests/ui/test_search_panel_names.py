"""The search panel names a direct message by its people, never by its ``dm-…`` name."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktopchat.client.search import SearchHit
from desktopchat.ui.search_panel import SearchPanel
from desktopchat.ui.search_rows import heading
from tests.ui.conftest import QT_CLEAN, message

pytestmark = QT_CLEAN

DM = "dm-17f8af97ad4a7f763f0d1c2b3a4e5f60"


def label(room: str) -> str:
    return "@ Bob Builder" if room == DM else f"#{room}"


def test_the_scope_and_the_field_say_whom_a_dm_is_with(qtbot: QtBot) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    panel = SearchPanel(host)
    panel.model.room_label = label
    panel.open(DM, DM)
    assert panel.scope.text() == "Only @ Bob Builder"
    assert panel.field.placeholderText() == "Search @ Bob Builder"
    panel.set_current_room("general")
    assert panel.scope.text() == "Only #general"


def test_a_result_from_a_dm_is_headed_by_its_people() -> None:
    hit = SearchHit(message(1, text="psst", room=DM), ((0, 4),))
    assert heading(hit, label).startswith("@ Bob Builder · Bob")
    assert DM not in heading(hit, label)
    assert heading(SearchHit(message(2, room="ops"), ())).startswith("#ops · ")


def test_a_narrow_result_keeps_its_time_and_elides_the_names(qtbot: QtBot) -> None:
    """In a narrow panel "#general · Carol Tester · 15…" lost the time: the time stays
    whole and the room and author are cut with "…" instead."""
    from PySide6.QtGui import QFont, QFontMetrics

    from desktopchat.ui.search_rows import fitted_heading, heading_parts

    hit = SearchHit(message(1, room="release-planning-for-the-next-quarter"), ())
    parts = heading_parts(hit)
    metrics = QFontMetrics(QFont())
    whole = fitted_heading(parts, metrics, 2000)
    assert whole == heading(hit)
    narrow = fitted_heading(parts, metrics, metrics.horizontalAdvance(whole) // 2)
    assert narrow.endswith(f" · {parts[1]}")
    assert "…" in narrow
    assert metrics.horizontalAdvance(narrow) <= metrics.horizontalAdvance(whole) // 2 + 1
