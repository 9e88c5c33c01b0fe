"""Presence channel membership: members keyed by user id, each possibly on several sockets.

A user with two windows open is one member: ``member_added`` goes out only for a user's
first socket on the channel and ``member_removed`` only for their last.
"""

from __future__ import annotations

from typing import Any


class PresenceRoster:
    """Who is on one presence channel, and through which sockets."""

    __slots__ = ("_info", "_sockets")

    def __init__(self) -> None:
        self._info: dict[str, Any] = {}
        self._sockets: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._sockets)

    def __contains__(self, user_id: object) -> bool:
        return user_id in self._sockets

    def add(self, user_id: str, user_info: Any, socket_id: str) -> bool:
        """Record ``socket_id`` for ``user_id``; True if this is the user's first socket."""
        sockets = self._sockets.get(user_id)
        if sockets is None:
            self._sockets[user_id] = {socket_id}
            self._info[user_id] = user_info
            return True
        sockets.add(socket_id)
        return False

    def remove(self, user_id: str, socket_id: str) -> bool:
        """Forget ``socket_id``; True if it was the user's last socket (the member left)."""
        sockets = self._sockets.get(user_id)
        if sockets is None:
            return False
        sockets.discard(socket_id)
        if sockets:
            return False
        del self._sockets[user_id]
        del self._info[user_id]
        return True

    def user_ids(self) -> list[str]:
        """Members in the order they joined."""
        return list(self._sockets)

    def snapshot(self) -> dict[str, Any]:
        """The ``subscription_succeeded`` payload: ids, the exact member hash, and count."""
        return {
            "presence": {
                "ids": list(self._info),
                "hash": dict(self._info),
                "count": len(self._info),
            }
        }
