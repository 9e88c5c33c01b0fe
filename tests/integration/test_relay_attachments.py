"""Files through the real relay hub, on each store: upload, attach, download, refuse.

Everything goes over real HTTP to a hub on port 0; images are made with Pillow, and the
hostile ones (a decompression bomb, a truncated PNG, HTML named .png) by hand.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import struct
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import aiohttp
import pytest
import requests
from PIL import Image

from desktopchat.server.relay import limits
from desktopchat.server.runner import HubThread
from tests.integration.conftest import Api, base_url, error_of, events_of, listen_room


def png(width: int = 64, height: int = 48, color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG of ``width`` x ``height``."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def noisy_png(side: int = 200) -> bytes:
    """A PNG whose pixel data does not compress away (so truncating it cuts pixels)."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), bytes(range(256)) * (side * side * 3 // 256 + 1)).save(
        out, "PNG"
    )
    return out.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def bomb_png(side: int = 100_000) -> bytes:
    """A few hundred bytes claiming ``side`` x ``side`` pixels (10 gigapixels by default)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", rows)
        + _chunk(b"IEND", b"")
    )


def upload(
    api: Api, data: bytes, name: str = "shot.png", room: str = "general"
) -> requests.Response:
    """``POST /api/rooms/{room}/files?name=NAME`` with ``data`` as the body."""
    return api.call("POST", f"/api/rooms/{room}/files", params={"name": name}, data=data)


def uploaded(
    api: Api, data: bytes, name: str = "shot.png", room: str = "general"
) -> dict[str, Any]:
    """Upload and return the file's record, asserting 201."""
    response = upload(api, data, name, room)
    assert response.status_code == 201, response.text
    file: dict[str, Any] = response.json()["file"]
    return file


def send_files(
    api: Api, ids: list[str], text: str = "", room: str = "general"
) -> requests.Response:
    """Send a message carrying ``ids``."""
    body = {"text": text, "client_id": f"files-{'-'.join(ids)}"[:64], "attachments": ids}
    return api.call("POST", f"/api/rooms/{room}/messages", json=body)


def test_round_trip_keeps_the_bytes_and_the_message_carries_them(
    api: Api, relay_pysher: Any
) -> None:
    alice, bob = api.signed_up("alice"), api.signed_up("bob")
    inboxes = listen_room(relay_pysher(), bob, "message")
    image, log = png(64, 48), b"line one\nline two\n" * 1000
    first, second = uploaded(alice, image, "shot.png"), uploaded(alice, log, "build.log")
    assert first["hash"] == hashlib.sha256(image).hexdigest()
    assert (first["size"], first["type"], first["width"], first["height"]) == (
        len(image),
        "image/png",
        64,
        48,
    )
    assert (second["type"], second["width"], second["height"]) == (
        "text/plain; charset=utf-8",
        None,
        None,
    )

    sent = send_files(alice, [first["id"], second["id"]], text="the screenshot and the log")
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert [a["id"] for a in message["attachments"]] == [first["id"], second["id"]]
    assert message["text"] == "the screenshot and the log"
    [event] = events_of(inboxes["message"], 1, "the message with files")
    assert event["attachments"] == message["attachments"]
    [stored] = bob.history().json()["messages"]
    assert stored["attachments"] == message["attachments"]

    for record, data in ((first, image), (second, log)):
        got = bob.call("GET", record["url"])
        assert got.status_code == 200
        assert hashlib.sha256(got.content).hexdigest() == record["hash"]
        assert got.content == data
        assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert bob.call("GET", first["url"]).headers["Content-Disposition"].startswith("inline")
    log_headers = bob.call("GET", second["url"]).headers
    assert log_headers["Content-Disposition"].startswith("attachment")
    assert 'filename="build.log"' in log_headers["Content-Disposition"]


def test_a_caption_is_optional_but_a_message_needs_text_or_files(api: Api) -> None:
    alice = api.signed_up("alice")
    file = uploaded(alice, png())
    assert send_files(alice, [file["id"]]).status_code == 201
    error_of(send_files(alice, []), 400)


