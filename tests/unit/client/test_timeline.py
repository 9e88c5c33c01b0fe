"""RoomTimeline: each message delivered once, in id order, whatever order it arrives in."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

from desktopchat.client.domain import Author, Message
from desktopchat.client.timeline import RoomTimeline

AUTHOR = Author(1, "Alice", "/api/avatars/1.svg")
SENT = datetime(2026, 11, 28, 16, 21, 46, 123000, tzinfo=UTC)


def msg(message_id: int, text: str | None = None) -> Message:
    """Message ``message_id`` of room ``general``."""
    return Message(
        id=message_id,
        room="general",
        client_id=f"c{message_id}",
        author=AUTHOR,
        text=f"message {message_id}" if text is None else text,
        sent_at=SENT,
        edited_at=None,
        deleted=False,
    )


def msgs(*ids: int) -> list[Message]:
    return [msg(i) for i in ids]


def ids(messages: list[Message]) -> list[int]:
    return [m.id for m in messages]


# ------------------------------------------------------------------------------ ordering


def test_in_order_messages_are_delivered_at_once() -> None:
    timeline = RoomTimeline(last_id=0)
    assert ids(timeline.offer(msgs(1))) == [1]
    assert ids(timeline.offer(msgs(2, 3))) == [2, 3]
    assert timeline.last_id == 3
    assert not timeline.has_gap


def test_a_page_given_newest_first_is_delivered_oldest_first() -> None:
    timeline = RoomTimeline(last_id=0)
    assert ids(timeline.offer(msgs(3, 1, 2))) == [1, 2, 3]


def test_the_same_id_twice_is_delivered_once() -> None:
    timeline = RoomTimeline(last_id=0)
    assert ids(timeline.offer(msgs(1, 1))) == [1]
    assert timeline.offer(msgs(1)) == []
    assert ids(timeline.offer(msgs(2))) == [2]


def test_a_replayed_page_is_dropped() -> None:
    timeline = RoomTimeline(last_id=0)
    page = msgs(1, 2, 3, 4)
    assert ids(timeline.offer(page)) == [1, 2, 3, 4]
    assert timeline.offer(page) == []
    # An overlapping page delivers only what is new.
    assert ids(timeline.offer(msgs(3, 4, 5, 6))) == [5, 6]


def test_a_duplicate_of_a_waiting_message_is_held_once() -> None:
    timeline = RoomTimeline(last_id=0)
    assert timeline.offer(msgs(3, 3)) == []
    assert ids(timeline.offer(msgs(1, 2))) == [1, 2, 3]


def test_ids_at_or_below_the_cached_last_id_are_never_delivered() -> None:
    timeline = RoomTimeline(last_id=10)
    assert timeline.offer(msgs(1, 5, 10)) == []
    assert ids(timeline.offer(msgs(11))) == [11]


def test_an_early_arrival_waits_and_shows_a_gap_until_it_is_filled() -> None:
    timeline = RoomTimeline(last_id=0)
    assert ids(timeline.offer(msgs(1))) == [1]
    assert timeline.offer(msgs(4)) == []
    assert timeline.has_gap
    assert timeline.last_id == 1
    assert timeline.offer(msgs(3)) == []
    assert timeline.has_gap
    assert ids(timeline.offer(msgs(2))) == [2, 3, 4]
    assert not timeline.has_gap
    assert timeline.last_id == 4


def test_no_gap_while_everything_offered_was_delivered() -> None:
    timeline = RoomTimeline(last_id=5)
    assert not timeline.has_gap
    timeline.offer(msgs(2))  # old: dropped, not waiting
    assert not timeline.has_gap


# ------------------------------------------------------------------------ unknown base


def test_an_unknown_base_delivers_nothing_until_start_after() -> None:
    timeline = RoomTimeline()
    assert not timeline.based
    assert timeline.last_id is None
    assert timeline.offer(msgs(1, 2, 3)) == []
    assert ids(timeline.start_after(0)) == [1, 2, 3]
    assert timeline.based
    assert timeline.last_id == 3


def test_start_after_drops_waiting_ids_at_or_below_the_base() -> None:
    timeline = RoomTimeline()
    timeline.offer(msgs(3, 5, 6, 8))
    assert ids(timeline.start_after(5)) == [6]
    assert timeline.last_id == 6
    assert timeline.has_gap  # 8 waits for 7
    assert ids(timeline.offer(msgs(4, 5, 7))) == [7, 8]
    assert not timeline.has_gap


def test_start_after_a_base_with_nothing_waiting_delivers_nothing() -> None:
    timeline = RoomTimeline()
    assert timeline.start_after(41) == []
    assert timeline.last_id == 41
    assert ids(timeline.offer(msgs(42))) == [42]


def test_start_after_does_not_move_a_known_base() -> None:
    timeline = RoomTimeline(last_id=3)
    timeline.start_after(10)
    assert timeline.last_id == 3
    assert ids(timeline.offer(msgs(4))) == [4]


# ------------------------------------------------------------------------------- updates


def test_update_of_a_delivered_message_is_returned_to_apply() -> None:
    timeline = RoomTimeline(last_id=0)
    timeline.offer(msgs(1, 2))
    edited = replace(msg(2), text="fixed", edited_at=SENT)
    changed, delivered = timeline.update(edited)
    assert changed == edited
    assert delivered == []
    assert timeline.last_id == 2


def test_update_of_an_undelivered_message_stands_in_for_the_original() -> None:
    timeline = RoomTimeline(last_id=1)
    edited = replace(msg(3), text="fixed", edited_at=SENT)
    changed, delivered = timeline.update(edited)
    assert changed is None
    assert delivered == []
    assert timeline.has_gap
    # The original arrives late (in a history page fetched before the edit): the edit wins.
    got = timeline.offer([msg(2), msg(3)])
    assert ids(got) == [2, 3]
    assert got[1] == edited
    assert got[1].text == "fixed"


def test_update_of_the_next_message_is_delivered_in_its_place() -> None:
    timeline = RoomTimeline(last_id=4)
    deleted = replace(msg(5), text="", deleted=True)
    changed, delivered = timeline.update(deleted)
    assert changed is None
    assert delivered == [deleted]
    assert timeline.offer(msgs(5)) == []  # the original, later: already delivered


def test_update_replaces_a_waiting_original() -> None:
    timeline = RoomTimeline(last_id=0)
    timeline.offer(msgs(2))
    edited = replace(msg(2), text="second version")
    assert timeline.update(edited) == (None, [])
    assert timeline.offer(msgs(1)) == [msg(1), edited]


# ---------------------------------------------------------------- any order, any repeats


def arrivals(rng: random.Random, n: int) -> list[list[Message]]:
    """Messages 1..n cut into random pages and single live events, repeated and shuffled."""
    batches: list[list[Message]] = []
    start = 1
    while start <= n:
        size = rng.randint(1, 6)
        page = msgs(*range(start, min(n, start + size - 1) + 1))
        batches.append(page)
        start += size
    # Live events for random ids, overlapping pages that overlap each other, replays.
    batches += [[msg(rng.randint(1, n))] for _ in range(n // 2)]
    for _ in range(n // 5):
        low = rng.randint(1, n)
        batches.append(msgs(*range(low, min(n, low + rng.randint(0, 8)) + 1)))
    batches += [list(b) for b in rng.sample(batches, len(batches) // 3)]
    rng.shuffle(batches)
    for batch in batches:
        rng.shuffle(batch)
    return batches


SEEDS = range(1000)


def test_any_arrival_order_and_duplication_delivers_1_to_n_once_in_order() -> None:
    for seed in SEEDS:
        rng = random.Random(seed)
        n = rng.randint(1, 60)
        timeline = RoomTimeline(last_id=0)
        delivered: list[Message] = []
        for batch in arrivals(rng, n):
            got = timeline.offer(batch)
            expected = list(range(len(delivered) + 1, len(delivered) + 1 + len(got)))
            assert ids(got) == expected, f"seed {seed}"
            delivered += got
            assert timeline.last_id == len(delivered), f"seed {seed}"
        assert ids(delivered) == list(range(1, n + 1)), f"seed {seed}"
        assert not timeline.has_gap, f"seed {seed}"


def test_any_arrival_order_with_a_late_base_delivers_what_follows_it() -> None:
    for seed in SEEDS:
        rng = random.Random(seed)
        n = rng.randint(1, 60)
        base = rng.randint(0, n)
        batches = arrivals(rng, n)
        based_at = rng.randint(0, len(batches))
        timeline = RoomTimeline()
        delivered: list[Message] = []
        for index, batch in enumerate(batches):
            if index == based_at:
                delivered += timeline.start_after(base)
            delivered += timeline.offer(batch)
        if not timeline.based:
            delivered += timeline.start_after(base)
        assert ids(delivered) == list(range(base + 1, n + 1)), f"seed {seed}"
        assert not timeline.has_gap, f"seed {seed}"
