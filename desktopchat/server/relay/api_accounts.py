"""Accounts and sessions: ``/api/users``, ``/api/sessions``, ``/api/me``, ``/api/avatars``."""

from __future__ import annotations

import contextlib
import hmac
import re
import secrets
import time

from aiohttp import web

from desktopchat.server import signing
from desktopchat.server.http_errors import ApiError
from desktopchat.server.relay import avatars, limits, passwords
from desktopchat.server.relay.models import USERNAME, User
from desktopchat.server.relay.service import RELAY, Relay, read_json, string_field, token_hash
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
    display_name = (
        string_field(body, "display_name", max_length=limits.MAX_DISPLAY_NAME, required=False)
        or username
    ).strip()
    if not display_name or not display_name.isprintable():
        raise ApiError(400, "invalid_display_name", "Display name must be printable text")
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

    Failures are throttled per username and per address (429 with Retry-After), and an
    unknown username costs the same scrypt time as a wrong password.
    """
    relay = request.app[RELAY]
    body = await read_json(request)
    username = string_field(body, "username", max_length=64) or ""
    password = string_field(body, "password", max_length=passwords.MAX_PASSWORD_LENGTH) or ""
    now = time.time()
    user_key, address_key = username.lower(), request.remote or "unknown"
    wait = max(
        relay.failures_by_user.retry_after(user_key, now),
        relay.failures_by_address.retry_after(address_key, now),
    )
    if wait > 0:
        seconds = int(wait) + 1
        raise ApiError(
            429,
            "too_many_attempts",
            f"Too many failed logins; retry in {seconds} s",
            headers={"Retry-After": str(seconds)},
        )
    found = await relay.db(relay.store.credentials, username)
    stored_hash = found.password_hash if found else passwords.DUMMY_HASH
    if not await relay.cpu(passwords.verify_password, password, stored_hash) or found is None:
        relay.failures_by_user.failed(user_key, now)
        relay.failures_by_address.failed(address_key, now)
        raise ApiError(401, "invalid_credentials", "Wrong username or password")
    relay.failures_by_user.succeeded(user_key)
    return await _new_session(relay, found.user, now)


async def _new_session(relay: Relay, user: User, now: float) -> web.Response:
    """Issue a random token, store only its hash, answer 201 ``{token, user, expires_in}``."""
    token = secrets.token_urlsafe(32)
    expires_at = now + limits.SESSION_LIFETIME_SECONDS
    await relay.db(relay.store.create_session, user.id, token_hash(token), expires_at)
    return web.json_response(
        {"token": token, "user": user.to_json(), "expires_in": limits.SESSION_LIFETIME_SECONDS},
        status=201,
    )


#: Seconds a local login's timestamp may be off.
LOCAL_LOGIN_MAX_SKEW = 300


async def post_local_session(request: web.Request) -> web.Response:
    """Log in as a local user of an embedded hub, creating the account on first use.

    ``{username, display_name, timestamp, signature}``: the signature is
    :func:`local_login_signature` under the hub's app secret. This is what lets a new user's
    first ``desktopchat`` work with no questions asked and no password stored anywhere.
    """
    relay = request.app[RELAY]
    if not relay.config.local_login:
        raise ApiError(404, "not_found", "Local login is only offered by embedded hubs")
    body = await read_json(request)
    username = string_field(body, "username", max_length=32) or ""
    if not USERNAME.match(username):
        raise ApiError(400, "invalid_username", "Username: 1-32 letters, digits, '.', '_' or '-'")
    display_name = (
        string_field(body, "display_name", max_length=limits.MAX_DISPLAY_NAME, required=False)
        or username
    ).strip() or username
    timestamp, signature = body.get("timestamp"), body.get("signature")
    now = time.time()
    if not isinstance(timestamp, int) or abs(now - timestamp) > LOCAL_LOGIN_MAX_SKEW:
        raise ApiError(401, "invalid_signature", "Local login timestamp missing or stale")
    expected = signing.local_login_signature(relay.publisher.upstream.secret, username, timestamp)
    if not isinstance(signature, str) or not hmac.compare_digest(expected, signature):
        raise ApiError(401, "invalid_signature", "Local login signature does not match")
    found = await relay.db(relay.store.credentials, username)
    if found is not None and found.password_hash != passwords.UNUSABLE_PASSWORD:
        # An account someone protected with a password is not the local user's to take.
        raise ApiError(409, "account_has_password", f"{username} has a password; sign in with it")
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
    body = await read_json(request)
    name = (string_field(body, "display_name", max_length=limits.MAX_DISPLAY_NAME) or "").strip()
    if not name or not name.isprintable():
        raise ApiError(400, "invalid_display_name", "Display name must be printable text")
    updated = await relay.db(relay.store.set_display_name, user.id, name)
    return web.json_response({"user": updated.to_json()})


async def get_avatar(request: web.Request) -> web.Response:
    """A generated identicon, so avatars never need the internet."""
    user_id = request.match_info["user_id"]
    if not user_id.isdigit():
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
