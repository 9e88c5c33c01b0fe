"""Fuzzy matching for Ctrl+K: the letters in order; the start and word starts first."""

from __future__ import annotations

import pytest

from desktopchat.ui.fuzzy import match, normalise_query, rank

ROOMS = ["general", "random", "dev-ops", "design", "gen-z", "agenda", "engineering"]


def ranked(query: str, names: list[str] = ROOMS) -> list[str]:
    return [name for name, _ in rank(query, names, lambda n: n)]


def test_the_letters_in_order_find_the_room() -> None:
    assert ranked("gnrl") == ["general"]
    found = match("gnrl", "general")
    assert found is not None
    assert found.positions == (0, 2, 4, 6)


@pytest.mark.parametrize("query", ["lrng", "xyz", "generals", "gg"])
def test_letters_missing_or_out_of_order_do_not_match(query: str) -> None:
    assert match(query, "general") is None


def test_a_prefix_comes_before_the_same_letters_in_the_middle() -> None:
    assert ranked("gen")[:3] == ["gen-z", "general", "agenda"]


def test_word_starts_beat_letters_inside_a_word() -> None:
    assert ranked("do") == ["dev-ops", "random"]
    found = match("do", "dev-ops")
    assert found is not None
    assert found.positions == (0, 4)  # the o of "ops", not a later o


def test_case_spaces_and_a_sigil_are_ignored() -> None:
    assert normalise_query(" #Dev Ops ") == "devops"
    assert ranked("#DEV OPS") == ["dev-ops"]
    assert ranked("@ran") == ["random"]


def test_an_empty_query_keeps_every_name_in_its_order() -> None:
    assert ranked("") == sorted(ROOMS)  # equal scores: by name
    assert match("", "general") == match("  ", "x")


def test_camel_case_humps_count_as_word_starts() -> None:
    assert ranked("qp", ["quarterlyPlanning", "quip"]) == ["quarterlyPlanning", "quip"]
