"""HTTP client of the relay: one method per endpoint, errors translated to ours.

Synchronous on purpose: the CLI calls it directly and the window calls it from worker
threads (``tasks``), never from the GUI thread. One client per thread: neither its
connection nor a ``requests.Session`` is thread-safe.

The JSON API goes over one keep-alive connection of the standard library
(:mod:`.relay_http`): importing ``requests`` and urllib3 costs ~85 ms, which a first
start's login and first page of history would wait for. ``requests`` is imported only
for files (streamed uploads and downloads) and for a relay reached through a proxy.
"""

from __future__ import annotations

import http.client
import ssl
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote, urljoin

from desktopchat.client import relay_http, transfers, trust
from desktopchat.client.direct import DirectMessage
from desktopchat.client.domain import (
    AroundPage,
    Attachment,
    ChangePage,
    HistoryPage,
    Message,
    ReadMark,
    Room,
    ServerInfo,
    User,
)
from desktopchat.client.errors import (
    AuthenticationError,
    ProtocolError,
    RateLimitedError,
    RelayError,
    RelayUnreachableError,
)
from desktopchat.client.search import SearchResults, results_from_json
from desktopchat.client.server_url import normalize_server_url

if TYPE_CHECKING:
    import requests

__all__ = ["RelayClient", "normalize_server_url"]

#: Seconds to connect, and to wait for an answer; a hung relay must not hang the client.
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 15.0
#: The largest thumbnail accepted (the relay makes them <= 320 px: tens of KB).
MAX_THUMBNAIL_BYTES = 4 * 1024 * 1024
#: Rooms asked per page of ``GET /api/rooms`` (the relay's most), and pages at most.
ROOM_PAGE_SIZE = 500
MAX_ROOM_PAGES = 1000


def _member(answer: Any, key: str, kind: type | tuple[type, ...] = object) -> Any:
    """``answer[key]``, or ProtocolError when the answer is not shaped like the relay's."""
    value = answer.get(key) if isinstance(answer, dict) else None
    if value is None or not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ProtocolError(f"the relay's answer has no valid {key!r}")
    return value


class _HasName(Protocol):
    """What a listing paged by name holds (a :class:`Room`, a :class:`DirectMessage`)."""

    @property
    def name(self) -> str: ...


_Named = TypeVar("_Named", bound=_HasName)


