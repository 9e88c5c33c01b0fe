"""Accounts through the relay: registration rules, login throttling, logout, avatars."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from urllib.parse import urljoin

import pytest
import requests

from desktopchat.server.runner import HubThread
from tests.inbox import WAIT
from tests.integration.conftest import PASSWORD, Api, error_of


def test_register_returns_the_user_and_login_a_working_token(api: Api) -> None:
    registered = api.register("carol", display_name="Carol C.", email="carol@example.org")
    assert registered.status_code == 201, registered.text
    user = registered.json()["user"]
    assert user["username"] == "carol"
    assert user["display_name"] == "Carol C."
    assert user["email"] == "carol@example.org"
    assert "password" not in registered.text
    session = api.login("carol")
    assert session.status_code == 201, session.text
    token = session.json()["token"]
    me = api.as_token(token).call("GET", "/api/me")
    assert me.status_code == 200
    assert me.json() == {"user": user}


def test_display_name_defaults_to_the_username(api: Api) -> None:
    assert api.register("dave").json()["user"]["display_name"] == "dave"


@pytest.mark.parametrize("taken", ["alice", "ALICE", "Alice"])
def test_a_taken_username_is_409_whatever_its_case(api: Api, taken: str) -> None:
    assert api.register("Alice").status_code == 201
    assert error_of(api.register(taken), 409)["code"] == "username_taken"


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"username": ""}, "invalid_username"),
        ({"username": "has space"}, "invalid_username"),
        ({"username": "-dash-first"}, "invalid_username"),
        ({"username": "a" * 33}, "invalid_username"),
        ({"username": "émile"}, "invalid_username"),
        ({"username": 42}, "invalid_username"),
        ({"password": "short"}, "invalid_password"),
        ({"password": "1234567"}, "invalid_password"),
        ({"email": "not-an-email"}, "invalid_email"),
        ({"email": "two@@example.org"}, "invalid_email"),
        ({"email": "a b@example.org"}, "invalid_email"),
        ({"display_name": "bell\x07"}, "invalid_display_name"),
    ],
)
def test_registration_is_validated(api: Api, fields: dict[str, object], code: str) -> None:
    body = {"username": "valid_name", "password": PASSWORD, **fields}
    error = error_of(api.call("POST", "/api/users", json=body), 400)
    assert error["code"] == code
    # Nothing was created: the valid name is still free.
    assert api.register("valid_name").status_code == 201


def test_wrong_password_is_401_and_repeated_failures_429(api: Api) -> None:
    api.signed_up("alice")
    for _ in range(5):
        assert error_of(api.login("alice", "wrong password"), 401)["code"] == "invalid_credentials"
    error = error_of(api.login("alice", "wrong password"), 429)
    assert error["code"] == "too_many_attempts"
    assert "Too many failed logins" in error["message"]
    assert "retry in" in error["message"]
    # Throttled means throttled: even the right password waits now.
    assert error_of(api.login("alice"), 429)["code"] == "too_many_attempts"
    # The limit is per user: bob, from the same address, still logs in.
    api.register("bob")
    assert api.login("bob").status_code == 201


def test_a_throttled_login_sends_retry_after(api: Api) -> None:
    api.signed_up("alice")
    for _ in range(5):
        error_of(api.login("alice", "wrong password"), 401)
    throttled = api.login("alice", "wrong password")
    error_of(throttled, 429)
    retry_after = throttled.headers.get("Retry-After")
    assert retry_after is not None, dict(throttled.headers)
    assert 1 <= int(retry_after) <= 300


def test_an_unknown_user_gets_the_same_401_and_is_throttled_too(api: Api) -> None:
    api.signed_up("alice")
    wrong_password = error_of(api.login("alice", "wrong password"), 401)
    unknown = error_of(api.login("nobody", "wrong password"), 401)
    assert unknown == wrong_password, "the answer must not reveal whether the user exists"
    for _ in range(4):
        error_of(api.login("nobody", "wrong password"), 401)
    assert error_of(api.login("nobody", "wrong password"), 429)["code"] == "too_many_attempts"


def test_logout_revokes_the_token(api: Api) -> None:
    alice = api.signed_up("alice")
    assert alice.call("GET", "/api/me").status_code == 200
    assert alice.call("DELETE", "/api/sessions/current").status_code == 204
    assert error_of(alice.call("GET", "/api/me"), 401)["code"] == "invalid_token"
    assert error_of(alice.send("after logout"), 401)
    assert error_of(alice.call("DELETE", "/api/sessions/current"), 401)
    # Another login gives a new, working token.
    again = api.login("alice")
    assert again.status_code == 201
    assert api.as_token(again.json()["token"]).call("GET", "/api/me").status_code == 200


@pytest.mark.parametrize(
    "authorization", [None, "", "Bearer", "Bearer ", "Basic YWxpY2U6cHc=", "Bearer not-a-token"]
)
def test_api_calls_need_a_valid_bearer_token(api: Api, authorization: str | None) -> None:
    api.signed_up("alice")
    headers = {} if authorization is None else {"Authorization": authorization}
    for method, path in [
        ("GET", "/api/me"),
        ("GET", "/api/rooms"),
        ("GET", "/api/rooms/general/messages"),
        ("POST", "/api/rooms/general/messages"),
    ]:
        response = api.call(method, path, headers=headers, json={"text": "x", "client_id": "c"})
        assert error_of(response, 401)["code"] in {"unauthenticated", "invalid_token"}


def test_identicon_avatar_is_served_as_svg(api: Api) -> None:
    alice = api.signed_up("alice")
    assert alice.user is not None
    avatar_url = alice.user["avatar_url"]
    assert not avatar_url.startswith("http"), "the identicon URL is relative to the relay"
    response = requests.get(urljoin(api.base + "/", avatar_url), timeout=WAIT)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    message = alice.sent("hi")
    assert message["author"]["avatar_url"] == avatar_url


def test_an_email_gives_a_gravatar_url(api: Api) -> None:
    bob = api.signed_up("bob", email="Bob.Smith@Example.com")
    assert bob.user is not None
    digest = hashlib.md5(b"bob.smith@example.com", usedforsecurity=False).hexdigest()
    assert bob.user["avatar_url"].startswith(f"https://www.gravatar.com/avatar/{digest}")


def test_unknown_avatars_are_404(api: Api) -> None:
    error_of(api.call("GET", "/api/avatars/nobody.svg"), 404)


def test_logging_in_again_forgets_the_users_expired_sessions(
    relay_hub: HubThread, api: Api
) -> None:
    """A session is never read after it expires: a new login deletes the user's old ones."""
    alice = api.signed_up("alice")
    api.signed_up("bob")
    relay = relay_hub.running.relay
    assert relay is not None
    store = relay.store
    alice_id, bob_id = (api.login(name).json()["user"]["id"] for name in ("alice", "bob"))
    relay_hub.call(lambda: store.create_session(alice_id, "expired-alice", 1000.0, 0.0))
    relay_hub.call(lambda: store.create_session(bob_id, "expired-bob", 1000.0, 0.0))
    assert relay_hub.call(lambda: store.session_user("expired-alice", 0.0)) is not None

    assert api.login("alice").status_code == 201

    assert relay_hub.call(lambda: store.session_user("expired-alice", 0.0)) is None
    assert relay_hub.call(lambda: store.session_user("expired-bob", 0.0)) is not None  # not hers
    assert alice.call("GET", "/api/rooms").status_code == 200  # her live session still works
