"""The room list comes in pages (`after`, `limit`, `has_more`); the client follows them."""

from __future__ import annotations

import pytest

from desktopchat.client import relay_client
from desktopchat.client.relay_client import RelayClient
from desktopchat.server.relay import limits
from tests.integration.conftest import Api, error_of

NAMES = ["general", *(f"room-{n}" for n in range(7))]


@pytest.fixture
def alice(api: Api) -> Api:
    user = api.signed_up("alice")
    for name in NAMES[1:]:
        assert user.call("POST", "/api/rooms", json={"name": name}).status_code == 201
    return user


def names_of(answer: dict[str, object]) -> list[str]:
    rooms = answer["rooms"]
    assert isinstance(rooms, list)
    return [room["name"] for room in rooms]


def test_rooms_come_in_pages_by_name(alice: Api) -> None:
    seen: list[str] = []
    params: dict[str, object] = {"limit": 3}
    pages = 0
    while True:
        response = alice.call("GET", "/api/rooms", params=params)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert set(answer) == {"rooms", "has_more"}
        page = names_of(answer)
        assert 1 <= len(page) <= 3
        seen += page
        pages += 1
        if not answer["has_more"]:
            break
        params = {"limit": 3, "after": page[-1]}
    assert pages == 3
    assert seen == sorted(NAMES)


def test_without_parameters_the_first_page_holds_the_default_number(alice: Api) -> None:
    answer = alice.call("GET", "/api/rooms").json()
    assert names_of(answer) == sorted(NAMES)
    assert answer["has_more"] is False
    assert len(NAMES) < limits.ROOMS_DEFAULT_LIMIT


def test_after_the_last_room_the_page_is_empty(alice: Api) -> None:
    answer = alice.call("GET", "/api/rooms", params={"after": "zzz"}).json()
    assert answer == {"rooms": [], "has_more": False}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"limit": 0}, "invalid_limit"),
        ({"limit": limits.ROOMS_MAX_LIMIT + 1}, "invalid_limit"),
        ({"limit": "x"}, "invalid_limit"),
        ({"after": "a" * 65}, "invalid_after"),
    ],
)
def test_bad_page_parameters_are_400(alice: Api, params: dict[str, object], code: str) -> None:
    assert error_of(alice.call("GET", "/api/rooms", params=params), 400)["code"] == code


def test_the_client_follows_the_pages(alice: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(relay_client, "ROOM_PAGE_SIZE", 2)
    client = RelayClient(alice.base, alice.token)
    try:
        assert [room.name for room in client.rooms()] == sorted(NAMES)
    finally:
        client.close()
