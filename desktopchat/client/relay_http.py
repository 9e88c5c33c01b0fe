"""The relay's JSON API over one keep-alive connection of the standard library's ``http.client``.

Why not ``requests`` here, which the rest of the client uses: importing requests and
urllib3 costs ~85 ms of CPU, and on a first start every call before the first paint
(server settings, the user, the rooms, the first page of history) waits for it; the GIL
makes a worker's import as costly to the window as its own. ``http.client`` and ``ssl``
are loaded with the app already. What requests would add for these calls is not needed:
the relay answers small JSON bodies on one host, with no redirects, cookies or
compression. Downloads, uploads, and any relay reached through a proxy still go through
requests (:class:`~desktopchat.client.relay_client.RelayClient` decides).

Trust is :mod:`desktopchat.client.trust`'s, as for requests: a pinned certificate is
compared right after the handshake, before the request (and its token) is written;
without a pin the certificate must chain to a CA of the system, or of the bundle named by
``REQUESTS_CA_BUNDLE`` or ``CURL_CA_BUNDLE``, and match the host. Redirects are not
followed (requests followed them): the token is never sent on to another address, and the
error names the address to use instead.
"""

from __future__ import annotations

import http.client
import json
import select
import ssl
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from desktopchat.client import trust

__all__ = ["PinMismatchError", "RelayConnection", "Reply", "proxied"]


class PinMismatchError(ssl.SSLError):
    """The server showed a certificate other than the pinned one (nothing was sent)."""


@dataclass(frozen=True)
class Reply:
    """A whole answer: what :meth:`RelayClient._error` reads of requests' ``Response`` too."""

    status_code: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def ok(self) -> bool:
        """Not an error status (as requests' ``Response.ok``)."""
        return self.status_code < 400

    def json(self) -> Any:
        """The body as JSON; ``ValueError`` when it is not."""
        return json.loads(self.body)


def proxied(server_url: str) -> bool:
    """Whether the environment (or the system) sends HTTP to ``server_url`` via a proxy.

    requests honours ``HTTP(S)_PROXY`` and ``NO_PROXY``; such a relay keeps requests.
    """
    parts = urlsplit(server_url)
    proxies = urllib.request.getproxies()
    if not proxies.get(parts.scheme) and not proxies.get("all"):
        return False
    return not urllib.request.proxy_bypass(parts.netloc)


class RelayConnection:
    """One connection to one relay, reused while the relay keeps it open.

    Not thread-safe, like the :class:`RelayClient` that owns it (one per thread).
    """

    def __init__(
        self, server_url: str, pin: str | None, *, connect_timeout: float, read_timeout: float
    ) -> None:
        self._connection: http.client.HTTPConnection | None = None
        parts = urlsplit(server_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {server_url!r}")
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        # Always given: http.client would read the last ":1" of a bare "::1" as a port.
        self._port = parts.port or (443 if self._https else 80)  # ValueError if not a port
        self._base = parts.path.rstrip("/")
        self._pin = pin
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout

    def close(self) -> None:
        """Close the connection (the next request opens another)."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def __del__(self) -> None:
        """A client dropped without ``close()`` (a one-shot call) closes its socket here,
        as requests' pool did, instead of leaving it to warn when collected."""
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        headers: dict[str, str],
        params: dict[str, Any] | None = None,
        json_body: Any = None,
    ) -> Reply:
        """Send one request and read its whole answer.

        Raises ``ssl.SSLError`` (:class:`PinMismatchError` among them) when the relay's
        certificate is refused, ``OSError`` or ``http.client.HTTPException`` when it cannot
        be reached or answers garbage; the connection is closed then.
        """
        # Percent-encoded as requests does (requote_uri): callers quote what they insert.
        target = quote(self._base + path, safe="!#$%&'()*+,/:;=?@[]~")
        if params:
            target += "?" + urlencode(params)
        body: bytes | None = None
        headers = {"User-Agent": "desktopchat", "Accept": "application/json", **headers}
        if json_body is not None:
            body = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        _refuse_broken_headers(headers)  # before connecting: a bad token opens nothing
        connection = self._connected()
        try:
            connection.request(method, target, body=body, headers=headers)
            response = connection.getresponse()
            reply = Reply(response.status, response.headers, response.read())
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return reply

    def _connected(self) -> http.client.HTTPConnection:
        """The open connection, or a new one (its certificate checked) if the relay closed it."""
        connection = self._connection
        if connection is not None and connection.sock is not None and _dropped(connection.sock):
            self.close()
            connection = None
        if connection is None or connection.sock is None:
            connection = self._open()
            self._connection = connection
        return connection

    def _open(self) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection
        if self._https:
            connection = http.client.HTTPSConnection(
                self._host, self._port, timeout=self._connect_timeout, context=self._context()
            )
        else:
            connection = http.client.HTTPConnection(
                self._host, self._port, timeout=self._connect_timeout
            )
        try:
            connection.connect()
            sock = connection.sock
            assert sock is not None  # noqa: S101 - connect() sets it
            if self._pin:
                der = (
                    sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
                )
                if trust.fingerprint_of(der or b"") != self._pin:
                    raise PinMismatchError("the certificate is not the pinned one")
            sock.settimeout(self._read_timeout)
            # Never reopened behind our back: a new connection must pass the pin check here.
            connection.auto_open = 0
        except BaseException:
            connection.close()
            raise
        return connection

    def _context(self) -> ssl.SSLContext:
        return trust.unverified_context() if self._pin else trust.system_context()


def _refuse_broken_headers(headers: dict[str, str]) -> None:
    """Raise ``ValueError`` for a header that would split the request (a pasted token with a
    line break), as http.client would, but before a connection is opened for it."""
    for name, value in headers.items():
        if any(c in value for c in "\r\n\0"):
            raise ValueError(f"invalid header value for {name}")


def _dropped(sock: Any) -> bool:
    """Whether an idle keep-alive socket was closed by the relay (readable means EOF).

    ``poll`` where there is one: ``select`` refuses descriptors past 1024."""
    try:
        if hasattr(select, "poll"):
            poller = select.poll()
            poller.register(sock, select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([sock], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)
