"""Mentions on a message: the ``mentions`` field of a send or an edit, checked and stored.

A mention is a user id, not a name: names change and collide, ids do not. The text keeps
a readable ``@Name`` for people; the ids are what highlights and notifies.
"""

from __future__ import annotations

from typing import Any

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import limits
from desktopchat.server.relay.service import Relay


def mentions_field(body: dict[str, Any]) -> tuple[int, ...] | None:
    """``mentions``: a list of user ids (None when absent), duplicates dropped, sorted."""
    raw = body.get("mentions")
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(
        isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in raw
    ):
        raise ApiError(400, "invalid_mentions", "'mentions' must be a list of user ids")
    if len(set(raw)) > limits.MAX_MENTIONS:
        raise ApiError(
            400,
            "too_many_mentions",
            f"A message may mention at most {limits.MAX_MENTIONS} users",
        )
    return tuple(sorted(set(raw)))


async def check_mentions(relay: Relay, mentions: tuple[int, ...] | None) -> None:
    """Refuse (400 ``unknown_mentions``) ids that are no account, before anything is stored."""
    if not mentions:
        return
    known = await relay.db(relay.store.existing_users, mentions)
    unknown = [i for i in mentions if i not in known]
    if unknown:
        listed = ", ".join(str(i) for i in unknown[:5])
        raise ApiError(400, "unknown_mentions", f"No such users to mention: {listed}")
