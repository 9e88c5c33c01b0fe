"""Accounts and sessions: ``/api/users``, ``/api/sessions``, ``/api/me``, ``/api/avatars``."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import re
import secrets
import time

from aiohttp import web

from desktopchat.server import signing
from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import avatars, limits, passwords, seed_bridge
from desktopchat.server.relay.models import USERNAME, User
from desktopchat.server.relay.service import (
    RELAY,
    Relay,
    decimal,
    display_name_field,
    read_json,
    retry_seconds,
    string_field,
    token_hash,
    too_many,
)
from desktopchat.server.relay.store import AlreadyExistsError

_EMAIL = re.compile(r"\A[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{1,60}\Z")


async def post_users(request: web.Request) -> web.Response:
    """Register: ``{username, password, display_name, email?}`` → 201 with the user."""
    relay = request.app[RELAY]
    body = await read_json(request)
    username = string_field(body, "username", max_length=32)
    if username is None or not USERNAME.match(username):
        raise ApiError(400, "invalid_username", "Username: 1-32 letters, digits, '.', '_' or '-'")
    password = string_field(body, "password", max_length=passwords.MAX_PASSWORD_LENGTH)
    if password is None or len(password) < limits.MIN_PASSWORD:
        raise ApiError(
            400, "invalid_password", f"Password: at least {limits.MIN_PASSWORD} characters"
        )
    display_name = display_name_field(body, fallback=username)
    email = string_field(body, "email", max_length=254, required=False) or None
    if email is not None and not _EMAIL.match(email.strip()):
        raise ApiError(400, "invalid_email", "That does not look like an email address")
    hashed = await relay.cpu(passwords.hash_password, password)
    try:
        user = await relay.db(
            relay.store.create_user, username, hashed, display_name, email and email.strip()
        )
    except AlreadyExistsError:
        raise ApiError(409, "username_taken", f"The username {username} is taken") from None
    return web.json_response({"user": user.to_json()}, status=201)


async def post_sessions(request: web.Request) -> web.Response:
    """Log in: ``{username, password}`` → 201 ``{token, user, expires_in}``.

    Failures are throttled per username and per address (429 with Retry-After). Each
    attempt is counted *before* its password is checked, so concurrent guesses cannot
    outrun the limit; and every failure costs one scrypt, whatever the account.
    """
    relay = request.app[RELAY]
    body = await read_json(request)
    username = string_field(body, "username", max_length=64) or ""
    password = string_field(body, "password", max_length=passwords.MAX_PASSWORD_LENGTH) or ""
    if seed_bridge.is_web_username(username):
        # The seed page's authors: no one signs in as them, whatever is stored.
        raise ApiError(401, "invalid_credentials", "Wrong username or password")
    throttles, now = relay.throttles, time.time()
    user_key, address_key = username.lower(), request.remote or "unknown"
    await _reserve_login(relay, user_key, address_key, now)
    try:
        found = await relay.db(relay.store.credentials, username)
        matches = await relay.cpu(
            passwords.check_password, password, found.password_hash if found else None
        )
    except BaseException:
        await _settle(relay, user_key, address_key, counted=False)
        raise
    if not matches or found is None:
        await _settle(relay, user_key, address_key, counted=True)
        raise ApiError(401, "invalid_credentials", "Wrong username or password")
    await _settle(relay, user_key, address_key, counted=False)
    await relay.db(throttles.login_by_user.forgive, user_key)
    return await _new_session(relay, found.user, now)


async def _reserve_login(relay: Relay, user_key: str, address_key: str, now: float) -> None:
    """Reserve one login attempt for the username and the address, or raise the 429."""
    throttles = relay.throttles
    wait = await relay.db(throttles.login_by_user.reserve, user_key, now)
    if not wait:
        try:
            wait = await relay.db(throttles.login_by_address.reserve, address_key, now)
        except BaseException:
            await relay.db(throttles.login_by_user.cancel, user_key)
            raise
        if wait:
            await relay.db(throttles.login_by_user.cancel, user_key)
    if wait:
        raise too_many(
            "too_many_attempts", f"Too many failed logins; retry in {retry_seconds(wait)} s", wait
        )


async def _settle(relay: Relay, user_key: str, address_key: str, *, counted: bool) -> None:
    """Settle both reservations of one login attempt (one store call each)."""
    throttles, now = relay.throttles, time.time()
    for throttle, key in (
        (throttles.login_by_user, user_key),
        (throttles.login_by_address, address_key),
    ):
        if counted:
            await relay.db(throttle.count, key, now)
        else:
            await relay.db(throttle.cancel, key)


async def _new_session(relay: Relay, user: User, now: float) -> web.Response:
    """Issue a random token, store only its hash, answer 201 ``{token, user, expires_in}``."""
    token = secrets.token_urlsafe(32)
    expires_at = now + limits.SESSION_LIFETIME_SECONDS
    await relay.db(relay.store.create_session, user.id, token_hash(token), expires_at, now)
    return web.json_response(
        {"token": token, "user": user.to_json(), "expires_in": limits.SESSION_LIFETIME_SECONDS},
        status=201,
    )


#: Seconds a local login's timestamp may be off.
LOCAL_LOGIN_MAX_SKEW = 300
#: A local login's nonce: what :func:`secrets.token_urlsafe` makes, 16-64 characters.
_NONCE = re.compile(r"\A[A-Za-z0-9_-]{16,64}\Z")
#: A signature: hex HMAC-SHA256.
_SIGNATURE = re.compile(r"\A[0-9a-f]{64}\Z")


async def post_local_session(request: web.Request) -> web.Response:
    """Log in as a local user of an embedded hub, creating the account on first use.

    ``{username, display_name?, timestamp, nonce?, signature}``: the signature is
    :func:`~desktopchat.server.signing.local_login_signature` under the hub's app secret.
    This is what lets a new user's first ``desktopchat`` work with no questions asked and
    no password stored anywhere. Each signature logs in once: a body seen on the wire
    cannot be posted again for another session.
    """
    relay = request.app[RELAY]
    if not relay.config.local_login:
        raise ApiError(404, "not_found", "Local login is only offered by embedded hubs")
    body = await read_json(request)
    username = string_field(body, "username", max_length=32) or ""
    if not USERNAME.match(username):
        raise ApiError(400, "invalid_username", "Username: 1-32 letters, digits, '.', '_' or '-'")
    display_name = display_name_field(body, fallback=username)
    nonce = string_field(body, "nonce", max_length=64, required=False)
    if nonce is not None and not _NONCE.match(nonce):
        raise ApiError(400, "invalid_nonce", "'nonce': 16-64 of A-Z a-z 0-9 _ -")
    timestamp = body.get("timestamp")
    if not isinstance(timestamp, int) or isinstance(timestamp, bool):
        raise ApiError(400, "invalid_timestamp", "'timestamp' must be an integer (Unix seconds)")
    signature = string_field(body, "signature", max_length=64) or ""
    now = time.time()
    # Integer arithmetic: a timestamp of 10**400 is merely stale, not an OverflowError.
    if abs(int(now) - timestamp) > LOCAL_LOGIN_MAX_SKEW:
        raise ApiError(401, "invalid_signature", "Local login timestamp missing or stale")
    expected = signing.local_login_signature(
        relay.publisher.upstream.secret, username, timestamp, nonce
    )
    if not _SIGNATURE.match(signature) or not hmac.compare_digest(expected, signature):
        raise ApiError(401, "invalid_signature", "Local login signature does not match")
    found = await relay.db(relay.store.credentials, username)
    if found is not None and found.password_hash != passwords.UNUSABLE_PASSWORD:
        # An account someone protected with a password is not the local user's to take.
        raise ApiError(409, "account_has_password", f"{username} has a password; sign in with it")
    once = "local-login:" + hashlib.sha256(signature.encode()).hexdigest()
    if not await relay.db(relay.store.use_once, once, timestamp + LOCAL_LOGIN_MAX_SKEW + 1, now):
        raise ApiError(401, "signature_used", "This local login signature was already used")
    if found is None:
        with contextlib.suppress(AlreadyExistsError):
            await relay.db(
                relay.store.create_user, username, passwords.UNUSABLE_PASSWORD, display_name, None
            )
        found = await relay.db(relay.store.credentials, username)
    assert found is not None  # noqa: S101 - created just above
    return await _new_session(relay, found.user, now)


async def delete_current_session(request: web.Request) -> web.Response:
    """Log out: the token stops working at once."""
    relay = request.app[RELAY]
    _, hashed = await relay.user_of(request)
    await relay.db(relay.store.delete_session, hashed)
    return web.Response(status=204)


async def get_me(request: web.Request) -> web.Response:
    """The logged-in user (lets a client check a stored token)."""
    user, _ = await request.app[RELAY].user_of(request)
    return web.json_response({"user": user.to_json()})


async def patch_me(request: web.Request) -> web.Response:
    """Change your display name: ``{display_name}`` → the updated user."""
    relay = request.app[RELAY]
    user, _ = await relay.user_of(request)
    name = display_name_field(await read_json(request), fallback=None)
    updated = await relay.db(relay.store.set_display_name, user.id, name)
    return web.json_response({"user": updated.to_json()})


async def get_avatar(request: web.Request) -> web.Response:
    """A generated identicon, so avatars never need the internet."""
    user_id = request.match_info["user_id"]
    if decimal(user_id) is None:
        raise ApiError(404, "not_found", "No such avatar")
    return web.Response(
        text=avatars.identicon_svg(user_id),
        content_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def add_routes(app: web.Application) -> None:
    """Mount the account endpoints."""
    app.router.add_post("/api/users", post_users)
    app.router.add_post("/api/sessions", post_sessions)
    app.router.add_post("/api/sessions/local", post_local_session)
    app.router.add_delete("/api/sessions/current", delete_current_session)
    app.router.add_get("/api/me", get_me)
    app.router.add_patch("/api/me", patch_me)
    app.router.add_get("/api/avatars/{user_id}.svg", get_avatar)
