"""A sent message is stored with its mentions, reply and files in one commit, in both stores.

Stored in steps (the message, then its mentions, then its files), a catch-up read between
the steps got the message without its mentions: the reader's client, which takes each id
once, kept that copy, and the mention never notified. Here a second connection reads the
SQLite database between the writer's statements, and a file that cannot be attached must
leave nothing stored, in SQLite and in PostgreSQL.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktopchat.server.relay.models import Attachment, Message, User
from desktopchat.server.relay.postgres_store import PostgresStore
from desktopchat.server.relay.sqlite_store import SqliteStore
from desktopchat.server.relay.store import AttachmentTakenError, Store
from tests.postgres_server import PostgresServer

ROOM = "general"


def _users(store: Store) -> tuple[User, User]:
    return (
        store.create_user("alice", "x", "Alice", None),
        store.create_user("bob", "x", "Bob", None),
    )


def _file(store: Store, uploader: User, file_id: str) -> str:
    store.add_file(
        Attachment(file_id, ROOM, uploader.id, "0" * 64, "a.txt", 3, "text/plain", None, None, 1.0)
    )
    return file_id


@contextlib.contextmanager
def reading_between(writer: SqliteStore, read: Callable[[], None]) -> Iterator[list[int]]:
    """Call ``read`` as each of the writer's INSERT, UPDATE and DELETE statements starts
    (SQLite's trace callback): it sees only what is committed. Yields the reads' count."""
    reads: list[int] = []

    def traced(statement: str) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            reads.append(1)
            read()

    writer._db.set_trace_callback(traced)
    try:
        yield reads
    finally:
        writer._db.set_trace_callback(None)


@pytest.fixture
def writer_and_reader(tmp_path: Path) -> Iterator[tuple[SqliteStore, SqliteStore]]:
    """Two connections to one relay database: one writes, the other reads meanwhile."""
    path = tmp_path / "relay.sqlite3"
    writer, reader = SqliteStore(path), SqliteStore(path)
    yield writer, reader
    writer.close()
    reader.close()


@pytest.fixture(params=["sqlite", "postgres"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh relay store of each kind."""
    opened: SqliteStore | PostgresStore
    if request.param == "sqlite":
        opened = SqliteStore(tmp_path / "relay.sqlite3")
    else:
        server: PostgresServer = request.getfixturevalue("postgres")
        opened = PostgresStore(server.settings(server.new_database()))
    yield opened
    opened.close()


def test_a_message_is_stored_with_its_mentions_reply_and_files(store: Store) -> None:
    alice, bob = _users(store)
    first, _ = store.add_message(ROOM, alice.id, "c1", "hello", time.time())
    file_id = _file(store, bob, "f1")

    def send() -> tuple[Message, bool]:  # a retry sends the very same request
        return store.post_message(
            ROOM,
            bob.id,
            "c2",
            "@Alice see",
            time.time(),
            reply_to=first.id,
            mentions=[alice.id],
            file_ids=[file_id],
        )

    message, created = send()
    assert created
    assert message.mentions == (alice.id,)
    assert store.attachments(ROOM, [message.id]) == {
        message.id: [store.file(ROOM, file_id)],
    }
    (with_extras,) = store.with_extras([message])
    assert with_extras.reply_to is not None
    assert with_extras.reply_to.id == first.id
    again, created = send()
    assert (again.id, created, again.mentions) == (message.id, False, (alice.id,))


def test_a_file_that_cannot_be_attached_leaves_nothing_stored(store: Store) -> None:
    alice, bob = _users(store)
    taken = _file(store, bob, "f1")
    carrier, _ = store.add_message(ROOM, bob.id, "c1", "a file", time.time())
    store.attach_files(ROOM, carrier.id, bob.id, [taken])
    with pytest.raises(AttachmentTakenError):
        store.post_message(
            ROOM,
            bob.id,
            "c2",
            "@Alice this too",
            time.time(),
            mentions=[alice.id],
            file_ids=[taken],
        )
    page = store.history(ROOM, after=0, before=None, limit=10)
    assert [m.id for m in page.messages] == [carrier.id]
    # The failed send's client_id is free: its retry (without the file) is a new message.
    message, created = store.post_message(
        ROOM, bob.id, "c2", "@Alice this too", time.time(), mentions=[alice.id]
    )
    assert created
    assert message.id == carrier.id + 1


def test_a_reader_between_the_writes_sees_the_message_whole_or_not_at_all(
    writer_and_reader: tuple[SqliteStore, SqliteStore],
) -> None:
    writer, reader = writer_and_reader
    alice, bob = _users(writer)
    file_id = _file(writer, bob, "f1")
    seen: list[tuple[int, tuple[int, ...], int]] = []

    def read() -> None:
        for message in reader.history(ROOM, after=0, before=None, limit=10).messages:
            files = reader.attachments(ROOM, [message.id]).get(message.id, [])
            seen.append((message.id, message.mentions, len(files)))

    with reading_between(writer, read) as reads:
        message, _ = writer.post_message(
            ROOM,
            bob.id,
            "c1",
            "@Alice look",
            time.time(),
            mentions=[alice.id],
            file_ids=[file_id],
        )
    assert len(reads) >= 4  # the message, the room's counter, its mention, its file
    assert set(seen) <= {(message.id, (alice.id,), 1)}  # never a part of it
    final = reader.history(ROOM, after=0, before=None, limit=10).messages
    assert [(m.id, m.mentions) for m in final] == [(message.id, (alice.id,))]


def test_an_edit_is_stored_with_its_mentions_in_one_change(store: Store) -> None:
    """An edit that adds a mention is one change: the change feed's reader gets the new
    text and the mention together, at one counter value."""
    alice, bob = _users(store)
    sent, _ = store.post_message(ROOM, bob.id, "c1", "see this", time.time())
    before = store.changes(ROOM, None, 10).until
    edited = store.update_message(ROOM, sent.id, "@Alice see this", time.time(), [alice.id])
    assert (edited.text, edited.mentions) == ("@Alice see this", (alice.id,))
    page = store.changes(ROOM, before, 10)
    assert [(m.id, m.text, m.mentions) for m in page.messages] == [
        (sent.id, "@Alice see this", (alice.id,))
    ]
    assert page.until == before + 1  # one change, not an edit and then a mention
    unchanged = store.update_message(ROOM, sent.id, "@Alice see that", time.time())
    assert unchanged.mentions == (alice.id,)  # no mentions given: they stay


def test_a_reader_between_an_edits_writes_never_sees_it_without_its_mention(
    writer_and_reader: tuple[SqliteStore, SqliteStore],
) -> None:
    writer, reader = writer_and_reader
    alice, bob = _users(writer)
    sent, _ = writer.post_message(ROOM, bob.id, "c1", "see this", time.time())
    seen: set[tuple[str, tuple[int, ...]]] = set()

    def read() -> None:
        message = reader.message(ROOM, sent.id)
        assert message is not None
        seen.add((message.text, message.mentions))

    with reading_between(writer, read) as reads:
        writer.update_message(ROOM, sent.id, "@Alice see this", time.time(), [alice.id])
    assert len(reads) >= 3  # the room's counter, the text, the mention
    assert seen == {("see this", ())}  # only ever the version before the edit
    final = reader.message(ROOM, sent.id)
    assert final is not None
    assert (final.text, final.mentions) == ("@Alice see this", (alice.id,))
