"""The message list model: one room's stored messages, then its outbox, checked by Qt's tester.

``qtmodeltester.check`` stays attached to the model for the rest of the test, so every
insert, removal and change made after it is verified against Qt's model contract too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, Qt, QTimer
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Message
from desktopchat.client.outbox import OutboxState
from desktopchat.client.tasks import TaskRunner
from desktopchat.ui.message_model import GROUP_GAP, MessageListModel, Roles
from tests.ui.conftest import BOB, ME, NOON, QT_CLEAN, message, outbox_item

pytestmark = QT_CLEAN


@pytest.fixture
def model(qtbot: QtBot, qtmodeltester: ModelTester) -> MessageListModel:
    """An empty model of ``general`` for user ME, watched by Qt's model tester."""
    model = MessageListModel("general", ME.id)
    qtmodeltester.check(model)
    return model


def loaded(model: MessageListModel, messages: list[Message]) -> None:
    """Add ``messages`` and insert them now (as the controller does with cached history)."""
    model.add(messages)
    model.flush()


def texts(model: MessageListModel) -> list[str]:
    return [model.row(r).text for r in range(model.rowCount())]


def ids(model: MessageListModel) -> list[int | str]:
    """Message ids, and outbox client ids, in row order."""
    return [
        getattr(model.row(r), "id", None) or model.row(r).client_id for r in range(model.rowCount())
    ]


def role(model: MessageListModel, which: Any) -> list[Any]:
    return [model.index(r).data(which) for r in range(model.rowCount())]


class Recorder:
    """rowsInserted / rowsRemoved / dataChanged of a model, as ``(first, last)`` rows."""

    def __init__(self, model: MessageListModel) -> None:
        self.inserted: list[tuple[int, int]] = []
        self.removed: list[tuple[int, int]] = []
        self.changed: list[tuple[int, int]] = []
        model.rowsInserted.connect(lambda _p, first, last: self.inserted.append((first, last)))
        model.rowsRemoved.connect(lambda _p, first, last: self.removed.append((first, last)))
        model.dataChanged.connect(
            lambda top, bottom, _roles=(): self.changed.append((top.row(), bottom.row()))
        )


# -------------------------------------------------------------------------- the tester


def test_the_model_passes_qt_s_tester_through_every_kind_of_change(
    qtbot: QtBot, qtmodeltester: ModelTester
) -> None:
    model = MessageListModel("general", ME.id)
    qtmodeltester.check(model)
    with qtbot.waitSignal(model.batch_inserted):
        model.add([message(i) for i in range(10, 20)])
    qtmodeltester.check(model)
    model.prepend([message(i) for i in range(5, 10)], has_more=True)
    qtmodeltester.check(model)
    model.replace(message(12, text="edited", edited=True))
    model.replace(message(13, deleted=True))
    qtmodeltester.check(model)
    model.set_outbox_item(outbox_item("dc-1"))
    model.set_outbox_item(outbox_item("dc-2"))
    model.set_outbox_item(outbox_item("dc-1", state=OutboxState.SENDING))
    model.set_outbox_item(outbox_item("dc-2", state=OutboxState.FAILED, error="too large"))
    qtmodeltester.check(model)
    model.set_outbox_item(outbox_item("dc-1", state=OutboxState.SENT))
    loaded(model, [message(20, author=ME, client_id="dc-1"), message(21, client_id="other")])
    qtmodeltester.check(model)
    assert ids(model) == [*range(5, 22), "dc-2"]


def test_a_list_has_no_children_and_invalid_indexes_have_no_data(model: MessageListModel) -> None:
    loaded(model, [message(1)])
    assert model.rowCount(model.index(0)) == 0
    assert model.index(0).data(Roles.ROW) == message(1)
    assert model.data(QModelIndex(), Qt.ItemDataRole.DisplayRole) is None
    assert model.data(model.index(0), Qt.ItemDataRole.DecorationRole) is None


# ---------------------------------------------------------------------------- batching


