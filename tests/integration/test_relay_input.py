"""Numbers the relay reads from URLs: only ASCII digits within SQLite's 64-bit integers.

``str.isdigit`` accepts "²" and "٣", which ``int()`` then refuses, and SQLite refuses
integers beyond 2**63 - 1: each must be a JSON 4xx, never a 500.
"""

from __future__ import annotations

import pytest

from tests.integration.conftest import Api, error_of

#: Not a non-negative integer the relay can look up.
NOT_NUMBERS = [
    "²",
    "٣",
    "1²",
    "\uff19",  # fullwidth nine
    "-1",
    "+1",
    " 1",
    "0x10",
    str(2**63),
    "9" * 20,
    "1" + "0" * 400,
]
QUERIES = [
    ("/api/rooms/general/messages", "after"),
    ("/api/rooms/general/messages", "before"),
    ("/api/rooms/general/messages", "limit"),
    ("/api/rooms/general/changes", "since"),
    ("/api/rooms/general/changes", "limit"),
    ("/api/rooms", "limit"),
]


@pytest.fixture
def alice(api: Api) -> Api:
    return api.signed_up("alice")


@pytest.mark.parametrize(("path", "name"), QUERIES, ids=[f"{p}?{n}" for p, n in QUERIES])
def test_a_query_number_that_is_not_plain_digits_is_400(alice: Api, path: str, name: str) -> None:
    # Every value on one relay: the suite runs on each store, and one hub per value was most
    # of its time.
    alice.sent("exists")
    for value in NOT_NUMBERS:
        response = alice.call("GET", path, params={name: value})
        assert response.status_code == 400, (value, response.text)
        assert error_of(response, 400)["code"] == f"invalid_{name}", value


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_a_message_id_that_is_not_plain_digits_is_404(alice: Api, method: str) -> None:
    alice.sent("exists")
    for value in NOT_NUMBERS:
        path = f"/api/rooms/general/messages/{value}"
        response = alice.call(method, path, json={"text": "edit"})
        assert response.status_code == 404, (value, response.text)
        assert error_of(response, 404)["code"] == "no_such_message", value
        messages = alice.history().json()["messages"]
        assert [(m["text"], m["deleted"]) for m in messages] == [("exists", False)], value


def test_the_largest_id_sqlite_holds_is_merely_missing(alice: Api) -> None:
    path = f"/api/rooms/general/messages/{2**63 - 1}"
    assert error_of(alice.call("DELETE", path), 404)["code"] == "no_such_message"
    history = alice.history(after=2**59)
    assert history.status_code == 200, history.text
    assert history.json() == {"messages": [], "has_more": False}


@pytest.mark.parametrize("value", ["²", "٣", "1" * 30])
def test_an_avatar_id_that_is_not_plain_digits_is_404(api: Api, value: str) -> None:
    assert error_of(api.call("GET", f"/api/avatars/{value}.svg"), 404)["code"] == "not_found"


#: Names with a NUL, which PostgreSQL's text cannot hold: each must be a JSON 4xx there too.
NUL_REQUESTS = [
    ("GET", "/api/rooms/gen%00eral/messages", {}, 404, "no_such_room"),
    (
        "POST",
        "/api/rooms/gen%00eral/messages",
        {"text": "hi", "client_id": "c1"},
        404,
        "no_such_room",
    ),
    ("PATCH", "/api/rooms/gen%00eral", {"topic": "t"}, 404, "no_such_room"),
    ("GET", "/api/rooms/gen%00eral/changes", {}, 404, "no_such_room"),
    ("GET", "/api/rooms?after=gen%00", {}, 400, "invalid_after"),
]


@pytest.mark.parametrize("request_", NUL_REQUESTS, ids=[r[1] for r in NUL_REQUESTS])
def test_a_nul_in_a_name_is_a_json_4xx(
    alice: Api, request_: tuple[str, str, dict[str, str], int, str]
) -> None:
    method, path, body, status, code = request_
    response = alice.call(method, path, json=body or None)
    assert error_of(response, status)["code"] == code
    assert alice.history().status_code == 200  # and the relay goes on
