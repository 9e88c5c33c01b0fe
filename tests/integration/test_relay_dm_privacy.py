"""A DM stays private through every feature that reads a room, not only history.

Search, reactions, read marks, files and "around" each reach messages by their own path;
each must ask the one membership check, or a third person could read (or learn of) a
conversation they are not in. Real hub + relay, on both stores.
"""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Api, error_of


def private_pair(api: Api) -> tuple[Api, Api, Api, dict[str, Any], dict[str, Any]]:
    """Alice and Bob with a DM holding one message; Carol, who is in neither."""
    alice, bob, carol = api.signed_up("alice"), api.signed_up("bob"), api.signed_up("carol")
    dm = alice.call("POST", "/api/dms", json={"users": ["bob"]}).json()["dm"]
    secret = alice.sent("the launch code is pelican", room=dm["name"])
    return alice, bob, carol, dm, secret


def test_search_finds_a_dm_for_its_members_only(api: Api) -> None:
    alice, bob, carol, dm, secret = private_pair(api)
    alice.sent("pelican sightings in general")
    for member in (alice, bob):
        found = member.call("GET", "/api/search", params={"q": "pelican"}).json()["results"]
        assert {r["room"] for r in found} == {"general", dm["name"]}
    found = carol.call("GET", "/api/search", params={"q": "pelican"}).json()["results"]
    assert [r["room"] for r in found] == ["general"]
    asked = carol.call("GET", "/api/search", params={"q": "pelican", "room": dm["name"]})
    assert error_of(asked, 404)["code"] == "no_such_room"
    assert all(r["message"]["id"] != secret["id"] or r["room"] != dm["name"] for r in found)


def test_an_outsider_cannot_react_mark_read_or_look_around_in_a_dm(api: Api) -> None:
    _alice, bob, carol, dm, secret = private_pair(api)
    base = f"/api/rooms/{dm['name']}"
    reaction = f"{base}/messages/{secret['id']}/reactions/:+1:"
    assert error_of(carol.call("PUT", reaction), 404)["code"] == "no_such_room"
    read = carol.call("PUT", f"{base}/read", json={"message_id": secret["id"]})
    assert error_of(read, 404)["code"] == "no_such_room"
    around = carol.call("GET", f"{base}/messages", params={"around": secret["id"]})
    assert error_of(around, 404)["code"] == "no_such_room"
    # The members may, and the reaction shows for them.
    assert bob.call("PUT", reaction).status_code == 200
    assert bob.call("PUT", f"{base}/read", json={"message_id": secret["id"]}).status_code == 200
    page = bob.call("GET", f"{base}/messages", params={"around": secret["id"]}).json()
    assert page["messages"][0]["reactions"][0]["count"] == 1


def test_an_outsider_can_neither_upload_to_nor_fetch_from_a_dm(api: Api) -> None:
    alice, bob, carol, dm, _secret = private_pair(api)
    base = f"/api/rooms/{dm['name']}/files"
    upload = carol.call("POST", base, params={"name": "x.txt"}, data=b"intruder")
    assert error_of(upload, 404)["code"] == "no_such_room"
    posted = alice.call("POST", base, params={"name": "plan.txt"}, data=b"the plan").json()["file"]
    body = {"text": "see the plan", "client_id": "plan-1", "attachments": [posted["id"]]}
    assert alice.call("POST", f"/api/rooms/{dm['name']}/messages", json=body).status_code == 201
    assert bob.call("GET", f"{base}/{posted['id']}").content == b"the plan"
    fetched = carol.call("GET", f"{base}/{posted['id']}")
    assert error_of(fetched, 404)["code"] == "no_such_room"
