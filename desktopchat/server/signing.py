"""HMAC signatures of the Pusher protocol: channel authorization and HTTP API requests.

Both sides of every signature live here so that the hub verifies exactly what the official
libraries produce (pysher, pusher-js, pusher-http-python, the Node server library). The
documented test vectors are checked in ``tests/unit/test_signing.py``.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

#: How far a request's ``auth_timestamp`` may be from the hub's clock (Pusher: 600 s).
MAX_TIMESTAMP_SKEW_SECONDS = 600


def hmac_sha256_hex(secret: str, message: str) -> str:
    """Hex HMAC-SHA256 of ``message`` under ``secret``, as every Pusher signature is."""
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def channel_auth(
    key: str, secret: str, socket_id: str, channel: str, channel_data: str = ""
) -> str:
    """The ``auth`` string a client sends to subscribe ``socket_id`` to a private/presence channel.

    Presence channels sign ``channel_data`` byte for byte, so the exact string the client
    sends must be the one that was signed.
    """
    message = f"{socket_id}:{channel}"
    if channel_data:
        message += f":{channel_data}"
    return f"{key}:{hmac_sha256_hex(secret, message)}"


def user_auth(key: str, secret: str, socket_id: str, user_data: str) -> str:
    """The ``auth`` string for ``pusher:signin`` (user authentication)."""
    return f"{key}:{hmac_sha256_hex(secret, f'{socket_id}::user::{user_data}')}"


#: What a local login signs; the prefix keeps it from matching any Pusher signature.
LOCAL_LOGIN_CONTEXT = "desktopchat-local-login"


def local_login_signature(
    secret: str, username: str, timestamp: int, nonce: str | None = None
) -> str:
    """Proof that the caller can read an embedded hub's secret (its 0600 credentials file).

    The relay of an embedded hub accepts it instead of a password for local users
    (``POST /api/sessions/local``), so the first start needs no account set-up. It accepts
    each signature once: the random ``nonce`` keeps two logins in the same second apart
    (without one, the text signed is the one clients before the nonce signed).
    """
    message = f"{LOCAL_LOGIN_CONTEXT}\n{username}\n{timestamp}"
    if nonce is not None:
        message += f"\n{nonce}"
    return hmac_sha256_hex(secret, message)


def auth_matches(expected: str, given: object) -> bool:
    """Constant-time comparison of two ``key:signature`` strings."""
    return isinstance(given, str) and hmac.compare_digest(expected.encode(), given.encode())


def request_signature(secret: str, method: str, path: str, params: Mapping[str, str]) -> str:
    """``auth_signature`` of an HTTP API request.

    The string to sign is ``METHOD\\nPATH\\nQUERY`` where QUERY is every parameter except
    ``auth_signature``, keys lower-cased and sorted, joined as ``k=v&...`` and *not* escaped.
    """
    query = "&".join(
        f"{k}={v}"
        for k, v in sorted((k.lower(), v) for k, v in params.items() if k != "auth_signature")
    )
    return hmac_sha256_hex(secret, f"{method.upper()}\n{path}\n{query}")


def body_md5(body: bytes) -> str:
    """Hex MD5 of the raw request body, as ``body_md5`` carries it."""
    return hashlib.md5(body, usedforsecurity=False).hexdigest()


class RequestSignatureError(Exception):
    """The HTTP API request is not signed by this app; the message says what is wrong."""


def verify_request(
    *,
    key: str,
    secret: str,
    method: str,
    path: str,
    params: Mapping[str, str],
    body: bytes,
    now: float,
) -> None:
    """Check an HTTP API request's signing; raise :class:`RequestSignatureError` if it fails."""
    if params.get("auth_key") != key:
        raise RequestSignatureError("Unknown auth_key")
    if params.get("auth_version", "1.0") != "1.0":
        raise RequestSignatureError("Unsupported auth_version (expected 1.0)")
    try:
        timestamp = int(params.get("auth_timestamp", ""))
    except ValueError:
        raise RequestSignatureError("Missing or malformed auth_timestamp") from None
    if abs(now - timestamp) > MAX_TIMESTAMP_SKEW_SECONDS:
        raise RequestSignatureError(
            f"Timestamp expired: auth_timestamp must be within {MAX_TIMESTAMP_SKEW_SECONDS}s "
            "of the server time"
        )
    given_md5 = params.get("body_md5")
    if (body or given_md5 is not None) and given_md5 != body_md5(body):
        raise RequestSignatureError("body_md5 does not match the request body")
    expected = request_signature(secret, method, path, params)
    given = params.get("auth_signature", "")
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise RequestSignatureError(
            "Invalid signature: expected HMAC SHA256 hex digest of the method, path and "
            "sorted query string"
        )
