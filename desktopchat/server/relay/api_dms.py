"""Direct messages: start one (``POST /api/dms``) and list your own (``GET /api/dms``).

A DM is a room named from its members (:func:`~.models.dm_name`), so its messages, edits,
catch-up and outbox are the rooms' own; :mod:`.membership` keeps it to its members. A new
DM is announced as ``dm-created`` on each member's own channel (``private-user-{id}``), never
on the directory channel; a member who misses it finds it in ``GET /api/dms`` at sign-in.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from aiohttp import web

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import limits
from desktopchat.server.relay.models import (
    MAX_DM_MEMBERS,
    ROOM_NAME,
    USERNAME,
    Dm,
    User,
    dm_name,
    user_channel,
)
from desktopchat.server.relay.publisher import Event, PublishError
from desktopchat.server.relay.service import RELAY, Relay, read_json, retry_seconds, too_many
from desktopchat.server.relay.store import AlreadyExistsError

log = logging.getLogger(__name__)

#: Largest user id accepted (SQLite's and PostgreSQL's 64-bit integers).
_MAX_ID = 2**63 - 1


async def post_dms(request: web.Request) -> web.Response:
    """Start (or find) the DM with ``{"users": [USERNAME or ID, …]}``.

    201 with ``{"dm"}`` when made now, 200 when these people already have one (whoever
    started it). The caller is always a member; listing themselves is allowed.
    """
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    wanted = _users_field(await read_json(request))
    members: dict[int, User] = {user.id: user}
    unknown: list[str | int] = []
    for ref in wanted:
        other = await _find_user(relay, ref)
        if other is None:
            unknown.append(ref)
        else:
            members[other.id] = other
    # Too many people is said before who is unknown: naming fewer is the fix either way.
    if len(members) + len(set(unknown)) > MAX_DM_MEMBERS:
        raise ApiError(
            400,
            "too_many_members",
            f"A direct conversation has at most {MAX_DM_MEMBERS} people, you included",
        )
    if unknown:
        shown = ", ".join(str(r) if isinstance(r, int) else repr(r[:40]) for r in unknown[:5])
        raise ApiError(404, "unknown_user", f"No user {shown}")
    if len(members) < 2:
        raise ApiError(400, "invalid_users", "Name at least one other person")
    name = dm_name(frozenset(members))
    existing = await relay.db(relay.store.dm, name)
    if existing is not None:
        return web.json_response({"dm": existing.to_json()})
    quota, key, now = relay.throttles.dms_by_user, str(user.id), time.time()
    wait = await relay.db(quota.reserve, key, now)
    if wait:
        raise too_many(
            "too_many_dms",
            f"You started {quota.limit} conversations within {quota.window / 60:.0f} minutes; "
            f"retry in {retry_seconds(wait)} s",
            wait,
        )
    try:
        dm, created = await relay.db(relay.store.create_dm, name, frozenset(members), user.id)
    except AlreadyExistsError:
        await relay.db(quota.cancel, key)
        raise ApiError(409, "room_exists", "A room already has this conversation's name") from None
    except BaseException:
        await relay.db(quota.cancel, key)
        raise
    if not created:  # started by another member at the same moment: theirs, not ours
        await relay.db(quota.cancel, key)
        return web.json_response({"dm": dm.to_json()})
    await relay.db(quota.count, key, now)
    await _announce(relay, dm)
    return web.json_response({"dm": dm.to_json()}, status=201)


async def get_dms(request: web.Request) -> web.Response:
    """Your DMs by name: ``{"dms": [DM, …], "has_more"}`` (``after``, ``limit`` as rooms)."""
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    after = request.query.get("after", "")
    if after and not ROOM_NAME.match(after):
        raise ApiError(400, "invalid_after", "'after' must be a DM's name")
    raw_limit = request.query.get("limit")
    limit = limits.ROOMS_DEFAULT_LIMIT
    if raw_limit is not None:
        if not raw_limit.isascii() or not raw_limit.isdigit() or len(raw_limit) > 4:
            raise ApiError(400, "invalid_limit", f"'limit' must be 1-{limits.ROOMS_MAX_LIMIT}")
        limit = int(raw_limit)
        if not 1 <= limit <= limits.ROOMS_MAX_LIMIT:
            raise ApiError(400, "invalid_limit", f"'limit' must be 1-{limits.ROOMS_MAX_LIMIT}")
    page = await relay.db(relay.store.dms_of, user.id, after=after, limit=limit)
    return web.json_response({"dms": [dm.to_json() for dm in page.dms], "has_more": page.has_more})


def _users_field(body: dict[str, Any]) -> list[str | int]:
    raw = body.get("users")
    if not isinstance(raw, list) or not raw:
        raise ApiError(400, "invalid_users", "'users' must be a list such as [\"bob\"]")
    if len(raw) > MAX_DM_MEMBERS * 2:  # duplicates allowed, but not without end
        raise ApiError(
            400, "too_many_members", f"A direct conversation has at most {MAX_DM_MEMBERS} people"
        )
    refs: list[str | int] = []
    for item in raw:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise ApiError(400, "invalid_users", "Each of 'users' is a username or a user id")
        if isinstance(item, int) and not 0 < item <= _MAX_ID:
            raise ApiError(400, "invalid_users", "A user id is a positive integer")
        refs.append(item)
    return refs


async def _find_user(relay: Relay, ref: str | int) -> User | None:
    """The user a username or an id names, or None."""
    if isinstance(ref, int):
        return await relay.db(relay.store.user, ref)
    # A string no username can be asks the store nothing (NUL, overlong text…).
    return await relay.db(relay.store.user_named, ref) if USERNAME.match(ref) else None


async def _announce(relay: Relay, dm: Dm) -> None:
    """``dm-created`` on each member's own channel, in one request; a failure is logged,
    since each member finds the DM in ``GET /api/dms`` when they next sign in."""
    payload = {"dm": dm.to_json()}
    events = [Event(user_channel(member.id), "dm-created", payload) for member in dm.members]
    try:
        await relay.publisher.trigger_all(events)
    except PublishError as exc:
        log.warning("DM %s stored but not announced: %s", dm.name, exc)


def add_routes(app: web.Application) -> None:
    """Mount the direct-message endpoints."""
    app.router.add_get("/api/dms", get_dms)
    app.router.add_post("/api/dms", post_dms)