def test_a_retry_with_the_same_client_id_is_one_message_with_its_files(api: Api) -> None:
    alice = api.signed_up("alice")
    file = uploaded(alice, png())
    first, again = send_files(alice, [file["id"]]), send_files(alice, [file["id"]])
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()


def test_one_file_sent_by_many_messages_at_once_is_on_one_and_nothing_else_is_stored(
    api: Api,
) -> None:
    """Eight sends of one file at once all pass the check before storing; one gets it (201),
    the others 409 ``attachment_taken`` and leave no message behind (the message and its
    files are one commit: before, each loser stored a message that was never announced)."""
    alice = api.signed_up("alice")
    file = uploaded(alice, png())

    def send(n: int) -> requests.Response:
        body = {"text": f"take {n}", "client_id": f"take-{n}", "attachments": [file["id"]]}
        return alice.call("POST", "/api/rooms/general/messages", json=body)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(send, range(8)))
    assert sorted(a.status_code for a in answers) == [201] + [409] * 7
    assert {error_of(a, 409)["code"] for a in answers if a.status_code == 409} == {
        "attachment_taken"
    }
    [winner] = [a.json() for a in answers if a.status_code == 201]
    assert alice.history().json()["messages"] == [winner]


def test_html_named_png_is_served_as_an_attachment_of_its_sniffed_type(api: Api) -> None:
    alice = api.signed_up("alice")
    page = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
    file = uploaded(alice, page, "cute-cat.png")
    assert (file["type"], file["width"], file["thumbnail_url"]) == (
        "text/plain; charset=utf-8",
        None,
        None,
    )
    got = alice.call("GET", file["url"])
    assert got.content == page
    assert got.headers["Content-Type"].startswith("text/plain")
    assert got.headers["Content-Disposition"].startswith("attachment")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    error_of(alice.call("GET", file["url"] + "/thumbnail"), 404)


def test_names_lose_paths_controls_and_bidi_overrides(api: Api) -> None:
    alice = api.signed_up("alice")
    names = {
        "../../etc/passwd": "passwd",
        "C:\\Users\\me\\report.pdf": "report.pdf",
        "invoice\u202egnp.exe": "invoicegnp.exe",
        "a\x00b\x1b[31mc.txt": "ab[31mc.txt",
        "..": "file",
        "x" * 300 + ".txt": "x" * 196 + ".txt",
    }
    for raw, clean in names.items():
        assert uploaded(alice, b"some text", raw)["name"] == clean, raw


def test_a_decompression_bomb_gets_no_preview_and_the_relay_goes_on(api: Api) -> None:
    alice = api.signed_up("alice")
    bomb = uploaded(alice, bomb_png(), "bomb.png")
    assert (bomb["type"], bomb["width"], bomb["thumbnail_url"]) == ("image/png", None, None)
    got = alice.call("GET", bomb["url"])
    assert got.headers["Content-Disposition"].startswith("attachment")  # never shown inline
    assert error_of(alice.call("GET", bomb["url"] + "/thumbnail"), 404)["code"] == "no_preview"
    assert uploaded(alice, png())["width"] == 64  # still serving


