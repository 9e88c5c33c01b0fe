"""The local database's full-text index: what makes search work offline.

An FTS5 table (``search_text``) holds the text of every cached message that is not
deleted; ``search_docs`` maps its rowids to ``(room, id)``. Rowids are the message's send
time in milliseconds times 1024 (plus a counter for messages sent in one millisecond), so
FTS5 hands matches over newest first and a query stops after the first page instead of
sorting every match: that is what keeps a search over 100,000 messages within a few
milliseconds. :func:`update` runs in the same transaction as each write of messages, so
the index never disagrees with them: an edit replaces the indexed text, a delete removes it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from desktopchat.client.domain import Message
from desktopchat.search_syntax import Query, QueryError, fts5_match

#: Rowids per millisecond: messages sent in the same one share its range, in arrival order.
_PER_MS = 1024

#: The migration that adds the index and fills it from what is cached already (rowids by
#: send time: ``sent_at`` is ISO-8601 UTC, ``julianday`` reads it to the millisecond).
MIGRATION: tuple[str, ...] = (
    """
    CREATE TABLE search_docs (
        docid INTEGER PRIMARY KEY,
        room TEXT NOT NULL,
        id INTEGER NOT NULL,
        UNIQUE (room, id)
    );
    CREATE VIRTUAL TABLE search_text USING fts5(
        text, tokenize = 'unicode61 remove_diacritics 2'
    );
    INSERT INTO search_docs (docid, room, id)
    SELECT CAST(round((julianday(json_extract(json, '$.sent_at')) - 2440587.5) * 86400000)
                AS INTEGER) * 1024
           + row_number() OVER (
               PARTITION BY json_extract(json, '$.sent_at') ORDER BY room, id
           ) - 1,
           room, id
    FROM messages
    WHERE NOT json_extract(json, '$.deleted') AND json_extract(json, '$.text') != '';
    INSERT INTO search_text (rowid, text)
    SELECT d.docid, json_extract(m.json, '$.text')
    FROM search_docs d JOIN messages m ON m.room = d.room AND m.id = d.id;
    """,
)


def _new_docid(db: sqlite3.Connection, message: Message) -> int:
    base = round(message.sent_at.timestamp() * 1000) * _PER_MS
    row = db.execute(
        "SELECT max(docid) FROM search_docs WHERE docid BETWEEN ? AND ?",
        (base, base + _PER_MS - 1),
    ).fetchone()
    return base if row[0] is None else int(row[0]) + 1


def update(db: sqlite3.Connection, messages: Iterable[Message]) -> None:
    """Index ``messages`` as they are now stored (call inside their write's transaction)."""
    for message in messages:
        row = db.execute(
            "SELECT docid FROM search_docs WHERE room = ? AND id = ?", (message.room, message.id)
        ).fetchone()
        searchable = not message.deleted and bool(message.text)
        if row is not None:
            docid = int(row[0])
            db.execute("DELETE FROM search_text WHERE rowid = ?", (docid,))
            if not searchable:
                db.execute("DELETE FROM search_docs WHERE docid = ?", (docid,))
        elif searchable:
            docid = _new_docid(db, message)
            db.execute(
                "INSERT INTO search_docs (docid, room, id) VALUES (?, ?, ?)",
                (docid, message.room, message.id),
            )
        if searchable:
            db.execute("INSERT INTO search_text (rowid, text) VALUES (?, ?)", (docid, message.text))


def search(db: sqlite3.Connection, query: Query, *, room: str | None, limit: int) -> list[str]:
    """The stored JSON of up to ``limit + 1`` matching messages, newest first."""
    where, params = "search_text MATCH ?", [fts5_match(query)]
    if room is not None:
        where += " AND d.room = ?"
        params.append(room)
    try:
        rows = db.execute(
            "SELECT m.json FROM search_text"  # noqa: S608 - constants only
            " JOIN search_docs d ON d.docid = search_text.rowid"
            " JOIN messages m ON m.room = d.room AND m.id = d.id"
            f" WHERE {where} ORDER BY search_text.rowid DESC LIMIT ?",
            (*params, limit + 1),
        ).fetchall()
    except sqlite3.OperationalError as exc:  # cannot happen: every word is quoted
        raise QueryError("invalid_query", f"The search could not be run: {exc}") from exc
    return [str(row[0]) for row in rows]
