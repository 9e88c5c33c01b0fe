"""Benchmarks of search: the local index over 100,000 messages, and the relay's endpoint.

Measuring code for ``run.py --only search``, not a test; figures are printed next to their
targets, never asserted.

* **Local** (the window's and ``desktopchat search``'s offline path): a real
  ``LocalDatabase`` filled with 100,000 made-up messages in 10 rooms through ``store`` (the
  path history takes, index kept on every write), then :func:`search_local` for a rare word,
  a word in ~1 % of messages, one in ~30 %, a prefix, a phrase, and a word in one room; each
  repeated, median and worst reported. Target: every query ≤ 50 ms.
* **Relay** (``GET /api/search`` over HTTP, keep-alive): a hub in this process with its
  relay on SQLite, then on PostgreSQL (a private server, ``tests/postgres_server.py``), each
  holding the same 100,000 messages, inserted straight into the database (the search
  triggers and the GIN index are maintained as for any insert).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import requests

from desktopchat.client.cache import LocalDatabase
from desktopchat.client.domain import Author, Message
from desktopchat.client.search import search_local
from desktopchat.server.credentials import generate
from desktopchat.server.hub import HubConfig
from desktopchat.server.relay.database import PostgresSettings
from desktopchat.server.relay.service import DATABASE_FILE, RelayConfig
from desktopchat.server.runner import HubThread
from tests.benchmarks.common import Row

MESSAGES = 100_000
ROOMS = 10
GOAL_MS = 50.0
REPEATS = 20
#: Queries timed, by what they are: rare (a handful of hits) up to common (~30 %).
QUERIES = {
    "rare word (~10 hits)": ("zephyr", None),
    "word in ~1 %": ("deploy", None),
    "word in ~30 %": ("the", None),
    "prefix (dep*)": ("dep*", None),
    "phrase": ('"deploy finished"', None),
    "word in one room": ("deploy", "room-3"),
}
_WORDS = [
    "alpha",
    "bravo",
    "build",
    "merge",
    "review",
    "ticket",
    "lunch",
    "coffee",
    "meeting",
    "release",
    "branch",
    "test",
    "fix",
    "bug",
    "issue",
    "idea",
    "plan",
    "doc",
    "draft",
    "ship",
    "ops",
    "cloud",
    "disk",
    "cpu",
    "queue",
    "cache",
    "page",
    "login",
    "note",
    "sync",
]


def corpus(n: int = MESSAGES) -> Iterator[tuple[str, int, str, float]]:
    """(room, id, text, sent_at) of ``n`` messages, ids 1, 2, … per room, one a second."""
    rng = random.Random(15)
    ids = [0] * ROOMS
    start = datetime(2026, 1, 1, tzinfo=UTC).timestamp()
    for k in range(n):
        room = k % ROOMS
        ids[room] += 1
        words = [rng.choice(_WORDS) for _ in range(rng.randint(4, 14))]
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), "the")
        if rng.random() < 0.01:
            words += ["deploy", "finished"] if rng.random() < 0.5 else ["deploy"]
        if k % (n // 10) == 7:
            words.append("zephyr")
        yield f"room-{room}", ids[room], " ".join(words), start + k


def timed(fn: Callable[[], object], repeats: int = REPEATS) -> tuple[float, float]:
    """Median and worst milliseconds of ``repeats`` calls (after one not counted)."""
    fn()
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples), max(samples)


def _row(what: str, median: float, worst: float) -> Row:
    met = "met" if worst <= GOAL_MS else "**missed**"
    return (what, f"median {median:.1f} ms, worst {worst:.1f} ms", f"≤ {GOAL_MS:.0f} ms: {met}")


def measure_local(work: Path) -> list[Row]:
    """The local database: fill it through ``store``, then time each query."""
    database = LocalDatabase(work / "local.sqlite3")
    author = Author(1, "Bench", "/api/avatars/1.svg")
    batch: list[Message] = []
    began = time.perf_counter()
    for room, mid, text, at in corpus():
        sent = datetime.fromtimestamp(at, UTC)
        batch.append(Message(mid, room, f"c{mid}", author, text, sent, None, False))
        if len(batch) == 1000:
            database.store(batch)
            batch = []
    database.store(batch)
    fill_s = time.perf_counter() - began
    rows: list[Row] = [(f"Local: store {MESSAGES:,} messages (indexed)", f"{fill_s:.1f} s", "-")]
    for what, (query, room) in QUERIES.items():
        count = len(search_local(database, query, room=room).hits)
        median, worst = timed(lambda q=query, r=room: search_local(database, q, room=r))
        rows.append(_row(f"Local search {MESSAGES // 1000}k: {what}, {count} shown", median, worst))
    edited = Message(1, "room-0", "c1", author, "zephyr edited", datetime.now(UTC), None, False)
    median, worst = timed(lambda: database.store([replace(edited)]))
    rows.append(("Local: re-index one edited message", f"median {median:.2f} ms", "-"))
    database.close()
    return rows


# ------------------------------------------------------------------------------ the relay


def _seed_sqlite(path: Path, author_id: int) -> None:
    import sqlite3

    db = sqlite3.connect(path)
    with db:
        for n in range(ROOMS):
            db.execute("INSERT OR IGNORE INTO rooms (name) VALUES (?)", (f"room-{n}",))
        room_ids = dict(db.execute("SELECT name, id FROM rooms").fetchall())
        db.executemany(
            "INSERT INTO messages (room_id, id, client_id, author_id, text, sent_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (
                (room_ids[room], mid, uuid.uuid4().hex, author_id, text, at)
                for room, mid, text, at in corpus()
            ),
        )
        db.execute(
            "UPDATE rooms SET last_message_id ="
            " (SELECT coalesce(max(id), 0) FROM messages WHERE room_id = rooms.id)"
        )
    db.close()


def _seed_postgres(settings: PostgresSettings, author_id: int) -> None:
    from desktopchat.server.relay.postgres_store import connect

    with connect(settings) as conn:
        for n in range(ROOMS):
            conn.execute(
                "INSERT INTO rooms (name) VALUES (%s) ON CONFLICT DO NOTHING", (f"room-{n}",)
            )
        room_ids = dict(conn.execute("SELECT name, id FROM rooms").fetchall())
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY messages (room_id, id, client_id, author_id, text, sent_at) FROM STDIN"
            ) as copy,
        ):
            for room, mid, text, at in corpus():
                copy.write_row((room_ids[room], mid, uuid.uuid4().hex, author_id, text, at))
        conn.execute(
            "UPDATE rooms SET last_message_id ="
            " (SELECT coalesce(max(id), 0) FROM messages WHERE room_id = rooms.id)"
        )
        conn.execute("ANALYZE messages")


@contextmanager
def _relay_hub(data_dir: Path, database: PostgresSettings | None) -> Iterator[HubThread]:
    config = HubConfig(
        credentials=generate(), port=0, relay=RelayConfig(data_dir=data_dir, database=database)
    )
    hub = HubThread(config)
    hub.start()
    try:
        yield hub
    finally:
        hub.stop()


def _time_endpoint(name: str, hub: HubThread, seed: Callable[[int], None]) -> list[Row]:
    base = f"http://127.0.0.1:{hub.port}"
    http = requests.Session()
    user = {"username": "bench", "password": "bench password"}
    http.post(f"{base}/api/users", json=user, timeout=10).raise_for_status()
    login = http.post(f"{base}/api/sessions", json=user, timeout=10)
    login.raise_for_status()
    http.headers["Authorization"] = f"Bearer {login.json()['token']}"
    began = time.perf_counter()
    seed(int(login.json()["user"]["id"]))
    rows: list[Row] = [
        (
            f"Relay ({name}): insert {MESSAGES:,} messages",
            f"{time.perf_counter() - began:.1f} s",
            "-",
        )
    ]
    for what, (query, room) in QUERIES.items():
        params = {"q": query, "limit": "20", **({"room": room} if room else {})}

        def ask(p: dict[str, str] = params) -> None:
            http.get(f"{base}/api/search", params=p, timeout=30).raise_for_status()

        median, worst = timed(ask)
        figure = f"median {median:.1f} ms, worst {worst:.1f} ms"
        rows.append((f"Relay ({name}) GET /api/search 100k: {what}", figure, "-"))
    http.close()
    return rows


def measure_relays(work: Path) -> list[Row]:
    """``GET /api/search`` on a relay on SQLite, then on PostgreSQL (if it can be started)."""
    rows: list[Row] = []
    sqlite_dir = work / "sqlite"
    with _relay_hub(sqlite_dir, None) as hub:
        rows += _time_endpoint(
            "SQLite", hub, lambda author: _seed_sqlite(sqlite_dir / DATABASE_FILE, author)
        )
    try:
        from tests.postgres_server import start_server

        server = start_server()
    except (OSError, RuntimeError) as exc:
        return [*rows, ("Relay (PostgreSQL)", f"not run: {exc}", "-")]
    try:
        settings = server.settings(server.new_database())
        with _relay_hub(work / "pg", settings) as hub:
            rows += _time_endpoint(
                "PostgreSQL", hub, lambda author: _seed_postgres(settings, author)
            )
    finally:
        server.remove()
    return rows


def run() -> list[Row]:
    """Both measurements, in a temporary directory."""
    with tempfile.TemporaryDirectory(prefix="desktopchat-bench-search-") as tmp:
        work = Path(tmp)
        return measure_local(work) + measure_relays(work)


if __name__ == "__main__":
    for row in run():
        print(" | ".join(row))
