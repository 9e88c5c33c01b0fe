"""Whether a room name is one the relay accepts, and if not, why — said before asking it.

The rule is the relay's own (:data:`desktopchat.server.relay.models.ROOM_NAME`), so the
New room dialog can explain a bad name beside the field instead of sending it and
reporting a 400 on the notice line.
"""

from __future__ import annotations

import re

from desktopchat.server.relay.models import ROOM_NAME

#: The relay's longest room name.
MAX_LENGTH = 64
_ALLOWED = re.compile(r"[a-z0-9_-]")


def problem(name: str) -> str | None:
    """What is wrong with room name ``name`` for the relay, in words; None when it is fine."""
    if ROOM_NAME.match(name):
        return None
    if not name:
        return "Give the room a name."
    if len(name) > MAX_LENGTH:
        return f"At most {MAX_LENGTH} characters (this one has {len(name)})."
    bad = sorted({c for c in name if not _ALLOWED.fullmatch(c)})
    if bad:
        shown = ", ".join("space" if c == " " else f"“{c}”" for c in bad)
        return f"Only lower-case letters, digits, - and _ (not {shown})."
    return "Start with a lower-case letter or a digit."
