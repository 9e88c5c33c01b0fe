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
#: Rooms in one page of ``GET /api/rooms``: when not asked, and at most.
ROOMS_DEFAULT_LIMIT = 200
ROOMS_MAX_LIMIT = 500

#: Failed logins allowed per username, and per address, within ``LOGIN_WINDOW`` seconds.
LOGIN_FAILURES_PER_USER = 5
LOGIN_FAILURES_PER_ADDRESS = 20
LOGIN_WINDOW = 300.0
#: Rooms one user may create within ``ROOMS_WINDOW`` seconds.
ROOMS_PER_USER = 20
ROOMS_WINDOW = 3600.0
#: Direct conversations one user may start within ``DMS_WINDOW`` seconds (finding one
#: that exists does not count).
DMS_PER_USER = 30
DMS_WINDOW = 3600.0

#: Seed page posts (``--seed-compat``) per client address within ``SEED_WINDOW`` seconds,
#: and history loads: the endpoints take no token, so the address is all there is to go by.
SEED_POSTS_PER_ADDRESS = 20
SEED_HISTORY_PER_ADDRESS = 30
SEED_WINDOW = 60.0
#: A web author's name as the seed page sends it (before " (web)" is added).
MAX_SEED_NAME = 40

#: Files: the default largest upload (``RelayConfig.max_file_bytes``, in ``/api/config``),
#: the default per-user quota (files messages carry, and uploads of the last day), uploads
#: per user within ``UPLOADS_WINDOW`` seconds, and files one message may carry.
MAX_FILE_BYTES = 25 * 1024 * 1024
FILE_QUOTA_BYTES = 1024 * 1024 * 1024
UPLOADS_PER_USER = 120
UPLOADS_WINDOW = 600.0
#: Seconds an upload no message carries still counts toward its uploader's quota.
UNATTACHED_FILE_GRACE = 24 * 3600.0
MAX_ATTACHMENTS = 10

#: Users one message may mention (a whole team is ``@room``'s job, not a list of ids).
MAX_MENTIONS = 50
