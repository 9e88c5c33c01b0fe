"""The search query language, shared by the relay and the client's local database.

People type words, not FTS syntax, so a query is parsed here into words, quoted phrases and
``word*`` prefixes, and only then written out for the engine (SQLite FTS5 or PostgreSQL's
``to_tsquery``) with every word quoted: nothing a user types can reach the engine's own
syntax, so a quote, ``NEAR(``, ``^``, ``:`` or an unbalanced parenthesis is either a word
separator or a clear :class:`QueryError`, never an engine error (a 500).

Words are runs of letters and digits (``_`` and punctuation separate them, as both engines'
tokenizers do), compared case-insensitively and without accents; every word must match.
Highlights are computed here too, as character offsets into the text, so the relay and the
local database mark the same words and no client ever receives markup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Longest query accepted, in characters (``query_too_long`` beyond).
MAX_QUERY_CHARS = 256
#: Most words and phrases in one query: each is a term the engine must intersect.
MAX_TERMS = 16
#: Most highlighted ranges returned per message.
MAX_HIGHLIGHTS = 64

_WORD = re.compile(r"[^\W_]+")
#: A quoted phrase, or a bare run of anything but whitespace and quotes.
_CHUNK = re.compile(r'"([^"]*)"|([^\s"]+)')


class QueryError(ValueError):
    """A query that cannot be searched; ``code`` is the API's error code for it."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class Term:
    """One word or quoted phrase; with ``prefix`` its last word matches any word it starts.

    Words are lower-cased but keep their accents: SQLite's tokenizer removes them itself,
    PostgreSQL's ``simple`` configuration does not (there, accents count).
    """

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: every term must match (AND)."""

    text: str
    terms: tuple[Term, ...]


def fold(word: str) -> str:
    """A word as both engines compare it: case-folded, accents removed."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def parse(raw: str) -> Query:
    """Parse what a user typed; :class:`QueryError` if it is empty, too long or unusable."""
    if not raw.strip():
        raise QueryError("empty_query", "Type something to search for")
    if len(raw) > MAX_QUERY_CHARS:
        raise QueryError("query_too_long", f"A search is at most {MAX_QUERY_CHARS} characters long")
    if any(unicodedata.category(ch) in ("Cc", "Cs") and not ch.isspace() for ch in raw):
        raise QueryError("invalid_query", "A search cannot contain control characters")
    if raw.count('"') % 2:
        raise QueryError("invalid_query", 'A quoted phrase is missing its closing "')
    terms: list[Term] = []
    for match in _CHUNK.finditer(raw):
        phrase, bare = match.group(1), match.group(2)
        if phrase is not None:
            words = tuple(w.lower() for w in _WORD.findall(phrase))
            if words:
                terms.append(Term(words))
            continue
        # A bare chunk: "deploy*" is a prefix, "foo-bar" the words foo and bar.
        words = tuple(w.lower() for w in _WORD.findall(bare))
        prefix = bare.endswith("*")
        for index, word in enumerate(words):
            terms.append(Term((word,), prefix=prefix and index == len(words) - 1))
    if not terms:
        raise QueryError("invalid_query", "A search needs at least one letter or digit")
    if len(terms) > MAX_TERMS:
        raise QueryError("invalid_query", f"A search has at most {MAX_TERMS} words or phrases")
    return Query(raw, tuple(dict.fromkeys(terms)))


def fts5_match(query: Query) -> str:
    """The query as an SQLite FTS5 MATCH expression: each word a quoted string."""
    parts = []
    for term in query.terms:
        phrase = '"' + " ".join(term.words) + '"'
        parts.append(phrase + "*" if term.prefix else phrase)
    return " AND ".join(parts)


def tsquery(query: Query) -> str:
    """The query for PostgreSQL's ``to_tsquery('simple', …)``: words are letters and
    digits only, so each is a plain lexeme; phrases are ``<->`` chains."""
    parts = []
    for term in query.terms:
        words = [f"'{word}'" for word in term.words]
        if term.prefix:
            words[-1] += ":*"
        parts.append("(" + " <-> ".join(words) + ")")
    return " & ".join(parts)


def highlights(text: str, query: Query) -> list[tuple[int, int]]:
    """Character ranges ``[start, end)`` of the words in ``text`` the query matches."""
    exact = {fold(word) for term in query.terms for word in term.words}
    prefixes = tuple(fold(term.words[-1]) for term in query.terms if term.prefix)
    ranges: list[tuple[int, int]] = []
    for match in _WORD.finditer(text):
        word = fold(match.group())
        if word in exact or (prefixes and word.startswith(prefixes)):
            ranges.append((match.start(), match.end()))
            if len(ranges) == MAX_HIGHLIGHTS:
                break
    return ranges
