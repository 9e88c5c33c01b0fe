"""Throttles under attack: concurrent login bursts, the cost of a wrong password, room quotas.

The attacks run against the real hub over real HTTP. Password checks are counted where they
cost: every call of ``hashlib.scrypt`` the relay makes.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import pytest

from desktopchat.server import signing
from desktopchat.server.credentials import AppCredentials
from desktopchat.server.relay import limits
from desktopchat.server.runner import HubThread
from tests.integration.conftest import PASSWORD, Api, base_url, error_of


class ScryptCounter:
    """Counts scrypt runs in this process (the hub runs in it, on its own threads)."""

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        self._real = hashlib.scrypt

    def __call__(self, *args: Any, **kwargs: Any) -> bytes:
        with self._lock:
            self.calls += 1
        return self._real(*args, **kwargs)


@pytest.fixture
def scrypt(monkeypatch: pytest.MonkeyPatch) -> ScryptCounter:
    """Count every password hash and check from here on."""
    counter = ScryptCounter()
    monkeypatch.setattr(hashlib, "scrypt", counter)
    return counter


def burst(
    url: str, wrong: list[dict[str, str]], right: dict[str, str] | None = None
) -> tuple[list[int], tuple[int, str] | None]:
    """POST every ``wrong`` body to ``url`` at once; ``right`` joins in flight.

    ``right`` is sent as soon as the first 429 comes back (the limit is reached while the
    burst is still running) or, failing that, once every other answer is in. Returns the
    statuses of ``wrong`` and ``right``'s status and Retry-After.
    """

    async def run() -> tuple[list[int], tuple[int, str] | None]:
        limited = asyncio.Event()
        connector = aiohttp.TCPConnector(limit=0, force_close=True)
        async with aiohttp.ClientSession(connector=connector) as http:

            async def post(body: dict[str, str]) -> tuple[int, str]:
                async with http.post(url, json=body) as response:
                    await response.read()
                    if response.status == 429:
                        limited.set()
                    return response.status, response.headers.get("Retry-After", "")

            attempts = asyncio.gather(*(post(body) for body in wrong))
            right_answer = None
            if right is not None:
                await asyncio.wait(
                    [asyncio.ensure_future(limited.wait()), attempts],
                    return_when=asyncio.FIRST_COMPLETED,
                )
                right_answer = await post(right)
            statuses = [status for status, _ in await attempts]
            return statuses, right_answer

    return asyncio.run(run())


def login_body(username: str, password: str) -> dict[str, str]:
    return {"username": username, "password": password}


@pytest.mark.parametrize("size", [100, 400])
def test_a_concurrent_burst_checks_only_the_allowed_passwords(
    api: Api, scrypt: ScryptCounter, size: int
) -> None:
    api.register("alice")
    scrypt.calls = 0
    wrong = [login_body("alice", f"guess {n}") for n in range(size)]
    statuses, right = burst(f"{api.base}/api/sessions", wrong, login_body("alice", PASSWORD))

    assert scrypt.calls <= limits.LOGIN_FAILURES_PER_USER, f"{scrypt.calls} passwords checked"
    assert statuses.count(401) <= limits.LOGIN_FAILURES_PER_USER
    assert set(statuses) <= {401, 429}, statuses
    assert right is not None
    status, retry_after = right
    assert status == 429, "the right password inside a throttled burst must not log in"
    assert 1 <= int(retry_after) <= limits.LOGIN_WINDOW + 1
    # The burst is over and the limit holds: still refused, and still no password checked.
    assert error_of(api.login("alice"), 429)["code"] == "too_many_attempts"
    assert scrypt.calls <= limits.LOGIN_FAILURES_PER_USER


def test_a_burst_over_many_usernames_is_held_by_the_address_limit(
    api: Api, scrypt: ScryptCounter
) -> None:
    api.register("alice")
    scrypt.calls = 0
    wrong = [login_body(f"user{n}", "guess") for n in range(200)]
    statuses, right = burst(f"{api.base}/api/sessions", wrong, login_body("alice", PASSWORD))

    assert scrypt.calls <= limits.LOGIN_FAILURES_PER_ADDRESS, f"{scrypt.calls} passwords checked"
    assert statuses.count(401) <= limits.LOGIN_FAILURES_PER_ADDRESS
    assert right is not None
    assert right[0] == 429


def test_a_right_password_after_a_few_typos_logs_in_and_clears_them(api: Api) -> None:
    api.register("alice")
    for _ in range(limits.LOGIN_FAILURES_PER_USER - 1):
        error_of(api.login("alice", "typo"), 401)
    assert api.login("alice").status_code == 201
    for _ in range(limits.LOGIN_FAILURES_PER_USER - 1):
        error_of(api.login("alice", "typo"), 401)
    assert api.login("alice").status_code == 201


@pytest.fixture
def local_api(start_relay_hub: Callable[..., HubThread]) -> Api:
    """A relay that offers local login, as an embedded hub does."""
    return Api(base_url(start_relay_hub(local_login=True)))


def local_account(api: Api, credentials: AppCredentials, username: str) -> None:
    """Create the password-less local account ``username``."""
    timestamp, nonce = int(time.time()), "n" * 22
    body = {
        "username": username,
        "timestamp": timestamp,
        "nonce": nonce,
        "signature": signing.local_login_signature(credentials.secret, username, timestamp, nonce),
    }
    assert api.call("POST", "/api/sessions/local", json=body).status_code == 201


@pytest.mark.parametrize("account", ["password", "unknown", "local"])
def test_a_wrong_password_costs_one_scrypt_whatever_the_account(
    local_api: Api, credentials: AppCredentials, scrypt: ScryptCounter, account: str
) -> None:
    """Timing must not tell a password account from a local one or from no account."""
    local_api.register("pw")
    local_account(local_api, credentials, "loc")
    username = {"password": "pw", "unknown": "nobody", "local": "loc"}[account]
    scrypt.calls = 0
    error = error_of(local_api.login(username, "wrong password"), 401)
    assert error["code"] == "invalid_credentials"
    assert scrypt.calls == 1


def test_room_creation_is_limited_per_user(api: Api) -> None:
    alice, bob = api.signed_up("alice"), api.signed_up("bob")
    # Refused creations (taken or invalid names) use none of the quota.
    for _ in range(3):
        error_of(alice.call("POST", "/api/rooms", json={"name": "general"}), 409)
        error_of(alice.call("POST", "/api/rooms", json={"name": "Bad Name"}), 400)
    for n in range(limits.ROOMS_PER_USER):
        created = alice.call("POST", "/api/rooms", json={"name": f"room-{n}"})
        assert created.status_code == 201, created.text
    refused = alice.call("POST", "/api/rooms", json={"name": "one-too-many"})
    error = error_of(refused, 429)
    assert error["code"] == "too_many_rooms"
    assert 1 <= int(refused.headers["Retry-After"]) <= limits.ROOMS_WINDOW + 1
    # Nothing was created, and the quota is per user.
    assert "one-too-many" not in [
        r["name"] for r in alice.call("GET", "/api/rooms").json()["rooms"]
    ]
    assert bob.call("POST", "/api/rooms", json={"name": "bobs-room"}).status_code == 201


def test_a_burst_of_room_creations_stays_within_the_quota(api: Api) -> None:
    alice = api.signed_up("alice")
    assert alice.token is not None
    bodies = [{"name": f"burst-{n}"} for n in range(100)]

    async def run() -> list[int]:
        headers = {"Authorization": f"Bearer {alice.token}"}
        async with aiohttp.ClientSession(headers=headers) as http:

            async def post(body: dict[str, str]) -> int:
                async with http.post(f"{api.base}/api/rooms", json=body) as response:
                    return response.status

            return list(await asyncio.gather(*(post(body) for body in bodies)))

    statuses = asyncio.run(run())
    assert statuses.count(201) == limits.ROOMS_PER_USER
    assert statuses.count(429) == len(bodies) - limits.ROOMS_PER_USER
