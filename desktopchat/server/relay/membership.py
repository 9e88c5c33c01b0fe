"""Who may read a room: the one check every read path asks (history, changes, posting,
channel auth), so a DM's privacy does not depend on each handler remembering it.

A public room is open to every signed-in user; a DM (a room with members) only to its
members. To anyone else a DM answers exactly as a room that does not exist (404
``no_such_room``; 403 ``no_such_room`` from channel auth), so its existence does not leak.
"""

from __future__ import annotations

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay.models import DM_PREFIX, ROOM_NAME, Dm, Room, User
from desktopchat.server.relay.service import Relay


async def may_read(relay: Relay, user: User, room_name: str) -> Room | None:
    """The room ``room_name`` if ``user`` may read (and post in) it, else None."""
    # A name no room can have (NUL, any byte the store cannot hold) asks the store nothing.
    if not ROOM_NAME.match(room_name):
        return None
    room = await relay.db(relay.store.room, room_name)
    if room is None:
        return None
    dm = await dm_of(relay, room_name)
    if dm is not None and all(member.id != user.id for member in dm.members):
        return None
    return room


async def dm_of(relay: Relay, room_name: str) -> Dm | None:
    """The DM named ``room_name`` (None for a public room); only DM names ask the store."""
    if not room_name.startswith(DM_PREFIX):
        return None
    return await relay.db(relay.store.dm, room_name)


async def readable_room(relay: Relay, user: User, room_name: str) -> Room:
    """The room, or the 404 a missing room gets (also for a DM ``user`` is not in)."""
    room = await may_read(relay, user, room_name)
    if room is None:
        raise ApiError(404, "no_such_room", "No such room")
    return room
