"""The client's one exception tree: the UI and the CLI catch these and nothing else.

Library errors (requests, keyring, sqlite) are translated at the boundary with
``raise ... from exc``; each message is one line a user can act on.
"""

from __future__ import annotations


class DesktopChatError(Exception):
    """Base of every error the client reports to a person."""


class SettingsError(DesktopChatError):
    """The settings file is unreadable or inconsistent."""


class RelayError(DesktopChatError):
    """The relay answered with an error.

    Attributes:
        status: the HTTP status (0 when there was no answer at all).
        code: the relay's stable error code, e.g. ``text_too_large``.
    """

    def __init__(self, message: str, *, status: int = 0, code: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code

    @property
    def transient(self) -> bool:
        """Whether the same request may succeed later unchanged (retry it)."""
        return self.status == 0 or self.status >= 500 or self.status == 429


class RelayUnreachableError(RelayError):
    """No answer: the relay is down, the network is gone, or it timed out."""


class AuthenticationError(RelayError):
    """The token or the password was refused (401): log in again."""


class RateLimitedError(RelayError):
    """Too many attempts (429); ``retry_after`` says how many seconds to wait."""

    def __init__(self, message: str, *, retry_after: float, code: str = "") -> None:
        super().__init__(message, status=429, code=code)
        self.retry_after = retry_after


class ProtocolError(DesktopChatError):
    """The server sent something that does not follow the API (a bug, or not our server)."""


class CredentialStoreError(DesktopChatError):
    """The keyring is missing, locked, or did not answer in time."""


class NotLoggedInError(DesktopChatError):
    """No session for this server: log in (or register) first."""


class HubStartError(DesktopChatError):
    """The embedded hub could not be started; the message says why."""


class CertificateError(DesktopChatError):
    """The server's TLS certificate is not one this client trusts: nothing was sent to it.

    Attributes:
        server: the server's URL.
        presented: the SHA-256 fingerprint (``AB:CD:…``) of the certificate it presented.
    """

    def __init__(self, message: str, *, server: str, presented: str) -> None:
        super().__init__(message)
        self.server = server
        self.presented = presented


class UntrustedCertificateError(CertificateError):
    """No CA vouches for the certificate (self-signed, say) and none is pinned for it yet.

    A person who compared the fingerprint with the server's (its ready line shows it) may
    pin it: the window asks, the CLI takes ``--trust-fingerprint``.
    """

    def __init__(self, server: str, *, presented: str, reason: str = "") -> None:
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"{server} presented a certificate no trusted CA signed{why}; its SHA-256 "
            f"fingerprint is {presented}. If that is what the server shows (`desktopchat "
            f"serve` prints it), trust it with --trust-fingerprint {presented}",
            server=server,
            presented=presented,
        )


class CertificateChangedError(CertificateError):
    """The server presented another certificate than the one pinned (or given) for it.

    Either the server made a new certificate, or someone is in between: refused, like SSH.
    """

    def __init__(self, server: str, *, expected: str, presented: str) -> None:
        super().__init__(
            f"the certificate of {server} is not the trusted one: expected SHA-256 "
            f"{expected}, got {presented}. Someone may be intercepting the connection; if "
            "the server really has a new certificate, check its fingerprint with its owner "
            f"and pass --trust-fingerprint {presented} (or remove its line from known_hosts)",
            server=server,
            presented=presented,
        )
        self.expected = expected


class MessageTooLargeError(DesktopChatError):
    """A message over the relay's size limit: it would be refused, so it is never queued."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(
            f"This message is {size:,} bytes; the limit is {limit:,}. Shorten it or split it "
            "into several messages."
        )
        self.size = size
        self.limit = limit
