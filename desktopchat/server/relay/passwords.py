"""Password hashing with scrypt (memory-hard, in the standard library).

Hashing costs tens of milliseconds of CPU on purpose: callers run it in a worker thread so
the hub's event loop keeps serving sockets meanwhile.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_N, _R, _P, _DKLEN = 2**14, 8, 1, 32
#: Passwords longer than this are refused rather than hashed (scrypt's cost grows with length).
MAX_PASSWORD_LENGTH = 1024


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash``: parameters are stored so they can be raised later."""
    salt = secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=_DKLEN)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored``, compared in constant time."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        key = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            dklen=len(base64.b64decode(expected)),
        )
    except ValueError:
        return False
    return hmac.compare_digest(key, base64.b64decode(expected))


def check_password(password: str, stored: str | None) -> bool:
    """Whether ``password`` logs in to an account whose hash is ``stored``.

    Costs one scrypt whatever ``stored`` is — a hash, :data:`UNUSABLE_PASSWORD` (a
    password-less local account) or None (no such user) — so the time a wrong password
    takes does not tell which kind of account, if any, a username belongs to.
    """
    if stored is None or not stored.startswith("scrypt$"):
        verify_password(password, DUMMY_HASH)
        return False
    return verify_password(password, stored)


#: Stored for accounts that log in without a password (local users of an embedded hub):
#: it is not a valid hash, so no password ever matches it.
UNUSABLE_PASSWORD = "!"  # noqa: S105 - a marker, deliberately not a hash

#: A hash of a random password, verified against when the account has no usable hash, so
#: every failed login costs the same time.
DUMMY_HASH = hash_password(secrets.token_hex(16))