def test_a_lone_message_after_a_quiet_frame_is_inserted_at_once(model: MessageListModel) -> None:
    """No frame of delay for the common case: one message, nothing just before it."""
    recorder = Recorder(model)
    model.add([message(1)])
    assert recorder.inserted == [(0, 0)]
    assert not model._flush.isActive()


def test_a_burst_within_one_frame_is_one_insert(qtbot: QtBot, model: MessageListModel) -> None:
    recorder = Recorder(model)
    model.add([message(1)])  # inserted at once (see above); the burst follows within the frame
    with qtbot.waitSignal(model.batch_inserted, timeout=2000) as blocker:
        for i in range(2, 101):
            model.add([message(i)])
        assert model.rowCount() == 1  # the rest wait for the frame's timer
    assert blocker.args == [99]
    assert recorder.inserted == [(0, 0), (1, 99)]
    assert ids(model) == list(range(1, 101))


def test_a_burst_is_prepared_one_event_loop_pass_before_it_is_inserted(
    qtbot: QtBot, model: MessageListModel
) -> None:
    """Measuring a burst's rows and painting them are not one uninterrupted stretch of
    work: input and timers run between the two."""
    recorder = Recorder(model)
    model.add([message(1)])
    seen: list[tuple[list[int], int]] = []
    ran_between: list[int] = []

    def prepare(batch: list[Message]) -> None:
        seen.append(([m.id for m in batch], model.rowCount()))
        QTimer.singleShot(0, lambda: ran_between.append(model.rowCount()))

    model.prepare_batch = prepare
    with qtbot.waitSignal(model.batch_inserted, timeout=2000) as blocker:
        for i in range(2, 101):
            model.add([message(i)])
    assert seen == [(list(range(2, 101)), 1)]  # before the rows were inserted
    assert ran_between == [1]  # the event loop had a pass before they were
    assert blocker.args == [99]
    assert recorder.inserted == [(0, 0), (1, 99)]


def test_what_arrives_after_the_prepare_waits_for_the_next_frame(
    qtbot: QtBot, model: MessageListModel
) -> None:
    model.add([message(1)])
    prepared: list[list[int]] = []

    def prepare(batch: list[Message]) -> None:
        prepared.append([m.id for m in batch])
        if len(prepared) == 1:
            model.add([message(10)])  # arrives while the frame is being prepared

    model.prepare_batch = prepare
    with qtbot.waitSignal(model.batch_inserted, timeout=2000) as first:
        model.add([message(i) for i in range(2, 10)])
    assert first.args == [8]  # what was measured, not the late one
    assert ids(model) == list(range(1, 10))
    with qtbot.waitSignal(model.batch_inserted, timeout=2000) as second:
        pass
    assert second.args == [1]
    assert ids(model) == list(range(1, 11))
    assert prepared == [list(range(2, 10))]  # one message alone is not a burst


def test_the_next_frame_appends_a_new_batch(qtbot: QtBot, model: MessageListModel) -> None:
    loaded(model, [message(i) for i in range(1, 4)])
    recorder = Recorder(model)
    with qtbot.waitSignal(model.batch_inserted) as blocker:
        model.add([message(4), message(5)])
        model.add([message(6)])
    assert blocker.args == [3]
    assert recorder.inserted == [(3, 5)]
    assert ids(model) == [1, 2, 3, 4, 5, 6]


def test_flush_inserts_at_once_and_stops_the_timer(qtbot: QtBot, model: MessageListModel) -> None:
    model.add([message(1)])
    model.add([message(2)])  # within the frame: waits for the timer
    assert model._flush.isActive()
    with qtbot.waitSignal(model.batch_inserted) as blocker:
        model.flush()
    assert blocker.args == [1]
    assert model.rowCount() == 2
    assert not model._flush.isActive()  # the frame's timer will not insert (nothing) again


