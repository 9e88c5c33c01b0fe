"""Fuzzy matching for the quick switcher: the letters typed, in order, anywhere in a name.

"gnrl" finds "general"; "do" finds "dev-ops". A name matches when the typed letters are a
subsequence of it (case-insensitive; spaces and a leading ``#`` or ``@`` in the query are
ignored). Among the ways the letters could line up, the best-scoring one is kept, and its
positions are returned so the switcher can highlight them.

Why this scoring: people type the start of a name, or the starts of its words. A match at
the very start earns most, then one at a word's start (after ``-``, ``_``, ``.``, a space or
a lower-to-upper case change), then one right after the previous matched letter; letters
skipped between matches cost a little. So "gen" puts "gen-z" and "general" (prefix) before
"agenda" (middle), and "do" puts "dev-ops" (two word starts) before "random".

Why hand-written: the libraries at hand (rapidfuzz, thefuzz) score edit distance, which
ranks "gnrl" far from "general" and reports no positions to highlight. This is the small
dynamic programme editors' file pickers use, O(len(query) x len(name)).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")

#: Per matched letter.
MATCH = 1.0
#: The first letter of the name.
AT_START = 10.0
#: The first letter of a word inside the name.
AT_WORD = 6.0
#: Right after the previous matched letter.
CONSECUTIVE = 5.0
#: Per letter skipped between two matched letters.
GAP = 0.25
#: Per letter before the first match (so an earlier match wins a tie).
LEADING = 0.05

_SEPARATORS = frozenset(" -_./#@:")
_IGNORED_IN_QUERY = frozenset(" \t")


@dataclass(frozen=True, slots=True)
class Match:
    """How a query matched a name: its score (higher is better) and the matched positions."""

    score: float
    positions: tuple[int, ...]


def normalise_query(query: str) -> str:
    """The query as matched: no spaces, no leading ``#``/``@`` sigil, case-folded."""
    text = query.strip().lstrip("#@")
    return "".join(c for c in text if c not in _IGNORED_IN_QUERY).casefold()


def _bonus(name: str, j: int) -> float:
    if j == 0:
        return AT_START
    before, here = name[j - 1], name[j]
    if before in _SEPARATORS or (before.islower() and here.isupper()):
        return AT_WORD
    return 0.0


def match(query: str, name: str) -> Match | None:
    """How ``query`` matches ``name``, or ``None`` if its letters are not all there in order.

    An empty query matches everything with score 0 and no positions.
    """
    wanted = normalise_query(query)
    if not wanted:
        return Match(0.0, ())
    folded = [c.casefold() for c in name]
    if not _is_subsequence(wanted, folded):
        return None
    n, m = len(wanted), len(name)
    minus = float("-inf")
    # score[i][j]: the best score of wanted[:i + 1] with wanted[i] matched at name[j].
    score = [[minus] * m for _ in range(n)]
    back = [[-1] * m for _ in range(n)]
    for j in range(m):
        if folded[j] == wanted[0]:
            score[0][j] = MATCH + _bonus(name, j) - LEADING * j
    for i in range(1, n):
        # The best previous row's score at k < j - 1, adjusted by GAP * k, so that the gap
        # penalty GAP * (j - k - 1) is applied in O(1) per j.
        best_far, best_far_at = minus, -1
        for j in range(1, m):
            k = j - 2
            if k >= 0 and score[i - 1][k] + GAP * k > best_far:
                best_far, best_far_at = score[i - 1][k] + GAP * k, k
            if folded[j] != wanted[i]:
                continue
            base = MATCH + _bonus(name, j)
            near = score[i - 1][j - 1] + CONSECUTIVE
            far = best_far - GAP * (j - 1)
            if near >= far and near > minus:
                score[i][j], back[i][j] = base + near, j - 1
            elif far > minus:
                score[i][j], back[i][j] = base + far, best_far_at
    last = max(range(m), key=lambda j: score[n - 1][j])
    positions = [last]
    for i in range(n - 1, 0, -1):
        positions.append(back[i][positions[-1]])
    return Match(score[n - 1][last], tuple(reversed(positions)))


def _is_subsequence(wanted: str, folded: list[str]) -> bool:
    letters = iter(folded)
    return all(any(c == w for c in letters) for w in wanted)


def rank(query: str, items: Iterable[T], name_of: Callable[[T], str]) -> list[tuple[T, Match]]:
    """The items whose name matches ``query``, best first (ties: by name, then given order)."""
    found = []
    for position, item in enumerate(items):
        name = name_of(item)
        result = match(query, name)
        if result is not None:
            found.append((-result.score, name.casefold(), position, item, result))
    found.sort(key=lambda row: row[:3])
    return [(item, result) for *_, item, result in found]
