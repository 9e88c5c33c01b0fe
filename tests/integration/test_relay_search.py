"""``GET /api/search`` on the real hub, over both stores: what matches, in what order, with
which highlights, how it pages, and every error it documents, hostile queries included."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api, error_of


@pytest.fixture
def alice(api: Api) -> Api:
    return api.signed_up("alice", display_name="Alice A.")


def search(api: Api, q: str, **params: Any) -> Any:
    response = api.call("GET", "/api/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return response.json()


def found(api: Api, q: str, **params: Any) -> list[tuple[str, int]]:
    return [(r["room"], r["message"]["id"]) for r in search(api, q, **params)["results"]]


def test_results_are_newest_first_across_rooms_with_highlight_offsets(alice: Api) -> None:
    assert alice.call("POST", "/api/rooms", json={"name": "dev"}).status_code == 201
    first = alice.sent("The deploy finished")
    alice.sent("nothing to see")
    second = alice.sent("Deploying again, DEPLOY!", room="dev")
    body = search(alice, "deploy*")
    assert [(r["room"], r["message"]["id"]) for r in body["results"]] == [
        ("dev", second["id"]),
        ("general", first["id"]),
    ]
    newest = body["results"][0]
    assert newest["message"] == second
    text = newest["message"]["text"]
    assert [text[a:b] for a, b in newest["highlights"]] == ["Deploying", "DEPLOY"]
    assert body["has_more"] is False
    assert body["next_before"] is None


def test_every_word_must_match_and_phrases_keep_their_order(alice: Api) -> None:
    both = alice.sent("release notes for Friday")
    alice.sent("release day")
    alice.sent("notes release")
    assert found(alice, "notes release") == [("general", 3), ("general", both["id"])]
    assert found(alice, '"release notes"') == [("general", both["id"])]
    assert found(alice, "RELEASE friday") == [("general", both["id"])]


def test_room_limits_the_search(alice: Api) -> None:
    assert alice.call("POST", "/api/rooms", json={"name": "dev"}).status_code == 201
    alice.sent("ping from general")
    in_dev = alice.sent("ping from dev", room="dev")
    assert found(alice, "ping", room="dev") == [("dev", in_dev["id"])]


def test_an_edited_message_is_found_by_its_new_text_only_and_a_deleted_one_not_at_all(
    alice: Api,
) -> None:
    edited = alice.sent("colour of the bikeshed")
    gone = alice.sent("bikeshed secrets")
    patched = alice.call(
        "PATCH", f"/api/rooms/general/messages/{edited['id']}", json={"text": "hue"}
    )
    assert patched.status_code == 200
    assert alice.call("DELETE", f"/api/rooms/general/messages/{gone['id']}").status_code == 200
    assert found(alice, "bikeshed") == []
    assert found(alice, "colour") == []
    assert found(alice, "hue") == [("general", edited["id"])]


def test_pages_follow_next_before_without_repeats(alice: Api) -> None:
    ids = [alice.sent(f"page item {n}")["id"] for n in range(5)]
    seen: list[int] = []
    params: dict[str, Any] = {"limit": 2}
    while True:
        body = search(alice, "item", **params)
        seen += [r["message"]["id"] for r in body["results"]]
        if not body["has_more"]:
            assert body["next_before"] is None
            break
        params["before"] = body["next_before"]
    assert seen == ids[::-1]


def test_search_needs_a_session(api: Api) -> None:
    assert error_of(api.call("GET", "/api/search", params={"q": "x"}), 401)["code"] == (
        "unauthenticated"
    )


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({}, 400, "empty_query"),
        ({"q": ""}, 400, "empty_query"),
        ({"q": "   "}, 400, "empty_query"),
        ({"q": "x" * 257}, 400, "query_too_long"),
        ({"q": "x" * 10_000}, 400, "query_too_long"),
        ({"q": "日本" * 5_000}, 400, "query_too_long"),
        ({"q": '"unclosed phrase'}, 400, "invalid_query"),
        ({"q": "***"}, 400, "invalid_query"),
        ({"q": "a\x00b"}, 400, "invalid_query"),
        ({"q": " ".join(f"w{n}" for n in range(17))}, 400, "invalid_query"),
        ({"q": "x", "limit": "0"}, 400, "invalid_limit"),
        ({"q": "x", "limit": "101"}, 400, "invalid_limit"),
        ({"q": "x", "limit": "ten"}, 400, "invalid_limit"),
        ({"q": "x", "before": "yesterday"}, 400, "invalid_before"),
        ({"q": "x", "before": "1.5~general~0"}, 400, "invalid_before"),
        ({"q": "x", "room": "nowhere"}, 404, "no_such_room"),
        ({"q": "x", "room": "Bad Name"}, 404, "no_such_room"),
    ],
)
def test_bad_input_gets_its_error_code(
    alice: Api, params: dict[str, str], status: int, code: str
) -> None:
    assert error_of(alice.call("GET", "/api/search", params=params), status)["code"] == code


HOSTILE = [
    '"',
    '""',
    "'",
    "NEAR(",
    "NEAR(a b",
    "NEAR(a b, 2)",
    "a NEAR/2 b",
    "*",
    "a*",
    "*a",
    "^",
    "^start",
    ":",
    "text:secret",
    "col : x",
    "(",
    ")",
    "((a)",
    "a)",
    "a AND",
    "OR",
    "NOT a",
    "a -b",
    "a & b | !c",
    "a <-> b",
    "'a':*",
    "a:* & b:B",
    "\\",
    "%_%",
    "'; DROP TABLE messages; --",
    "{a b}",
    "+a +b",
    "\u200b",
    "😀",
    "日本語",
    "a\x00",
    "\x1b[2J",
    "ǅ ß ﬁ",
    "x" * 256,
    "word " * 50,
]


@pytest.mark.parametrize("q", HOSTILE)
def test_hostile_queries_get_results_or_a_400_never_a_500(alice: Api, q: str) -> None:
    alice.sent("a b secret text start")
    response = alice.call("GET", "/api/search", params={"q": q})
    if response.status_code == 200:
        assert isinstance(response.json()["results"], list)
    else:
        assert error_of(response, 400)["code"] in {"empty_query", "query_too_long", "invalid_query"}
    # The relay still answers the next search as before.
    assert found(alice, "secret") == [("general", 1)]


def test_markup_in_messages_comes_back_as_text_with_offsets(alice: Api) -> None:
    message = alice.sent("<b>bold</b> & <script>alert(1)</script>")
    result = search(alice, "script")["results"][0]
    assert result["message"]["text"] == message["text"]
    text = message["text"]
    assert [text[a:b] for a, b in result["highlights"]] == ["script", "script"]