def test_messages_already_shown_or_older_are_ignored(qtbot: QtBot, model: MessageListModel) -> None:
    loaded(model, [message(i) for i in range(1, 6)])
    recorder = Recorder(model)
    with qtbot.assertNotEmitted(model.batch_inserted):
        model.add([message(3), message(4), message(5)])
        model.add([message(2)])
        model.flush()
    assert recorder.inserted == []
    assert ids(model) == [1, 2, 3, 4, 5]
    with qtbot.waitSignal(model.batch_inserted) as blocker:
        model.add([message(4), message(5), message(6), message(7)])
    assert blocker.args == [2]
    assert ids(model) == [1, 2, 3, 4, 5, 6, 7]


def test_the_same_message_twice_within_one_frame_is_one_row(
    qtbot: QtBot, model: MessageListModel
) -> None:
    """A live event and a catch-up page may both carry a message; it is shown once."""
    loaded(model, [message(1)])
    with qtbot.waitSignal(model.batch_inserted) as blocker:
        model.add([message(2), message(3)])
        model.add([message(3), message(4)])
    assert ids(model) == [1, 2, 3, 4]
    assert blocker.args == [3]
    assert model.row_of(4) == 3


# ------------------------------------------------------------------------------ prepend


def test_older_history_is_prepended_in_order(qtbot: QtBot, model: MessageListModel) -> None:
    loaded(model, [message(i) for i in range(50, 53)])
    recorder = Recorder(model)
    model.prepend([message(i) for i in range(40, 50)], has_more=True)
    assert ids(model) == list(range(40, 53))
    assert recorder.inserted == [(0, 9)]
    assert model.first_id() == 40
    assert model.has_older is True
    model.prepend([message(i) for i in range(1, 40)], has_more=False)
    assert ids(model) == list(range(1, 53))
    assert model.has_older is False
    assert model.first_id() == 1


def test_prepend_keeps_only_what_is_older_than_the_first_row(model: MessageListModel) -> None:
    loaded(model, [message(i) for i in range(10, 13)])
    model.prepend([message(i) for i in range(8, 12)], has_more=True)
    assert ids(model) == [8, 9, 10, 11, 12]


def test_an_empty_page_still_says_whether_more_is_older(model: MessageListModel) -> None:
    loaded(model, [message(5)])
    recorder = Recorder(model)
    model.prepend([], has_more=False)
    assert model.has_older is False
    assert recorder.inserted == []


def test_prepend_refreshes_the_former_first_row(qtbot: QtBot, model: MessageListModel) -> None:
    """The old first row had a header only for being first; now it joins its author's group."""
    loaded(model, [message(10, at=NOON + timedelta(minutes=1))])
    assert model.index(0).data(Roles.SHOW_HEADER) is True
    recorder = Recorder(model)
    model.prepend([message(9, at=NOON)], has_more=False)
    assert (1, 1) in recorder.changed
    assert role(model, Roles.SHOW_HEADER) == [True, False]
    assert role(model, Roles.DAY) == [NOON.date(), None]


# ------------------------------------------------------------------- headers and days


def test_headers_group_one_author_within_five_minutes(model: MessageListModel) -> None:
    start = NOON
    loaded(
        model,
        [
            message(1, at=start),
            message(2, at=start + timedelta(minutes=1)),
            message(3, at=start + timedelta(minutes=1) + GROUP_GAP),  # exactly the gap
            message(4, at=start + timedelta(minutes=1) + GROUP_GAP + GROUP_GAP),
            message(5, at=start + timedelta(minutes=2) + 2 * GROUP_GAP),  # a minute later
            message(6, author=ME, at=start + timedelta(minutes=3) + 2 * GROUP_GAP),
            message(7, author=ME, at=start + timedelta(minutes=4) + 2 * GROUP_GAP),
            message(8, at=start + timedelta(minutes=5) + 2 * GROUP_GAP),
        ],
    )
    assert role(model, Roles.SHOW_HEADER) == [True, False, False, False, False, True, False, True]
    assert role(model, Roles.DAY) == [start.date(), *[None] * 7]