class RelayClient:
    """Talks to one relay, as one user once :attr:`token` is set.

    Over ``https://`` the relay's certificate must be the pinned one (``pin``, a SHA-256
    fingerprint from ``known_hosts``) or, without a pin, chain to a CA the system trusts;
    otherwise a :class:`~desktopchat.client.errors.CertificateError` is raised before any
    request, token or password is sent.
    """

    def __init__(self, server_url: str, token: str | None = None, pin: str | None = None) -> None:
        self.server_url = normalize_server_url(server_url)
        self.token = token
        self.pin = trust.normalize_fingerprint(pin) if pin else None
        # The JSON API goes over the standard library (see relay_http on why); requests
        # is made for files, and for everything when a proxy is in the way.
        self._direct: relay_http.RelayConnection | None = None
        if not relay_http.proxied(self.server_url):
            try:
                self._direct = relay_http.RelayConnection(
                    self.server_url,
                    self.pin,
                    connect_timeout=CONNECT_TIMEOUT,
                    read_timeout=READ_TIMEOUT,
                )
            except ValueError:  # no valid port or host: requests says so on the first call
                self._direct = None
        self._requests_session: requests.Session | None = None

    @property
    def _requests(self) -> Any:
        """The requests module, imported on first use (see the module's docstring)."""
        import requests  # noqa: PLC0415 - see the module's docstring

        return requests

    @property
    def _http(self) -> requests.Session:
        """requests' session for this relay, made on first use."""
        if self._requests_session is None:
            from desktopchat.client.trust_adapter import TrustAdapter  # noqa: PLC0415

            self._requests_session = self._requests.Session()
            self._requests_session.headers["User-Agent"] = "desktopchat"
            self._requests_session.mount("https://", TrustAdapter(self.pin))
        return self._requests_session

    def close(self) -> None:
        """Close pooled connections."""
        if self._direct is not None:
            self._direct.close()
        if self._requests_session is not None:
            self._requests_session.close()

    def absolute(self, url: str) -> str:
        """Resolve a URL the relay gave relative to itself (avatars)."""
        return urljoin(self.server_url + "/", url)

    # --------------------------------------------------------------------- transport

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = kwargs.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        response: relay_http.Reply | requests.Response
        if self._direct is not None and "data" not in kwargs:
            try:
                response = self._direct.request(
                    method,
                    path,
                    headers=headers,
                    params=kwargs.get("params"),
                    json_body=kwargs.get("json"),
                )
            except ssl.SSLError as exc:
                raise trust.tls_failure(self.server_url, self.pin, exc) from exc
            except (OSError, http.client.HTTPException) as exc:
                raise RelayUnreachableError(
                    f"cannot reach {self.server_url}: {type(exc).__name__}"
                ) from exc
            except ValueError as exc:  # http.client refuses a header with a line break
                raise RelayError(f"not sent to {self.server_url}: {exc}") from exc
            if 300 <= response.status_code < 400:  # not followed: see relay_http
                where = response.headers.get("Location", "another address")
                raise RelayError(
                    f"{self.server_url} sends {path} on to {where}; use that server address",
                    status=response.status_code,
                    code="redirected",
                )
        else:
            response = self._via_requests(method, path, headers, kwargs)
        if response.status_code == 204:
            return None
        if response.ok:
            try:
                return response.json()
            except ValueError:
                raise ProtocolError(f"{self.server_url} answered {path} with non-JSON") from None
        raise self._error(response)

    def _via_requests(
        self, method: str, path: str, headers: dict[str, str], kwargs: dict[str, Any]
    ) -> requests.Response:
        """One request through requests (a file's upload or download, or any call to a
        relay behind a proxy), its failures as the client's errors."""
        try:
            return self._http.request(
                method,
                self.server_url + path,
                headers=headers,
                timeout=(CONNECT_TIMEOUT, READ_TIMEOUT),
                **kwargs,
            )
        except self._requests.exceptions.SSLError as exc:
            raise trust.tls_failure(self.server_url, self.pin, exc) from exc
        except self._requests.RequestException as exc:
            raise RelayUnreachableError(
                f"cannot reach {self.server_url}: {type(exc).__name__}"
            ) from exc

    def _error(self, response: relay_http.Reply | requests.Response) -> RelayError:
        try:
            error = response.json()["error"]
            code, message = str(error["code"]), str(error["message"])
        except (ValueError, KeyError, TypeError):
            code, message = "", f"{self.server_url} answered HTTP {response.status_code}"
        status = response.status_code
        if status == 401:
            return AuthenticationError(message, status=401, code=code)
        if status == 429:
            retry = response.headers.get("Retry-After", "")
            seconds = float(retry) if retry.isascii() and retry.isdigit() else 60.0
            return RateLimitedError(message, retry_after=seconds, code=code)
        if status >= 500:
            return RelayUnreachableError(message, status=status, code=code)
        return RelayError(message, status=status, code=code)

    # ---------------------------------------------------------------------- accounts

    def server_info(self) -> ServerInfo:
        """How to reach the server's Pusher side (``GET /api/config``)."""
        try:
            answer = self._request("GET", "/api/config")
        except RelayError as exc:
            if exc.status == 404:
                raise RelayError(
                    f"{self.server_url} is not a desktopchat relay (no /api/config)",
                    status=404,
                    code=exc.code,
                ) from exc
            raise
        return ServerInfo.from_json(answer)

    def register(
        self,
        username: str,
        password: str,
        display_name: str | None = None,
        email: str | None = None,
    ) -> User:
        """Create an account (does not log in)."""
        body = {
            "username": username,
            "password": password,
            "display_name": display_name or username,
        }
        if email:
            body["email"] = email
        return User.from_json(_member(self._request("POST", "/api/users", json=body), "user"))

    def login(self, username: str, password: str) -> tuple[str, User]:
        """Log in; the token is also kept on this client for later calls."""
        answer = self._request(
            "POST", "/api/sessions", json={"username": username, "password": password}
        )
        return self._session(answer)

    def local_login(
        self, username: str, display_name: str, timestamp: int, signature: str, nonce: str
    ) -> tuple[str, User]:
        """Log in to an embedded hub by proving access to its secret (see ``embedded``)."""
        body = {
            "username": username,
            "display_name": display_name,
            "timestamp": timestamp,
            "nonce": nonce,
            "signature": signature,
        }
        return self._session(self._request("POST", "/api/sessions/local", json=body))

    def _session(self, answer: Any) -> tuple[str, User]:
        token = answer.get("token") if isinstance(answer, dict) else None
        if not isinstance(token, str):
            raise ProtocolError("the login answer has no token")
        self.token = token
        return token, User.from_json(answer.get("user"))

    def logout(self) -> None:
        """Revoke this client's token on the server."""
        self._request("DELETE", "/api/sessions/current")
        self.token = None

    def me(self) -> User:
        """The logged-in user; :class:`AuthenticationError` if the token is no longer valid."""
        return User.from_json(_member(self._request("GET", "/api/me"), "user"))

    def set_display_name(self, display_name: str) -> User:
        """Change the name others see."""
        answer = self._request("PATCH", "/api/me", json={"display_name": display_name})
        return User.from_json(answer["user"])

    # ------------------------------------------------------------------------- rooms

    def rooms(self) -> list[Room]:
        """Every room, following the relay's pages (``after`` the last name while ``has_more``).

        A relay from before pages sends no ``has_more``: its one answer is the whole list.
        """
        return self._named_pages("/api/rooms", "rooms", Room.from_json, "room")

    def _named_pages(
        self, path: str, key: str, parse: Callable[[Any], _Named], what: str
    ) -> list[_Named]:
        """Every entry of a listing paged by name (``after`` the last while ``has_more``)."""
        found: list[_Named] = []
        after = ""
        for _ in range(MAX_ROOM_PAGES):
            params = {"limit": ROOM_PAGE_SIZE, **({"after": after} if after else {})}
            answer = self._request("GET", path, params=params)
            page = [parse(entry) for entry in _member(answer, key, list)]
            found.extend(page)
            if answer.get("has_more") is not True or not page or page[-1].name <= after:
                return found
            after = page[-1].name
        raise ProtocolError(f"the relay's {what} list goes on past {MAX_ROOM_PAGES} pages")

    def create_room(self, name: str, topic: str = "") -> Room:
        """Create a room."""
        return Room.from_json(
            _member(
                self._request("POST", "/api/rooms", json={"name": name, "topic": topic}), "room"
            )
        )

    def set_topic(self, room: str, topic: str) -> Room:
        """Change a room's topic (everyone's room list hears of it)."""
        answer = self._request("PATCH", f"/api/rooms/{room}", json={"topic": topic})
        return Room.from_json(_member(answer, "room"))

    def send(
        self,
        room: str,
        text: str,
        client_id: str,
        *,
        attachments: Sequence[str] = (),
        reply_to: int | None = None,
        mentions: Sequence[int] = (),
    ) -> Message:
        """Send a message (carrying uploaded file ids; a reply to ``reply_to``); safe to
        repeat with one ``client_id``. ``mentions`` are the ids of the users its ``@Name``
        texts stand for."""
        body: dict[str, Any] = {"text": text, "client_id": client_id}
        if attachments:
            body["attachments"] = list(attachments)
        if reply_to is not None:
            body["reply_to"] = reply_to
        if mentions:
            body["mentions"] = list(mentions)
        return Message.from_json(self._request("POST", f"/api/rooms/{room}/messages", json=body))

    def upload(
        self,
        room: str,
        path: Path,
        *,
        name: str | None = None,
        progress: transfers.Progress | None = None,
        cancel: transfers.Cancel | None = None,
    ) -> Attachment:
        """Upload the file at ``path`` to ``room`` (streamed, never read whole into memory).

        ``progress(sent, total)`` is called as bytes go out; ``cancel()`` returning True
        stops the upload (:class:`~.transfers.TransferCancelledError`). The relay then has
        the file; a message carries it by id (:meth:`send`). An upload cut off (the relay
        restarting) is started again from the first byte: the relay keeps no partial ones.
        """
        with transfers.ProgressReader(path, progress, cancel) as body:
            answer = self._request(
                "POST",
                f"/api/rooms/{room}/files",
                params={"name": name or path.name},
                data=body,
                headers={"Content-Type": "application/octet-stream"},
            )
        return Attachment.from_json(_member(answer, "file", dict))

    def download(
        self,
        attachment: Attachment,
        directory: Path,
        *,
        progress: transfers.Progress | None = None,
        cancel: transfers.Cancel | None = None,
    ) -> Path:
        """The attachment's bytes in ``directory`` (a cache), checked against its hash.

        Kept as ``directory/HASH/NAME``: a second download of the same file is the file
        already there. Written to a temporary name and renamed when complete and verified,
        so a cut-off download never passes for a whole one.
        """
        target = transfers.cached_path(directory, attachment)
        if target.is_file() and target.stat().st_size == attachment.size:
            return target
        response = self._stream("GET", attachment.url)
        try:
            return transfers.save_verified(response, attachment, target, progress, cancel)
        except self._requests.RequestException as exc:
            raise RelayUnreachableError(
                f"the download from {self.server_url} broke off: {type(exc).__name__}"
            ) from exc
        finally:
            response.close()

    def thumbnail(self, attachment: Attachment, limit: int = MAX_THUMBNAIL_BYTES) -> bytes:
        """The encoded bytes of ``attachment``'s thumbnail (a still PNG or JPEG).

        Raises :class:`~.errors.RelayError` (code ``no_preview``) for a file the relay
        cannot preview, and :class:`~.errors.ProtocolError` for one without a thumbnail URL
        or a body over ``limit`` bytes (a relay gone wrong must not fill the memory).
        """
        if attachment.thumbnail_url is None:
            raise ProtocolError(f"{attachment.name} has no thumbnail")
        response = self._stream("GET", attachment.thumbnail_url)
        try:
            data = response.raw.read(limit + 1, decode_content=True)
        except (self._requests.RequestException, OSError) as exc:
            raise RelayUnreachableError(
                f"the thumbnail from {self.server_url} broke off: {type(exc).__name__}"
            ) from exc
        finally:
            response.close()
        if len(data) > limit:
            raise ProtocolError(f"the thumbnail of {attachment.name} is over {limit} bytes")
        return bytes(data)

    def _stream(self, method: str, path: str) -> requests.Response:
        """A streamed response (its body not read yet); errors as :meth:`_request`'s.

        ``path`` comes from the relay's data: only a path on the relay itself is followed,
        so a message can never send this user's token to another host.
        """
        if not path.startswith("/api/") or "//" in path or "\\" in path:
            raise ProtocolError(f"the relay named a file at an unexpected place: {path[:80]!r}")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self._via_requests(method, path, headers, {"stream": True})
        if not response.ok:
            try:
                raise self._error(response)
            finally:
                response.close()
        return response

    def history(
        self, room: str, *, after: int | None = None, before: int | None = None, limit: int = 100
    ) -> HistoryPage:
        """A page of history: after an id (catch-up), before one (scroll back), or the latest."""
        params: dict[str, int] = {"limit": limit}
        if after is not None:
            params["after"] = after
        if before is not None:
            params["before"] = before
        answer = self._request("GET", f"/api/rooms/{room}/messages", params=params)
        messages = tuple(Message.from_json(m) for m in _member(answer, "messages", list))
        return HistoryPage(messages, bool(_member(answer, "has_more")))

    def around(self, room: str, message_id: int, limit: int = 50) -> AroundPage:
        """Message ``message_id`` and its neighbours (to jump to one far back)."""
        params = {"around": message_id, "limit": limit}
        answer = self._request("GET", f"/api/rooms/{room}/messages", params=params)
        messages = tuple(Message.from_json(m) for m in _member(answer, "messages", list))
        return AroundPage(
            messages, bool(_member(answer, "has_more")), bool(_member(answer, "has_more_after"))
        )

    def react(self, room: str, message_id: int, emoji: str, *, on: bool = True) -> Message:
        """Put ``emoji`` on a message (``on``) or take it back; idempotent either way."""
        path = f"/api/rooms/{room}/messages/{message_id}/reactions/{quote(emoji, safe='')}"
        return Message.from_json(self._request("PUT" if on else "DELETE", path))

    def changes(self, room: str, since: int | None, limit: int = 200) -> ChangePage:
        """Edits and deletes after change counter ``since`` (None: just the current counter)."""
        params: dict[str, int] = {"limit": limit}
        if since is not None:
            params["since"] = since
        answer = self._request("GET", f"/api/rooms/{room}/changes", params=params)
        messages = tuple(Message.from_json(m) for m in _member(answer, "messages", list))
        until = _member(answer, "until", int)
        return ChangePage(messages, until, bool(_member(answer, "has_more")))

    def search(self, query: str, *, room: str | None = None, limit: int = 50) -> SearchResults:
        """``GET /api/search``: matches newest first, over every room the user may read."""
        params: dict[str, str | int] = {"q": query, "limit": limit}
        if room is not None:
            params["room"] = room
        answer = self._request("GET", "/api/search", params=params)
        return results_from_json(query, answer)

    def edit(
        self, room: str, message_id: int, text: str, mentions: Sequence[int] | None = None
    ) -> Message:
        """Edit one of your messages; with ``mentions``, those become whom it mentions
        (without, its mentions stay as they were)."""
        body: dict[str, Any] = {"text": text}
        if mentions is not None:
            body["mentions"] = list(mentions)
        answer = self._request("PATCH", f"/api/rooms/{room}/messages/{message_id}", json=body)
        return Message.from_json(answer)

    def delete(self, room: str, message_id: int) -> Message:
        """Delete one of your messages (it stays as a placeholder)."""
        return Message.from_json(
            self._request("DELETE", f"/api/rooms/{room}/messages/{message_id}")
        )

    def mark_read(self, room: str, message_id: int) -> ReadMark:
        """Everything up to ``message_id`` in ``room`` is read; the mark as it now stands."""
        answer = self._request("PUT", f"/api/rooms/{room}/read", json={"message_id": message_id})
        return ReadMark.from_json(answer)

    def read_state(self) -> list[ReadMark]:
        """The user's read mark in every room they have read (on any device)."""
        answer = self._request("GET", "/api/read-state")
        return [ReadMark.from_json(entry) for entry in _member(answer, "rooms", list)]

    def pusher_auth(self, socket_id: str, channel: str) -> dict[str, str]:
        """The relay's signature for subscribing ``socket_id`` to ``channel``."""
        answer = self._request(
            "POST", "/api/pusher/auth", data={"socket_id": socket_id, "channel_name": channel}
        )
        if not isinstance(answer, dict) or not isinstance(answer.get("auth"), str):
            raise ProtocolError("the relay's channel authorization has no 'auth'")
        return {k: v for k, v in answer.items() if isinstance(v, str)}

    # --------------------------------------------------------------- direct messages

    def direct_messages(self) -> list[DirectMessage]:
        """Your DMs, following the relay's pages (as :meth:`rooms`)."""
        return self._named_pages("/api/dms", "dms", DirectMessage.from_json, "DM")

    def start_direct(self, users: list[str | int]) -> DirectMessage:
        """The DM with ``users`` (usernames or ids): made now, or the one they already have."""
        answer = self._request("POST", "/api/dms", json={"users": users})
        return DirectMessage.from_json(_member(answer, "dm"))
