"""How big a message is as it travels: shared by the relay (which refuses what is too big)
and the client (which says so before sending, instead of queueing what must fail)."""

from __future__ import annotations

import json


def text_bytes(text: str) -> int:
    """Size of ``text`` as it travels: UTF-8 bytes of its JSON string, without the quotes."""
    return len(json.dumps(text, ensure_ascii=False).encode()) - 2