def test_a_gap_of_more_than_five_minutes_starts_a_new_header(model: MessageListModel) -> None:
    loaded(
        model,
        [message(1, at=NOON), message(2, at=NOON + GROUP_GAP + timedelta(seconds=1))],
    )
    assert role(model, Roles.SHOW_HEADER) == [True, True]


def test_a_new_day_gets_a_separator_and_a_header(model: MessageListModel) -> None:
    before_midnight = datetime(2026, 3, 10, 23, 59).astimezone()
    after_midnight = datetime(2026, 3, 11, 0, 1).astimezone()
    loaded(
        model,
        [
            message(1, at=before_midnight - timedelta(minutes=1)),
            message(2, at=before_midnight),
            message(3, at=after_midnight),  # two minutes later, same author: still a new day
            message(4, at=after_midnight + timedelta(minutes=1)),
        ],
    )
    assert role(model, Roles.DAY) == [before_midnight.date(), None, after_midnight.date(), None]
    assert role(model, Roles.SHOW_HEADER) == [True, False, True, False]


def test_display_text_names_the_author_time_and_state(model: MessageListModel) -> None:
    loaded(
        model,
        [
            message(1, text="hello"),
            message(2, text="fixed", edited=True),
            message(3, deleted=True),
        ],
    )
    model.set_outbox_item(outbox_item("dc-1", text="on its way"))
    shown = role(model, Qt.ItemDataRole.DisplayRole)
    assert shown[0] == f"Bob, {message(1).sent_at:%H:%M}: hello"
    assert shown[1] == f"Bob, {message(2).sent_at:%H:%M} (edited): fixed"
    assert shown[2] == "Bob: message deleted"
    assert shown[3] == "You (pending): on its way"
    assert role(model, Qt.ItemDataRole.AccessibleTextRole) == shown


def test_own_rows_are_marked(model: MessageListModel) -> None:
    loaded(model, [message(1), message(2, author=ME)])
    model.set_outbox_item(outbox_item("dc-1"))
    assert role(model, Roles.OWN) == [False, True, True]
    assert role(model, Roles.STATE) == ["sent", "sent", "pending"]


# -------------------------------------------------------------------------------- outbox


def test_outbox_items_come_after_the_messages_with_their_state(
    qtbot: QtBot, model: MessageListModel
) -> None:
    loaded(model, [message(1), message(2)])
    with qtbot.waitSignal(model.batch_inserted) as blocker:
        model.set_outbox_item(outbox_item("dc-1", "first"))
    assert blocker.args == [1]
    model.set_outbox_item(outbox_item("dc-2", "second"))
    assert ids(model) == [1, 2, "dc-1", "dc-2"]
    assert role(model, Roles.STATE)[2:] == ["pending", "pending"]
    # A message from someone else lands above the outbox, not below it.
    loaded(model, [message(3)])
    assert ids(model) == [1, 2, 3, "dc-1", "dc-2"]


def test_an_outbox_item_changes_state_in_place(qtbot: QtBot, model: MessageListModel) -> None:
    loaded(model, [message(1)])
    model.set_outbox_item(outbox_item("dc-1"))
    recorder = Recorder(model)
    model.set_outbox_item(outbox_item("dc-1", state=OutboxState.SENDING))
    assert recorder.changed == [(1, 1)]
    assert model.index(1).data(Roles.STATE) == "sending"
    model.set_outbox_item(outbox_item("dc-1", state=OutboxState.FAILED, error="too large"))
    assert model.index(1).data(Roles.STATE) == "failed"
    assert model.row(1).error == "too large"
    assert recorder.inserted == []
    assert model.rowCount() == 2


def test_sent_first_then_the_stored_message(qtbot: QtBot, model: MessageListModel) -> None:
    """The relay answered: the row stays (never blinks out) until the stored message
    takes its place."""
    loaded(model, [message(1)])
    model.set_outbox_item(outbox_item("dc-1", "hello"))
    recorder = Recorder(model)
    model.set_outbox_item(outbox_item("dc-1", "hello", state=OutboxState.SENT))
    assert recorder.removed == []
    assert ids(model) == [1, "dc-1"]
    assert texts(model) == ["message 1", "hello"]
    loaded(model, [message(2, author=ME, text="hello", client_id="dc-1")])
    assert recorder.removed == [(2, 2)]  # after the stored row went in above it
    assert ids(model) == [1, 2]
    assert texts(model) == ["message 1", "hello"]


