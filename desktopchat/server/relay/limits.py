"""The relay's input limits, chosen so every stored message fits one Pusher event (10 KB)."""

from __future__ import annotations

from desktopchat.text_size import text_bytes

__all__ = ["text_bytes"]

#: Message text, counted as UTF-8 bytes of its JSON-escaped form (what travels in the event).
MAX_TEXT_BYTES = 8 * 1024
MAX_DISPLAY_NAME = 64
MAX_TOPIC = 256
MAX_CLIENT_ID = 64
MIN_PASSWORD = 8
HISTORY_DEFAULT_LIMIT = 50
HISTORY_MAX_LIMIT = 200
SESSION_LIFETIME_SECONDS = 30 * 24 * 3600
