"""Searching messages: through the relay when it answers, else in the local database.

Both give the same :class:`SearchResults` (newest first, with the character ranges of the
matched words), so the window and ``desktopchat search`` show them alike, and neither ever
renders markup: highlights are offsets into plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from desktopchat.client.domain import Message
from desktopchat.client.errors import ProtocolError, RelayError
from desktopchat.search_syntax import QueryError, highlights, parse

if TYPE_CHECKING:
    from desktopchat.client.cache import LocalDatabase
    from desktopchat.client.relay_client import RelayClient

#: Results asked for at once (the relay answers at most 100).
DEFAULT_LIMIT = 50


class SearchQueryError(RelayError):
    """The query itself is unusable (empty, too long, an unclosed quote): fix it, not retry."""


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One matching message and the ``[start, end)`` ranges of its matched words."""

    message: Message
    highlights: tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class SearchResults:
    """Matches, newest first; ``offline`` when they come from the local database only."""

    query: str
    hits: tuple[SearchHit, ...]
    has_more: bool
    offline: bool = False


def _ranges(raw: Any, text: str) -> tuple[tuple[int, int], ...]:
    if not isinstance(raw, list):
        raise ProtocolError("the relay's search result has no valid 'highlights'")
    ranges = []
    for pair in raw:
        ok = isinstance(pair, list) and len(pair) == 2 and all(type(n) is int for n in pair)
        if not ok or not 0 <= pair[0] < pair[1] <= len(text):
            raise ProtocolError("the relay's search result has a highlight out of range")
        ranges.append((pair[0], pair[1]))
    return tuple(ranges)


def results_from_json(query: str, answer: Any) -> SearchResults:
    """Parse ``GET /api/search``'s answer."""
    items = answer.get("results") if isinstance(answer, dict) else None
    if not isinstance(items, list):
        raise ProtocolError("the relay's search answer has no valid 'results'")
    hits = []
    for item in items:
        if not isinstance(item, dict):
            raise ProtocolError("malformed search result")
        message = Message.from_json(item.get("message"))
        hits.append(SearchHit(message, _ranges(item.get("highlights"), message.text)))
    return SearchResults(query, tuple(hits), bool(answer.get("has_more")))


def search_online(
    client: RelayClient, query: str, *, room: str | None = None, limit: int = DEFAULT_LIMIT
) -> SearchResults:
    """Ask the relay (everything the user may read, not just what is cached here)."""
    return client.search(query, room=room, limit=limit)


def search_local(
    database: LocalDatabase, query: str, *, room: str | None = None, limit: int = DEFAULT_LIMIT
) -> SearchResults:
    """Search what this computer has cached; works with no connection at all."""
    try:
        parsed = parse(query)
    except QueryError as exc:
        raise SearchQueryError(str(exc), status=400, code=exc.code) from exc
    messages, has_more = database.search(parsed, room=room, limit=limit)
    hits = tuple(SearchHit(m, tuple(highlights(m.text, parsed))) for m in messages)
    return SearchResults(query, hits, has_more, offline=True)