def test_a_truncated_png_gets_a_clear_no_preview(api: Api) -> None:
    alice = api.signed_up("alice")
    whole = noisy_png()
    cut = uploaded(alice, whole[: len(whole) // 2], "cut.png")
    assert (cut["width"], cut["height"]) == (200, 200)  # its header is intact
    for _ in range(2):  # decoded once; the answer is remembered
        error = error_of(alice.call("GET", cut["thumbnail_url"]), 404)
        assert error["code"] == "no_preview"
        assert "truncated" in error["message"]


def test_a_thumbnail_is_small_and_made_once(api: Api) -> None:
    alice = api.signed_up("alice")
    file = uploaded(alice, png(1600, 900), "wide.png")
    first = alice.call("GET", file["thumbnail_url"])
    assert first.status_code == 200, first.text
    assert first.headers["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(first.content)) as thumb:
        assert thumb.size == (320, 180)
    assert alice.call("GET", file["thumbnail_url"]).headers["ETag"] == first.headers["ETag"]
    again = alice.call("GET", file["url"], headers={"If-None-Match": f'"{file["hash"]}"'})
    assert (again.status_code, again.content) == (304, b"")


def test_views_at_once_of_a_new_image_all_get_its_one_thumbnail(api: Api) -> None:
    alice = api.signed_up("alice")
    file = uploaded(alice, png(900, 900, (10, 200, 90)), "square.png")
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: alice.call("GET", file["thumbnail_url"]), range(6)))
    assert {(a.status_code, a.headers["ETag"]) for a in answers} == {
        (200, answers[0].headers["ETag"])
    }


def test_over_the_size_limit_is_refused_from_content_length_and_while_streaming(
    start_relay_hub: Callable[..., HubThread],
) -> None:
    api = Api(base_url(start_relay_hub(max_file_bytes=1000)))
    alice = api.signed_up("alice")
    assert api.call("GET", "/api/config").json()["max_file_bytes"] == 1000
    assert uploaded(alice, b"x" * 1000, "fits.txt")["size"] == 1000
    assert error_of(upload(alice, b"x" * 1001, "big.txt"), 413)["code"] == "file_too_large"

    def chunked() -> Any:  # no Content-Length: refused once the bytes pass the limit
        yield from (b"y" * 600, b"y" * 600)

    response = alice.call("POST", "/api/rooms/general/files", params={"name": "c"}, data=chunked())
    assert error_of(response, 413)["code"] == "file_too_large"


def test_over_the_quota_is_refused(start_relay_hub: Callable[..., HubThread]) -> None:
    api = Api(base_url(start_relay_hub(file_quota_bytes=2500)))
    alice, bob = api.signed_up("alice"), api.signed_up("bob")
    uploaded(alice, b"a" * 2000, "one.txt")
    assert error_of(upload(alice, b"b" * 1000, "two.txt"), 413)["code"] == "quota_exceeded"
    uploaded(alice, b"c" * 500, "fits.txt")
    uploaded(bob, b"d" * 2000, "bobs.txt")  # a quota is per user


def test_an_upload_abandoned_for_a_day_no_longer_counts_toward_the_quota(
    start_relay_hub: Callable[..., HubThread],
) -> None:
    hub = start_relay_hub(file_quota_bytes=2500)
    api = Api(base_url(hub))
    alice = api.signed_up("alice")
    sent = uploaded(alice, b"s" * 1000, "sent.txt")
    assert send_files(alice, [sent["id"]], "carries it").status_code == 201
    abandoned = uploaded(alice, b"a" * 1000, "abandoned.txt")
    assert error_of(upload(alice, b"b" * 1000, "b.txt"), 413)["code"] == "quota_exceeded"

    relay = hub.running.relay
    assert relay is not None
    store = relay.store
    old = limits.UNATTACHED_FILE_GRACE + 60
    hub.call(lambda: _backdate(store, abandoned["id"], old))

    uploaded(alice, b"b" * 1000, "b.txt")  # the abandoned one is not counted now
    # ... but one a message carries always is, however old.
    assert error_of(upload(alice, b"c" * 1000, "c.txt"), 413)["code"] == "quota_exceeded"


def _backdate(store: Any, file_id: str, seconds: float) -> None:
    """Make file ``file_id`` look uploaded ``seconds`` ago (straight in the store's table)."""
    file = store.file("general", file_id)
    assert file is not None
    sql = "UPDATE files SET created_at = created_at - {} WHERE id = {}"
    if hasattr(store, "_pool"):  # PostgreSQL
        with store._pool.connection() as conn:
            conn.execute(sql.format("%s", "%s"), (seconds, file_id))
    else:
        store._db.execute(sql.format("?", "?"), (seconds, file_id))


def test_a_burst_of_uploads_stays_within_the_quota(
    start_relay_hub: Callable[..., HubThread],
) -> None:
    """Five uploads at once that each fit alone: only as many as the quota holds land."""
    api = Api(base_url(start_relay_hub(file_quota_bytes=2500)))
    alice = api.signed_up("alice")
    assert alice.token is not None

    async def run() -> list[int]:
        headers = {"Authorization": f"Bearer {alice.token}"}
        async with aiohttp.ClientSession(headers=headers) as http:

            async def post(n: int) -> int:
                url = f"{api.base}/api/rooms/general/files"
                async with http.post(
                    url, params={"name": f"{n}.txt"}, data=bytes([65 + n]) * 1000
                ) as response:
                    return response.status

            return list(await asyncio.gather(*(post(n) for n in range(5))))

    statuses = asyncio.run(run())
    assert sorted(statuses) == [201, 201, 413, 413, 413], statuses
    # What landed is what the quota holds: 500 more fit, 501 would not.
    assert error_of(upload(alice, b"z" * 501, "over.txt"), 413)["code"] == "quota_exceeded"
    uploaded(alice, b"z" * 500, "fits.txt")


def test_uploads_past_the_rate_are_refused_with_retry_after(
    monkeypatch: pytest.MonkeyPatch, start_relay_hub: Callable[..., HubThread]
) -> None:
    monkeypatch.setattr(limits, "UPLOADS_PER_USER", 3)
    api = Api(base_url(start_relay_hub()))
    alice, bob = api.signed_up("alice"), api.signed_up("bob")
    for n in range(3):
        uploaded(alice, b"n%d" % n, f"{n}.txt")
    refused = upload(alice, b"one too many", "4.txt")
    assert error_of(refused, 429)["code"] == "too_many_uploads"
    assert int(refused.headers["Retry-After"]) >= 1
    error_of(upload(alice, b""), 400)  # refused before the rate is asked: counts nothing
    uploaded(bob, b"bob's own", "b.txt")  # a rate is per user


def test_who_may_not_read_gets_nothing(api: Api) -> None:
    alice, bob = api.signed_up("alice"), api.signed_up("bob")
    created = alice.call("POST", "/api/rooms", json={"name": "other"})
    assert created.status_code == 201, created.text
    file = uploaded(alice, png())
    error_of(api.call("GET", file["url"]), 401)  # not signed in
    error_of(upload(api, b"hello"), 401)
    error_of(api.as_token("not-a-token").call("GET", file["url"]), 401)
    # Not yet carried by a message: its uploader's alone.
    assert error_of(bob.call("GET", file["url"]), 404)["code"] == "no_such_file"
    # Another room's path does not reach it.
    error_of(bob.call("GET", f"/api/rooms/other/files/{file['id']}"), 404)
    error_of(alice.call("GET", f"/api/rooms/other/files/{file['id']}"), 404)
    # Nor can another user attach it, nor can it go to another room's message.
    assert error_of(send_files(bob, [file["id"]]), 400)["code"] == "invalid_attachment"
    error_of(send_files(alice, [file["id"]], room="other"), 400)
    message = send_files(alice, [file["id"]])
    assert message.status_code == 201
    assert bob.call("GET", file["url"]).status_code == 200
    # Once its message is deleted, the file is no one's.
    deleted = alice.call("DELETE", f"/api/rooms/general/messages/{message.json()['id']}")
    assert deleted.json()["attachments"] == []
    error_of(bob.call("GET", file["url"]), 404)


def test_bad_requests_get_clear_errors(api: Api) -> None:
    alice = api.signed_up("alice")
    assert error_of(upload(alice, b""), 400)["code"] == "empty_file"
    error_of(upload(alice, b"x", room="no-such-room"), 404)
    error_of(upload(alice, b"x", name="n" * 2000), 400)
    error_of(alice.call("GET", "/api/rooms/general/files/..%2F..%2Fetc"), 404)
    body = {"text": "x", "client_id": "c1", "attachments": "not-a-list"}
    error_of(alice.call("POST", "/api/rooms/general/messages", json=body), 400)
    assert error_of(send_files(alice, ["nope"]), 400)["code"] == "invalid_attachment"
    assert alice.history().json()["messages"] == []  # nothing was stored
