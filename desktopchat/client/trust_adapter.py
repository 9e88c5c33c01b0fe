"""requests' transport that applies :mod:`desktopchat.client.trust` to the relay's HTTP.

Apart from :mod:`.trust` because it subclasses requests' ``HTTPAdapter``: importing
``requests`` (and urllib3) costs ~150 ms, which the window must not pay before its first
paint; only the code that really sends HTTP imports this module.

The adapter makes urllib3's pool (and with it the system's CA store, 20 to 50 ms of
parsing certificates) when its first request goes out, not when it is mounted: a relay
on plain ``http://`` (the embedded hub, a LAN server) never loads the CAs, and a cold
start's login and first history page do not wait for them.
"""

from __future__ import annotations

from typing import Any

from requests.adapters import HTTPAdapter
from urllib3 import PoolManager

from desktopchat.client.trust import system_context, unverified_context


class TrustAdapter(HTTPAdapter):
    """requests' transport for one server: its pinned certificate, or the system's CAs.

    With a pin, CA verification is off and urllib3 compares the certificate's SHA-256
    right after the handshake, before the request (and its token) is written. Without one,
    the certificate must chain to a CA of the system (``ssl.create_default_context``:
    OpenSSL's store, ``SSL_CERT_FILE``) or of ``REQUESTS_CA_BUNDLE``, and match the host.
    """

    def __init__(self, pin: str | None) -> None:
        self.pin = pin
        self._pool: PoolManager | None = None
        self._pool_args: tuple[tuple[Any, ...], dict[str, Any]] = ((), {})
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Remember the pool's settings; :attr:`poolmanager` makes it when first used."""
        self._pool_args = (args, kwargs)
        self._pool = None

    @property
    def poolmanager(self) -> PoolManager:
        """urllib3's pool, made on first use with the pin or the system's CAs."""
        if self._pool is None:
            args, kwargs = self._pool_args
            self._make_pool(*args, **kwargs)
        assert self._pool is not None  # noqa: S101 - _make_pool sets it
        return self._pool

    @poolmanager.setter
    def poolmanager(self, pool: PoolManager) -> None:
        self._pool = pool

    def close(self) -> None:
        """Close the pool's connections (a pool never made has none)."""
        if self._pool is not None:
            super().close()

    def _make_pool(self, *args: Any, **kwargs: Any) -> None:
        """Hand urllib3 the pin, or a context loaded with the system's CAs."""
        if self.pin:
            kwargs["assert_fingerprint"] = self.pin.replace(":", "").lower()
            # A context of our own, or urllib3 loads the CA store (~50 ms) per connection
            # for a check the pin replaces.
            kwargs["ssl_context"] = unverified_context()
        else:
            kwargs["ssl_context"] = system_context()
        super().init_poolmanager(*args, **kwargs)  # sets self.poolmanager

    def send(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        """Send; a pin replaces CA verification whatever the session's ``verify`` says."""
        if self.pin:
            kwargs["verify"] = False
        return super().send(request, *args, **kwargs)

    def cert_verify(self, conn: Any, url: str, verify: Any, cert: Any) -> None:
        """Leave the system's CAs in charge instead of requests' bundled certifi file."""
        super().cert_verify(conn, url, verify, cert)  # type: ignore[no-untyped-call]
        if verify is True:
            conn.ca_certs = None
            conn.ca_cert_dir = None
