"""Which TLS certificate a server may present: the CAs' word, or a fingerprint pinned here.

Like SSH: a server whose certificate the system's CAs vouch for needs nothing; one with a
self-signed certificate (``desktopchat serve --tls-self-signed``) is trusted once a person
has compared its SHA-256 fingerprint (the window asks; the CLI takes
``--trust-fingerprint``), and from then on exactly that certificate is accepted. The pins
live in ``known_hosts`` in the data dir, one ``HOST:PORT FINGERPRINT`` line per server: not
secret, but a change is refused (:class:`CertificateChangedError`) rather than followed.

The pin is checked on the TLS connection before anything is sent over it: by
:mod:`desktopchat.client.relay_http` for the relay's JSON API, by urllib3
(``assert_fingerprint``, through :mod:`desktopchat.client.trust_adapter`) for its files,
and by :class:`PinnedContext` for pysher's WebSocket. This module does not import
``requests``: the window reads ``known_hosts`` before its first paint.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import socket
import ssl
import tempfile
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from desktopchat.client.errors import (
    CertificateChangedError,
    RelayUnreachableError,
    UntrustedCertificateError,
)

log = logging.getLogger(__name__)

KNOWN_HOSTS_FILE = "known_hosts"
#: Seconds to connect when fetching a certificate to show or compare.
PROBE_TIMEOUT = 5.0
_HEX = re.compile(r"\A[0-9a-f]{64}\Z")


# ------------------------------------------------------------------------ fingerprints


def normalize_fingerprint(text: str) -> str:
    """A SHA-256 fingerprint as ``AB:CD:…``, from any common spelling; ValueError if none.

    Accepts upper or lower case, with or without colons or spaces, and an optional
    ``SHA256:`` or ``sha256=`` prefix, as ``openssl x509 -fingerprint -sha256`` and the
    hub's ready line print it.
    """
    bare = text.strip().lower()
    for prefix in ("sha256:", "sha256=", "sha256 fingerprint="):
        bare = bare.removeprefix(prefix)
    bare = re.sub(r"[:\s]", "", bare)
    if not _HEX.match(bare):
        raise ValueError(f"not a SHA-256 fingerprint (64 hex digits): {text.strip()!r}")
    return ":".join(bare[i : i + 2] for i in range(0, 64, 2)).upper()


def fingerprint_of(der: bytes) -> str:
    """The SHA-256 fingerprint of a DER certificate, as ``AB:CD:…``."""
    return normalize_fingerprint(hashlib.sha256(der).hexdigest())


def server_address(url: str) -> tuple[str, int] | None:
    """``(host, port)`` of an ``https://`` URL; None for anything else (nothing to pin)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    return parts.hostname, parts.port or 443