def test_a_discarded_message_leaves_the_room(qtbot: QtBot, model: MessageListModel) -> None:
    loaded(model, [message(1)])
    model.set_outbox_item(outbox_item("dc-1", "oops", state=OutboxState.FAILED, error="no"))
    assert ids(model) == [1, "dc-1"]
    model.set_outbox_item(outbox_item("dc-1", "oops", state=OutboxState.DISCARDED))
    assert ids(model) == [1]


def test_the_stored_message_first_then_sent(qtbot: QtBot, model: MessageListModel) -> None:
    """The live event can beat the HTTP answer: the pending row goes when the message comes."""
    loaded(model, [message(1)])
    model.set_outbox_item(outbox_item("dc-1", "hello"))
    recorder = Recorder(model)
    with qtbot.waitSignal(model.batch_inserted):
        model.add([message(2, author=ME, text="hello", client_id="dc-1")])
    assert recorder.removed == [(2, 2)]  # after the stored row went in above it
    assert ids(model) == [1, 2]
    model.set_outbox_item(outbox_item("dc-1", "hello", state=OutboxState.SENT))
    assert ids(model) == [1, 2]
    # A late state change of the delivered item does not bring its row back.
    model.set_outbox_item(outbox_item("dc-1", "hello", state=OutboxState.SENDING))
    assert ids(model) == [1, 2]
    assert recorder.inserted == [(1, 1)]


def test_only_the_delivered_item_leaves_the_outbox(model: MessageListModel) -> None:
    model.set_outbox_item(outbox_item("dc-1", "one"))
    model.set_outbox_item(outbox_item("dc-2", "two"))
    model.set_outbox_item(outbox_item("dc-3", "three"))
    loaded(model, [message(1, author=ME, text="two", client_id="dc-2")])
    assert ids(model) == [1, "dc-1", "dc-3"]
    assert role(model, Roles.STATE) == ["sent", "pending", "pending"]


def test_the_first_outbox_item_after_someone_else_has_a_header(model: MessageListModel) -> None:
    loaded(model, [message(1)])
    model.set_outbox_item(outbox_item("dc-1"))
    model.set_outbox_item(outbox_item("dc-2"))
    assert role(model, Roles.SHOW_HEADER) == [True, True, False]
    assert role(model, Roles.DAY) == [NOON.date(), None, None]


def test_an_outbox_item_after_your_own_message_joins_it(model: MessageListModel) -> None:
    loaded(model, [message(1, author=ME)])
    model.set_outbox_item(outbox_item("dc-1"))
    assert role(model, Roles.SHOW_HEADER) == [True, False]


# ----------------------------------------------------------------- lookups and replace


def test_row_of_finds_loaded_messages(model: MessageListModel) -> None:
    loaded(model, [message(i) for i in (3, 5, 8)])
    assert [model.row_of(i) for i in (3, 5, 8)] == [0, 1, 2]
    assert [model.row_of(i) for i in (1, 4, 9)] == [None, None, None]
    model.prepend([message(1), message(2)], has_more=False)
    assert model.row_of(8) == 4
    assert model.row_of(1) == 0


def test_row_of_ignores_outbox_items(model: MessageListModel) -> None:
    model.set_outbox_item(outbox_item("dc-1"))
    assert model.row_of(1) is None


def test_replace_updates_a_loaded_message(qtbot: QtBot, model: MessageListModel) -> None:
    loaded(model, [message(1), message(2), message(3)])
    recorder = Recorder(model)
    edited = message(2, text="better", edited=True)
    model.replace(edited)
    assert recorder.changed == [(1, 1)]
    assert model.index(1).data(Roles.ROW) == edited
    model.replace(message(9, text="never loaded"))
    assert recorder.changed == [(1, 1)]
    assert ids(model) == [1, 2, 3]


