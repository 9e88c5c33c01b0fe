"""Keeping reply quotes true to their originals on the client, and who is who.

The relay computes a reply's quote when it is read, and bumps the change counter of
replies when their original changes; a client that is online sees the original's own
edit or delete event first, so it refreshes the quotes of the replies it holds itself,
at once, without one event per reply.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from desktopchat.client.domain import Message, ReplyQuote

#: As the relay cuts a quote (``models.EXCERPT_CHARS``).
EXCERPT_CHARS = 120


def excerpt(text: str) -> str:
    """The first non-blank line of ``text``, cut with an ellipsis as the relay does."""
    line = next((part.strip() for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= EXCERPT_CHARS else line[: EXCERPT_CHARS - 1].rstrip() + "…"


def quote_of(original: Message) -> ReplyQuote:
    """The quote a reply to ``original`` shows now."""
    return ReplyQuote(
        original.id,
        original.author,
        "" if original.deleted else excerpt(original.text),
        original.deleted,
    )


def quoting(messages: Sequence[Message], original: Message, start: int = 0) -> Iterator[int]:
    """Indexes (from ``start``) of the replies to ``original`` whose quote is out of date."""
    fresh = quote_of(original)
    for index in range(start, len(messages)):
        quote = messages[index].reply_to
        if quote is not None and quote.id == original.id and quote != fresh:
            yield index


def requoted(reply: Message, original: Message) -> Message:
    """``reply`` with its quote taken from ``original`` as it is now."""
    return replace(reply, reply_to=quote_of(original))


def names(messages: Sequence[Message]) -> dict[int, str]:
    """Display names by user id, from the authors of ``messages`` (newest name wins)."""
    return {m.author.id: m.author.display_name for m in messages}