def key_of(host: str, port: int) -> str:
    """How a server is named in ``known_hosts`` (``[::1]:6001`` for IPv6, as SSH does)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def probe_fingerprint(host: str, port: int) -> str:
    """The fingerprint of the certificate ``host:port`` presents, without trusting it.

    Used only to show a person what to compare, or to explain a refusal: no request is
    sent on this connection.
    """
    context = unverified_context()
    try:
        with (
            socket.create_connection((host, port), timeout=PROBE_TIMEOUT) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            der = tls.getpeercert(binary_form=True)
    except (OSError, ssl.SSLError) as exc:
        raise RelayUnreachableError(f"cannot reach {host}:{port} over TLS: {exc}") from exc
    if not der:
        raise RelayUnreachableError(f"{host}:{port} presented no certificate")
    return fingerprint_of(der)


# ------------------------------------------------------------------------- known hosts


class KnownHosts:
    """The pinned fingerprints, by server, in ``DATA/known_hosts``."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / KNOWN_HOSTS_FILE

    def _read(self) -> dict[str, str]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        pins: dict[str, str] = {}
        for line in text.splitlines():
            fields = line.split()
            if len(fields) != 2 or fields[0].startswith("#"):
                continue
            try:
                pins[fields[0]] = normalize_fingerprint(fields[1])
            except ValueError:
                log.warning("ignoring a malformed line in %s", self.path)
        return pins

    def pin_for(self, url: str) -> str | None:
        """The fingerprint pinned for ``url``'s server, if any."""
        address = server_address(url)
        return self._read().get(key_of(*address)) if address else None

    def pin(self, url: str, fingerprint: str) -> None:
        """Trust ``fingerprint`` for ``url``'s server from now on (replacing an older pin)."""
        address = server_address(url)
        if address is None:
            raise ValueError(f"only https:// servers have certificates to pin: {url}")
        pins = self._read()
        pins[key_of(*address)] = normalize_fingerprint(fingerprint)
        lines = ["# desktopchat: the certificates you trusted, by server (HOST:PORT SHA256)"]
        lines += [f"{name} {value}" for name, value in sorted(pins.items())]
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(prefix=".known_hosts-", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        os.replace(tmp, self.path)
        log.info("pinned the certificate of %s", key_of(*address))

    def trust(self, url: str, fingerprint: str) -> str:
        """Pin ``fingerprint`` (given by a person) once the server shows that very certificate.

        Returns the normalized fingerprint. Raises :class:`CertificateChangedError` when
        the server presents another one, so a mistyped or stale fingerprint pins nothing.
        """
        wanted = normalize_fingerprint(fingerprint)
        address = server_address(url)
        if address is None:
            raise ValueError(f"--trust-fingerprint needs an https:// server, not {url}")
        presented = probe_fingerprint(*address)
        if presented != wanted:
            raise CertificateChangedError(url, expected=wanted, presented=presented)
        self.pin(url, wanted)
        return wanted


# ---------------------------------------------------------------- HTTP and WebSocket


def system_context() -> ssl.SSLContext:
    """A client context with the system's CAs, shared: loading them costs about 50 ms.

    With ``REQUESTS_CA_BUNDLE`` (or ``CURL_CA_BUNDLE``, as requests reads them) naming a
    file or directory of CAs, those are trusted too: by the relay's HTTP and by pysher's
    WebSocket alike, so a relay whose CA is only there is reached both ways.

    Made again when ``SSL_CERT_FILE``, ``SSL_CERT_DIR`` or the bundle change (tests point
    them at a CA of their own). Sharing is safe: a context is only read when connections
    wrap sockets.
    """
    bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    where = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"), bundle)
    with _contexts_lock:
        context = _contexts.get(where)
        if context is None:
            context = ssl.create_default_context()
            if bundle and os.path.isdir(bundle):
                context.load_verify_locations(capath=bundle)
            elif bundle:
                context.load_verify_locations(cafile=bundle)
            _contexts[where] = context
        return context


def unverified_context() -> ssl.SSLContext:
    """A client context that checks nothing itself: for a pin checked by its caller."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


_contexts: dict[tuple[str | None, str | None, str | None], ssl.SSLContext] = {}
_contexts_lock = threading.Lock()


def tls_failure(url: str, pin: str | None, exc: Exception) -> Exception:
    """The error to raise for a failed TLS handshake with ``url``: which trust was broken.

    Probes the certificate actually presented: a pinned server showing another one is
    :class:`CertificateChangedError`; a server no CA vouches for is
    :class:`UntrustedCertificateError`, carrying the fingerprint a person should compare.
    """
    address = server_address(url)
    if address is None:
        return RelayUnreachableError(f"cannot reach {url}: {exc}")
    presented = probe_fingerprint(*address)
    if pin is None:
        return UntrustedCertificateError(url, presented=presented, reason=_reason(exc))
    if presented != pin:
        return CertificateChangedError(url, expected=pin, presented=presented)
    return RelayUnreachableError(f"cannot reach {url} over TLS: {_reason(exc)}")


def _reason(exc: BaseException) -> str:
    """The innermost SSL error's text (requests wraps it three deep)."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLError):
            return str(seen.reason or seen)
        seen = (
            seen.__cause__
            or seen.__context__
            or next(
                (arg for arg in getattr(seen, "args", ()) if isinstance(arg, BaseException)), None
            )
        )
    return type(exc).__name__


class PinnedContext(ssl.SSLContext):
    """A client context that accepts exactly one certificate, by its SHA-256 fingerprint.

    websocket-client uses a context given as ``sslopt["context"]`` as it is; the check
    happens in :meth:`wrap_socket`, after the handshake and before the WebSocket upgrade
    request or any frame.
    """

    pin: str

    def wrap_socket(self, sock: Any, *args: Any, **kwargs: Any) -> Any:
        """Handshake, then refuse any certificate but the pinned one."""
        kwargs["do_handshake_on_connect"] = True
        wrapped = super().wrap_socket(sock, *args, **kwargs)
        der = wrapped.getpeercert(binary_form=True)
        presented = fingerprint_of(der) if der else ""
        if presented != self.pin:
            wrapped.close()
            raise PinMismatchError(self.pin, presented)
        return wrapped


class PinMismatchError(ssl.SSLError):
    """The WebSocket's server presented another certificate than the pinned one."""

    def __init__(self, expected: str, presented: str) -> None:
        super().__init__(
            f"the server's certificate changed: expected SHA-256 {expected}, got "
            f"{presented or 'none'}; refusing to connect"
        )
        self.expected = expected
        self.presented = presented


def websocket_sslopt(pin: str | None) -> dict[str, Any]:
    """websocket-client's ``sslopt``: a context pinning ``pin``, or the system's CAs."""
    if pin is None:
        return {"context": system_context()}
    context = PinnedContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.pin = normalize_fingerprint(pin)
    return {"context": context, "cert_reqs": ssl.CERT_NONE, "check_hostname": False}
