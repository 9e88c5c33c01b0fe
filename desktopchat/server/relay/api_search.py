"""``GET /api/search``: full-text search over every message the user may read.

The query is parsed by :mod:`desktopchat.search_syntax` before the store sees it, so bad
input (too long, empty, nothing searchable, an unclosed quote) is a 400 with its own code
and an engine never receives syntax it could choke on. Each result carries the character
ranges of the matched words, never markup: clients render text as text.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from desktopchat.search_syntax import QueryError, highlights, parse
from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay.membership import readable_room
from desktopchat.server.relay.models import Message, User
from desktopchat.server.relay.search_results import SearchCursor
from desktopchat.server.relay.service import RELAY, Relay, decimal
from desktopchat.server.relay.store import DmPage, RoomPage

#: Results per page: when not asked, and at most.
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


async def searchable_rooms(relay: Relay, user: User, room: str | None) -> list[str]:
    """The rooms ``user`` may search, within ``room`` when given: every public room and
    the user's own direct messages (another pair's DM is never searched, nor named).

    The one place search decides who may read what (through :mod:`.membership`).
    """
    if room is not None:
        return [(await readable_room(relay, user, room)).name]
    rooms = await _every_name(
        relay, lambda after: relay.store.rooms(after=after, limit=_ROOMS_PAGE)
    )
    dms = await _every_name(  # store.rooms never lists a DM: the user's own come from here
        relay, lambda after: relay.store.dms_of(user.id, after=after, limit=_ROOMS_PAGE)
    )
    return rooms + dms


async def _every_name(relay: Relay, page_after: Callable[[str], RoomPage | DmPage]) -> list[str]:
    """The names of every room (or DM) a by-name paged store listing holds."""
    names: list[str] = []
    after = ""
    while True:
        page = await relay.db(page_after, after)
        batch = (
            [r.name for r in page.rooms]
            if isinstance(page, RoomPage)
            else [d.name for d in page.dms]
        )
        names.extend(batch)
        if not page.has_more or not batch:
            return names
        after = batch[-1]


#: Rooms asked of the store at once while listing what a user may search.
_ROOMS_PAGE = 500


def _limit(request: web.Request) -> int:
    raw = request.query.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    limit = decimal(raw)
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, "invalid_limit", f"'limit' must be 1-{MAX_LIMIT}")
    return limit


def _before(request: web.Request) -> SearchCursor | None:
    raw = request.query.get("before")
    if raw is None:
        return None
    cursor = SearchCursor.decode(raw)
    if cursor is None:
        raise ApiError(400, "invalid_before", "'before' must be a 'next_before' from a search")
    return cursor


def _result(message: Message, ranges: list[tuple[int, int]]) -> dict[str, object]:
    return {
        "room": message.room,
        "message": message.to_json(),
        "highlights": [list(r) for r in ranges],
    }


async def get_search(request: web.Request) -> web.Response:
    """Search: ``q`` (required), ``room``, ``limit`` (1-100, 20), ``before`` (a cursor).

    Answers ``{"results": [{room, message, highlights}, …], "has_more", "next_before"}``,
    newest first; ``highlights`` are ``[start, end)`` character offsets into the text.
    """
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    try:
        query = parse(request.query.get("q", ""))
    except QueryError as exc:
        raise ApiError(400, exc.code, str(exc)) from None
    limit, before = _limit(request), _before(request)
    rooms = await searchable_rooms(relay, user, request.query.get("room"))
    try:
        page = await relay.db(relay.store.search, query, rooms=rooms, before=before, limit=limit)
    except QueryError as exc:
        raise ApiError(400, exc.code, str(exc)) from None
    cursor = page.next_before
    return web.json_response(
        {
            "results": [_result(m, highlights(m.text, query)) for m in page.messages],
            "has_more": page.has_more,
            "next_before": None if cursor is None else cursor.encode(),
        }
    )


def add_routes(app: web.Application) -> None:
    """Mount the search endpoint."""
    app.router.add_get("/api/search", get_search)