def test_last_own_message_skips_deleted_ones_and_others(model: MessageListModel) -> None:
    assert model.last_own_message() is None
    loaded(model, [message(1, author=ME, text="mine"), message(2, author=ME), message(3)])
    assert model.last_own_message() == message(2, author=ME)
    model.replace(message(2, author=ME, deleted=True))
    assert model.last_own_message() == message(1, author=ME, text="mine")
    model.set_outbox_item(outbox_item("dc-1", "not stored yet"))
    assert model.last_own_message() == message(1, author=ME, text="mine")
    model.replace(message(1, author=ME, deleted=True))
    assert model.last_own_message() is None


def test_first_id_of_an_empty_model(model: MessageListModel) -> None:
    assert model.first_id() is None
    assert model.has_older is True
    assert model.rowCount() == 0


def test_trimming_keeps_the_newest_rows_and_marks_older_ones_loadable(
    qtmodeltester: ModelTester, model: MessageListModel
) -> None:
    loaded(model, [message(i) for i in range(1, 21)])
    model.has_older = False
    model.trim_oldest(5)
    assert ids(model) == list(range(16, 21))
    assert model.has_older  # scrolling up brings the rest back
    assert model.first_id() == 16
    assert model.row_of(15) is None
    assert model.shows_header(0)
    assert model.day_above(0) is not None
    qtmodeltester.check(model)


def test_a_followed_view_lets_go_of_the_oldest_rows(qtbot: QtBot, model: MessageListModel) -> None:
    from desktopchat.ui import message_view
    from desktopchat.ui.avatars import AvatarCache
    from desktopchat.ui.message_delegate import MessageDelegate

    tasks = TaskRunner()
    try:
        view = message_view.MessageView(MessageDelegate(AvatarCache(Path("/nonexistent"), tasks)))
        qtbot.addWidget(view)
        view.setModel(model)
        loaded(model, [message(i) for i in range(1, message_view.LIVE_ROWS_MAX + 2)])
        # All of them new at once: only the newest that fill the view are kept (a row kept
        # is measured on each insert, and these were never shown): here, offscreen, the
        # view is not shown, so a screen's worth (800 px) of one-line rows.
        assert 1 <= model.rowCount() < message_view.LIVE_ROWS_MAX
        assert ids(model)[-1] == message_view.LIVE_ROWS_MAX + 1
        assert model.has_older
    finally:
        tasks.shutdown()


def test_the_first_unread_of_more_than_are_loaded_is_counted_back_by_id(
    model: MessageListModel,
) -> None:
    """A room opened with 25 unread messages and 10 loaded: the divider goes above id 76
    (ids run 1, 2, 3... in a room), not above the oldest loaded one."""
    loaded(model, [message(i) for i in range(91, 101)])
    assert model.first_unread_of(3) == 98
    assert model.first_unread_of(25) == 76
    assert model.first_unread_of(500) == 1
    mine = MessageListModel("general", ME.id)
    loaded(mine, [message(i, author=ME) for i in range(91, 101)])
    assert mine.first_unread_of(5) == 86  # all of the reader's own loaded: older ones
    mixed = MessageListModel("general", ME.id)
    loaded(mixed, [message(i, author=ME if i <= 95 else BOB) for i in range(91, 101)])
    assert mixed.first_unread_of(8) == 88  # 96-100, then 3 before all that is loaded
    assert MessageListModel("general", ME.id).first_unread_of(5) is None


def test_an_edit_of_a_message_still_buffered_is_what_gets_inserted(
    qtbot: QtBot, model: MessageListModel
) -> None:
    model.add([message(1)])  # at once; the next waits for the frame
    model.add([message(2, text="first words")])
    model.replace(message(2, text="second thoughts", edited=True))
    with qtbot.waitSignal(model.batch_inserted, timeout=2000):
        pass
    record = model.row(1)
    assert isinstance(record, Message)
    assert record.text == "second thoughts"
