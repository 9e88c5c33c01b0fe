"""Password-less local login (``POST /api/sessions/local``) under attack: replays, odd input.

The hub's credentials live in its data dir, as with ``desktopchat serve``, so the client's
own :func:`desktopchat.client.embedded.local_login` signs exactly as the window and CLI do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktopchat.client import embedded
from desktopchat.client.relay_client import RelayClient
from desktopchat.server import credentials as hub_credentials
from desktopchat.server import signing
from desktopchat.server.credentials import AppCredentials
from desktopchat.server.runner import HubThread
from tests.integration.conftest import Api, base_url, error_of

NONCE = "a-nonce-of-22-chars-xy"


@pytest.fixture
def credentials(tmp_path: Path) -> AppCredentials:
    """The hub's credentials, kept in its data dir (where ``local_login`` reads them)."""
    return hub_credentials.load_or_create(tmp_path / "hub")


@pytest.fixture
def local_hub(start_relay_hub: Callable[..., HubThread]) -> HubThread:
    """A relay hub that offers local login, on ``tmp_path / "hub"``."""
    return start_relay_hub(local_login=True)


@pytest.fixture
def local_api(local_hub: HubThread) -> Api:
    return Api(base_url(local_hub))


def signed(
    credentials: AppCredentials,
    username: str = "carol",
    *,
    nonce: str | None = NONCE,
    at: int | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A local-login body signed at ``at`` (now), then with ``fields`` added or replaced."""
    timestamp = int(time.time()) if at is None else at
    body: dict[str, Any] = {
        "username": username,
        "timestamp": timestamp,
        "signature": signing.local_login_signature(credentials.secret, username, timestamp, nonce),
    }
    if nonce is not None:
        body["nonce"] = nonce
    return {**body, **fields}


def post_local(api: Api, body: object) -> Any:
    return api.call("POST", "/api/sessions/local", json=body)


@pytest.mark.parametrize("nonce", [NONCE, None], ids=["with-nonce", "without-nonce"])
def test_a_signed_body_logs_in_once_and_is_refused_when_replayed(
    local_api: Api, credentials: AppCredentials, nonce: str | None
) -> None:
    body = signed(credentials, nonce=nonce)
    first = post_local(local_api, body)
    assert first.status_code == 201, first.text
    for _ in range(5):
        assert error_of(post_local(local_api, body), 401)["code"] == "signature_used"
    # The one session works; the replays made none.
    assert local_api.as_token(first.json()["token"]).call("GET", "/api/me").status_code == 200


def test_a_replay_is_refused_after_a_hub_restart_too(
    start_relay_hub: Callable[..., HubThread], credentials: AppCredentials
) -> None:
    body = signed(credentials)
    hub = start_relay_hub(local_login=True)
    assert post_local(Api(base_url(hub)), body).status_code == 201
    hub.stop()
    again = start_relay_hub(local_login=True)
    assert error_of(post_local(Api(base_url(again)), body), 401)["code"] == "signature_used"


def test_two_logins_in_the_same_second_with_their_own_nonces_both_work(
    local_api: Api, credentials: AppCredentials
) -> None:
    timestamp = int(time.time())
    first = post_local(local_api, signed(credentials, at=timestamp, nonce="1" * 22))
    second = post_local(local_api, signed(credentials, at=timestamp, nonce="2" * 22))
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["token"] != second.json()["token"]


def test_the_clients_local_login_works_again_and_again(
    local_hub: HubThread, tmp_path: Path
) -> None:
    """What the window and ``send``/``tail`` do, several times within one second."""
    client = RelayClient(base_url(local_hub))
    try:
        tokens = {embedded.local_login(client, tmp_path / "hub")[0] for _ in range(4)}
    finally:
        client.close()
    assert len(tokens) == 4


@pytest.mark.parametrize(
    "display_name",
    ["\u202eevil.exe", "bell\x07", "zero\u200bwidth", "   ", "x" * 65, 42],
    ids=["rtl-override", "control", "zero-width", "blank", "too-long", "not-a-string"],
)
def test_the_display_name_is_validated_as_at_registration(
    local_api: Api, credentials: AppCredentials, display_name: object
) -> None:
    registered = local_api.register("dave", display_name=display_name)
    refused = post_local(local_api, signed(credentials, display_name=display_name))
    assert error_of(refused, 400)["code"] == "invalid_display_name"
    assert error_of(registered, 400)["code"] == "invalid_display_name"
    # Nothing was created: a good name still makes the account, with that name.
    created = post_local(local_api, signed(credentials, nonce="b" * 22, display_name="Carol"))
    assert created.status_code == 201, created.text
    assert created.json()["user"]["display_name"] == "Carol"


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"signature": "é" * 64}, 401, "invalid_signature"),
        ({"signature": "\u00e9"}, 401, "invalid_signature"),
        ({"signature": "\ud800"}, 400, "invalid_signature"),
        ({"signature": 123}, 400, "invalid_signature"),
        ({"signature": "f" * 65}, 400, "invalid_signature"),
        ({"timestamp": 10**400}, 401, "invalid_signature"),
        ({"timestamp": -(10**400)}, 401, "invalid_signature"),
        ({"timestamp": 1.5}, 400, "invalid_timestamp"),
        ({"timestamp": True}, 400, "invalid_timestamp"),
        ({"timestamp": "1700000000"}, 400, "invalid_timestamp"),
        ({"timestamp": None}, 400, "invalid_timestamp"),
        ({"nonce": "short"}, 400, "invalid_nonce"),
        ({"nonce": "ünïcødé-nonce-of-some-length"}, 400, "invalid_nonce"),
        ({"username": "émile"}, 400, "invalid_username"),
    ],
)
def test_bad_local_login_input_is_a_json_4xx(
    local_api: Api, credentials: AppCredentials, fields: dict[str, Any], status: int, code: str
) -> None:
    assert error_of(post_local(local_api, signed(credentials, **fields)), status)["code"] == code


def test_a_huge_timestamp_in_the_raw_body_is_a_json_4xx(local_api: Api) -> None:
    """``10**400`` as JSON text, as an attacker sends it (not via Python's float)."""
    body = b'{"username": "carol", "timestamp": 1' + b"0" * 400 + b', "signature": "00"}'
    error = error_of(local_api.call("POST", "/api/sessions/local", data=body), 401)
    assert error["code"] == "invalid_signature"
