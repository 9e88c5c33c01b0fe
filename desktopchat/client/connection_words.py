"""What the connection banner says: the realtime bridge's reasons in plain words.

The bridge reports why a connection ended in whatever terms the layer below used:
``"connection closed"``, an ``OSError``'s text (``"[Errno 111] Connection refused"``), a
websocket-client exception (``"ping/pong timed out"``, ``"Handshake status 404 Not Found"``,
``"[SSL: CERTIFICATE_VERIFY_FAILED] …"``) or a Pusher error it gave up on
(``"Application disabled (4003)"``). People should read what it means for them instead;
the original text is kept for a tooltip and the log.
"""

from __future__ import annotations

import re

from desktopchat.client.realtime import ConnectionState

#: First match wins; each pattern is searched in the reason, case-insensitively.
_REASONS: tuple[tuple[str, str], ...] = (
    (r"\(4004\)|over (connection )?quota|over capacity", "The server is full"),
    (r"\(4001\)|does not exist|not found \(40", "The server does not know this app"),
    (r"\(4003\)|disabled", "The server has turned this app off"),
    (r"\(40\d\d\)|\(4\d\d\d\)", "The server refused the connection"),
    (
        r"name or service not known|nodename nor servname|getaddrinfo|name resolution"
        r"|errno -[235]\b|errno 11001\b",
        "Can't find the server (check its address)",
    ),
    (r"network is unreachable|no route to host|errno 10[01]\b|errno 113\b", "No network"),
    (
        r"refused|errno (111|61|10061|110|60|10060)\b|connection timed out",
        "Can't reach the server",
    ),
    (r"ssl|certificate|tls", "A secure connection to the server failed"),
    (r"handshake status", "No chat service answered at this address"),
    (r"timed out|timeout|ping/pong", "The server stopped answering"),
    (r"malformed", "The server sent something unexpected"),
    (r"closed|lost|reset|broken pipe|eof", "Lost the connection to the server"),
)
_COMPILED = tuple((re.compile(pattern, re.IGNORECASE), words) for pattern, words in _REASONS)
#: Said when nothing above matches (the detail is still in the tooltip).
UNKNOWN = "Can't connect to the server"
#: How much of a reason the tooltip shows (a bad handshake can carry a whole page).
DETAIL_LIMIT = 200


def in_words(state: ConnectionState, reason: str, retry_in: float = 0.0) -> str:
    """One line for the banner: what happened, and what happens next.

    Args:
        state: the bridge's state.
        reason: the bridge's reason, as reported with the state.
        retry_in: seconds until the next attempt (shown while ``OFFLINE``).
    """
    if state is ConnectionState.CONNECTING:
        return "Connecting…"
    if state is ConnectionState.CONNECTED:
        return "Connected"
    if state is ConnectionState.STOPPED:
        return "Not connected"
    words = plain(reason)
    if state is ConnectionState.OFFLINE:
        return f"{words} — retrying in {max(0, round(retry_in))} s"
    return words  # FAILED: only "Retry now" helps


def plain(reason: str) -> str:
    """What ``reason`` (a bridge's or a failed request's) means for the user, in words."""
    return next((words for pattern, words in _COMPILED if pattern.search(reason)), UNKNOWN)


def detail(reason: str) -> str:
    """The technical reason, shortened, for a tooltip ("" when there is nothing to add)."""
    text = " ".join(reason.split())
    if text.lower() in ("", "connecting", "connected", "stopped"):
        return ""
    return text if len(text) <= DETAIL_LIMIT else text[: DETAIL_LIMIT - 1] + "…"
