"""Pusher's HMAC signatures: the documented test vectors, and agreement with the libraries."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pusher
import pytest
from pusher.pusher_client import PusherClient

from desktopchat.server import signing

APP_ID = "3"
KEY = "278d425bdf160c739803"
SECRET = "7ad3773142a6692b25b8"
TIMESTAMP = 1353088179
BODY = b'{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}'
BODY_MD5 = "ec365a775a4cd0599faeb73354201b6f"
SIGNATURE = "da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c"
PATH = "/apps/3/events"
PARAMS = {
    "auth_key": KEY,
    "auth_timestamp": str(TIMESTAMP),
    "auth_version": "1.0",
    "body_md5": BODY_MD5,
}
SIGNED = {**PARAMS, "auth_signature": SIGNATURE}


def verify(
    *,
    params: dict[str, str] = SIGNED,
    body: bytes = BODY,
    now: float = TIMESTAMP,
    method: str = "POST",
    path: str = PATH,
    key: str = KEY,
    secret: str = SECRET,
) -> None:
    signing.verify_request(
        key=key, secret=secret, method=method, path=path, params=params, body=body, now=now
    )


def resigned(params: dict[str, str], secret: str = SECRET, path: str = PATH) -> dict[str, str]:
    """``params`` with a correct ``auth_signature`` (to isolate one other fault)."""
    return {**params, "auth_signature": signing.request_signature(secret, "POST", path, params)}


# --------------------------------------------------------------------- HTTP API test vector


def test_vector_body_md5() -> None:
    assert signing.body_md5(BODY) == BODY_MD5


def test_vector_request_signature() -> None:
    assert signing.request_signature(SECRET, "POST", PATH, PARAMS) == SIGNATURE


def test_request_signature_ignores_a_given_auth_signature_and_key_order_and_case() -> None:
    shuffled = {"BODY_MD5": BODY_MD5, "auth_version": "1.0", "Auth_Timestamp": str(TIMESTAMP)}
    shuffled = {**shuffled, "auth_key": KEY, "auth_signature": "anything"}

    assert signing.request_signature(SECRET, "post", PATH, shuffled) == SIGNATURE


def test_verify_request_accepts_the_vector() -> None:
    verify()  # raises RequestSignatureError on failure


@pytest.mark.parametrize("skew", [-600, -1, 0, 1, 600])
def test_verify_request_accepts_timestamps_within_600_seconds(skew: int) -> None:
    verify(now=TIMESTAMP + skew)


REJECTED: dict[str, Callable[[], None]] = {
    "wrong-secret": lambda: verify(secret="0" * 20),
    "timestamp-601s-old": lambda: verify(now=TIMESTAMP + 601),
    "timestamp-601s-ahead": lambda: verify(now=TIMESTAMP - 601),
    "tampered-body": lambda: verify(body=BODY.replace(b"foo", b"bar")),
    "tampered-body-and-its-md5": lambda: verify(
        body=b"{}", params={**SIGNED, "body_md5": signing.body_md5(b"{}")}
    ),
    "wrong-key": lambda: verify(key="ffffffffffffffffffff"),
    "auth-key-for-another-app": lambda: verify(
        params=resigned({**PARAMS, "auth_key": "ffffffffffffffffffff"})
    ),
    "missing-signature": lambda: verify(params=PARAMS),
    "empty-signature": lambda: verify(params={**PARAMS, "auth_signature": ""}),
    "upper-case-signature": lambda: verify(params={**PARAMS, "auth_signature": SIGNATURE.upper()}),
    "non-ascii-signature": lambda: verify(params={**PARAMS, "auth_signature": "\u00e9"}),
    "other-path": lambda: verify(path="/apps/4/events"),
    "other-method": lambda: verify(method="PUT"),
    "extra-parameter-added": lambda: verify(params={**SIGNED, "socket_id": "1.1"}),
    "missing-body-md5": lambda: verify(
        params=resigned({k: v for k, v in PARAMS.items() if k != "body_md5"})
    ),
    "body-md5-but-no-body": lambda: verify(body=b""),
    "missing-timestamp": lambda: verify(
        params=resigned({k: v for k, v in PARAMS.items() if k != "auth_timestamp"})
    ),
    "malformed-timestamp": lambda: verify(params=resigned({**PARAMS, "auth_timestamp": "soon"})),
    "auth-version-2": lambda: verify(params=resigned({**PARAMS, "auth_version": "2.0"})),
    "missing-auth-key": lambda: verify(
        params=resigned({k: v for k, v in PARAMS.items() if k != "auth_key"})
    ),
}


@pytest.mark.parametrize("attempt", REJECTED.values(), ids=REJECTED.keys())
def test_verify_request_rejects(attempt: Callable[[], None]) -> None:
    with pytest.raises(signing.RequestSignatureError):
        attempt()


def test_rejection_says_why_for_an_expired_timestamp() -> None:
    with pytest.raises(signing.RequestSignatureError, match=r"(?i)timestamp"):
        verify(now=TIMESTAMP + 601)


# ----------------------------------------------------- agreement with pusher-http-python


@pytest.fixture
def rest() -> pusher.Pusher:
    return pusher.Pusher(app_id=APP_ID, key=KEY, secret=SECRET)


def _verify_library_request(request: Any) -> None:
    params = {k: str(v) for k, v in request.query_params.items()}
    signing.verify_request(
        key=KEY,
        secret=SECRET,
        method=request.method,
        path=request.path,
        params=params,
        body=request.body,
        now=int(params["auth_timestamp"]) + 5,
    )


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(
            lambda c: c.trigger.make_request(["a", "b"], "e", {"text": "caf\u00e9"}),
            id="trigger",
        ),
        pytest.param(
            lambda c: c.trigger_batch.make_request([{"channel": "a", "name": "e", "data": "1"}]),
            id="trigger-batch",
        ),
        pytest.param(
            lambda c: c.channels_info.make_request("presence-", ["user_count"]), id="channels"
        ),
        pytest.param(
            lambda c: c.channel_info.make_request(
                "presence-a", ["user_count", "subscription_count"]
            ),
            id="channel-with-comma-info",
        ),
        pytest.param(lambda c: c.users_info.make_request("presence-a"), id="users"),
        pytest.param(lambda c: c.terminate_user_connections.make_request("alice"), id="terminate"),
    ],
)
def test_requests_signed_by_pusher_http_python_verify(
    make: Callable[[PusherClient], Any],
) -> None:
    # PusherClient is what pusher.Pusher delegates its HTTP calls to; make_request signs
    # without sending.
    _verify_library_request(make(PusherClient(app_id=APP_ID, key=KEY, secret=SECRET)))


def test_request_signed_by_pusher_http_python_with_another_secret_is_rejected() -> None:
    other = PusherClient(app_id=APP_ID, key=KEY, secret="another-secret")
    request = other.trigger.make_request(["a"], "e", "data")

    with pytest.raises(signing.RequestSignatureError):
        _verify_library_request(request)


# ------------------------------------------------------------------ channel authorization


def test_private_channel_vector() -> None:
    assert signing.channel_auth(KEY, SECRET, "1234.1234", "private-foobar") == (
        f"{KEY}:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4"
    )


@pytest.mark.parametrize(
    ("channel", "custom_data"),
    [
        ("private-foobar", None),
        ("private-chat.room_1", None),
        ("presence-room", {"user_id": "u1"}),
        ("presence-room", {"user_id": 7, "user_info": {"name": "Zo\u00eb", "tags": ["a"]}}),
    ],
    ids=["vector", "private", "presence", "presence-unicode-int-id"],
)
def test_channel_auth_matches_pusher_http_python(
    rest: pusher.Pusher, channel: str, custom_data: dict[str, Any] | None
) -> None:
    expected = rest.authenticate(channel, "1234.1234", custom_data)
    channel_data = expected.get("channel_data", "")

    assert (
        signing.channel_auth(KEY, SECRET, "1234.1234", channel, channel_data) == (expected["auth"])
    )


def test_encrypted_channel_auth_matches_pusher_http_python() -> None:
    master = base64.b64encode(bytes(range(32)))
    rest = pusher.Pusher(app_id=APP_ID, key=KEY, secret=SECRET, encryption_master_key_base64=master)

    expected = rest.authenticate("private-encrypted-room", "1.2")

    assert signing.channel_auth(KEY, SECRET, "1.2", "private-encrypted-room") == expected["auth"]


def test_presence_auth_signs_channel_data_byte_for_byte() -> None:
    spaced = json.dumps({"user_id": "u1"})
    compact = json.dumps({"user_id": "u1"}, separators=(",", ":"))

    assert signing.channel_auth(KEY, SECRET, "1.2", "presence-a", spaced) != (
        signing.channel_auth(KEY, SECRET, "1.2", "presence-a", compact)
    )
    assert signing.channel_auth(KEY, SECRET, "1.2", "presence-a", spaced) != (
        signing.channel_auth(KEY, SECRET, "1.2", "presence-a")
    )


def test_user_auth_matches_pusher_http_python(rest: pusher.Pusher) -> None:
    expected = rest.authenticate_user("1234.1234", {"id": "alice", "user_info": {"n": 1}})

    assert signing.user_auth(KEY, SECRET, "1234.1234", expected["user_data"]) == expected["auth"]


@pytest.mark.parametrize(
    ("given", "matches"),
    [
        (f"{KEY}:abc", True),
        (f"{KEY}:abd", False),
        (f"{KEY}:ab", False),
        (f"{KEY}:abc ", False),
        ("", False),
        (None, False),
        (123, False),
        (b"278d425bdf160c739803:abc", False),
    ],
)
def test_auth_matches(given: object, matches: bool) -> None:
    assert signing.auth_matches(f"{KEY}:abc", given) is matches


def test_auth_matches_a_non_ascii_string_without_raising() -> None:
    # hmac.compare_digest raises TypeError for non-ASCII str; bytes must be compared.
    assert signing.auth_matches(f"{KEY}:abc", f"{KEY}:\u00e4bc") is False
