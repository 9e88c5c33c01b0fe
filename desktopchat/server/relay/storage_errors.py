"""What a failing database means for an HTTP client: a clear JSON error, not a bare 500.

A full disk (or a database at its size limit) refuses writes while reads still work, and
clears up on its own once space returns, so it answers 507 ``storage_full``; a database
that cannot be written or read at all (a read-only or vanished file, an I/O error, a lock
held too long, a PostgreSQL server that is down or unreachable) answers 503
``storage_unavailable``. Both are worth retrying unchanged, which the clients do (a 5xx is
transient to them), with the same ``client_id``.
"""

from __future__ import annotations

import logging
import sqlite3

from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay.store import FullError, StoreError, UnavailableError

log = logging.getLogger(__name__)

_FULL = {sqlite3.SQLITE_FULL}
_UNAVAILABLE = {
    sqlite3.SQLITE_IOERR,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_CORRUPT,
    sqlite3.SQLITE_NOTADB,
    sqlite3.SQLITE_PERM,
}


def api_error(exc: sqlite3.Error | StoreError) -> ApiError | None:
    """The answer for a database error, or None for one that is a bug (left to surface)."""
    if isinstance(exc, FullError):  # the store has logged it
        return _full()
    if isinstance(exc, UnavailableError):
        return _unavailable()
    if isinstance(exc, StoreError):
        return None
    # The primary result code: extended codes (SQLITE_IOERR_WRITE...) keep it in the low byte.
    code = getattr(exc, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    if primary in _FULL:
        log.error("the relay's database is full: %s", exc)
        return _full()
    if primary in _UNAVAILABLE:
        log.error("the relay's database is unavailable: %s", exc)
        return _unavailable()
    return None


def _full() -> ApiError:
    return ApiError(507, "storage_full", "The server is out of storage; retry later")


def _unavailable() -> ApiError:
    return ApiError(503, "storage_unavailable", "The server cannot use its storage now")
