"""Getting a session for a profile: a stored token, the environment, or the local hub.

Blocking (HTTP and keyring): the CLI calls it directly, the window from a worker thread.
Order: ``DESKTOPCHAT_TOKEN`` (bots, CI); the keyring's token for this server and user, if
the relay still accepts it; for the embedded hub, a local login (starting the hub first
if none answers). Otherwise the user must log in, and the error says how.

Local-first: when the server cannot be reached but a token is stored and an earlier
session left its user and server configuration in the local database, the window gets
an *offline* login at once (history, rooms and the outbox from disk) and connects when the
server comes back; the relay checks the token then.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from desktopchat.client import embedded
from desktopchat.client.cache import LocalDatabase, database_path
from desktopchat.client.credentials import TOKEN_ENV, TokenStore
from desktopchat.client.domain import ServerInfo, User
from desktopchat.client.errors import (
    AuthenticationError,
    CredentialStoreError,
    HubStartError,
    NotLoggedInError,
    RelayUnreachableError,
)
from desktopchat.client.relay_client import RelayClient, normalize_server_url
from desktopchat.client.settings import Profile, Settings
from desktopchat.client.trust import KnownHosts
from desktopchat.paths import AppDirs

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Login:
    """A usable session: where, who, and with which token."""

    server_url: str
    token: str
    user: User
    server: ServerInfo
    #: Notices to show the user (e.g. the keyring is unavailable).
    notices: tuple[str, ...] = ()
    #: The SHA-256 fingerprint pinned for the server's certificate (None: the CAs decide).
    pin: str | None = None
    #: Made from the local database because the server was unreachable: the token has
    #: not been checked yet (the window checks it once the connection is up).
    offline: bool = False

    def relay_client(self) -> RelayClient:
        """A new client of this session's relay, as this user, trusting what the login did."""
        return RelayClient(self.server_url, self.token, pin=self.pin)


def open_login(
    dirs: AppDirs,
    settings: Settings,
    profile: Profile,
    store: TokenStore,
    *,
    allow_offline: bool = False,
) -> Login:
    """A session for ``profile``, or :class:`NotLoggedInError` saying how to get one.

    With ``allow_offline``, an unreachable server gives the last session from the local
    database (:attr:`Login.offline`) when there is one, instead of the error.
    """
    try:
        return _online_login(dirs, settings, profile, store)
    except (RelayUnreachableError, HubStartError):
        if allow_offline:
            cached = offline_login(dirs, settings, profile, store)
            if cached is not None:
                return cached
        raise


def offline_login(
    dirs: AppDirs, settings: Settings, profile: Profile, store: TokenStore
) -> Login | None:
    """The last session of ``profile`` from disk (token from the keyring), if complete."""
    url = settings.server_url(profile)
    username = profile.username or (embedded.local_identity()[0] if profile.embedded else None)
    if not username:
        return None
    notices: list[str] = []
    token = os.environ.get(TOKEN_ENV) or _stored_token(store, url, username, notices)
    path = database_path(dirs.data, url, username)
    if not token or not path.exists():
        return None
    database = LocalDatabase(path)
    try:
        saved = database.saved_login()
    finally:
        database.close()
    if saved is None:
        return None
    user, server = saved
    pin = KnownHosts(dirs.data).pin_for(url)
    return Login(url, token, user, server, tuple(notices), pin, offline=True)


def _online_login(dirs: AppDirs, settings: Settings, profile: Profile, store: TokenStore) -> Login:
    url = settings.server_url(profile)
    pin = KnownHosts(dirs.data).pin_for(url)
    client = RelayClient(url, pin=pin)
    try:
        if profile.embedded:
            embedded.ensure_hub(client, settings.embedded_port, dirs.data / "hub", dirs.logs)
        server = client.server_info()
        notices: list[str] = []
        env_token = os.environ.get(TOKEN_ENV)
        if env_token:
            client.token = env_token
            return Login(url, env_token, client.me(), server, pin=pin)
        username = profile.username or (embedded.local_identity()[0] if profile.embedded else None)
        if username:
            token = _stored_token(store, url, username, notices)
            if token:
                client.token = token
                try:
                    return Login(url, token, client.me(), server, tuple(notices), pin)
                except AuthenticationError:
                    log.info("the stored token for %s@%s expired", username, url)
                    _forget(store, url, username, notices)
        if not profile.embedded:
            raise NotLoggedInError(
                f"not logged in to {url}: run `desktopchat login --server {url}`"
            )
        token, user = embedded.local_login(client, dirs.data / "hub")
        remember(store, url, user.username, token, notices)
        return Login(url, token, user, server, tuple(notices), pin)
    finally:
        client.close()


def sign_in(
    store: TokenStore,
    settings: Settings,
    server: str,
    username: str,
    password: str,
    *,
    remember_me: bool,
    create_account: bool = False,
    display_name: str = "",
    email: str = "",
    known_hosts: KnownHosts | None = None,
) -> tuple[Login, Profile]:
    """Log in to a remote relay (creating the account first if asked).

    Returns the session and the profile to save for that server; with ``remember_me`` the
    token goes to the keyring, else it lasts this session only. The server's certificate
    must be pinned in ``known_hosts`` or vouched for by a CA, else
    :class:`~desktopchat.client.errors.UntrustedCertificateError` comes before the password
    is sent.
    """
    pin = known_hosts.pin_for(normalize_server_url(server)) if known_hosts else None
    client = RelayClient(server, pin=pin)
    try:
        server_info = client.server_info()
        if create_account:
            client.register(username, password, display_name or None, email or None)
        token, user = client.login(username, password)
    finally:
        client.close()
    notices: list[str] = []
    if remember_me:
        remember(store, client.server_url, user.username, token, notices)
    profile = settings.for_server(client.server_url)
    profile = Profile(profile.name, profile.server, user.username)
    return Login(client.server_url, token, user, server_info, tuple(notices), pin), profile


def remember(store: TokenStore, url: str, username: str, token: str, notices: list[str]) -> None:
    """Keep a token in the store; if the keyring fails, say so (the session still works)."""
    try:
        store.set(url, username, token)
    except CredentialStoreError as exc:
        notices.append(
            f"could not save the session in the keyring ({exc}); it lasts this session only"
        )


def _stored_token(store: TokenStore, url: str, username: str, notices: list[str]) -> str | None:
    try:
        return store.get(url, username)
    except CredentialStoreError as exc:
        notices.append(f"could not read the keyring ({exc})")
        return None


def _forget(store: TokenStore, url: str, username: str, notices: list[str]) -> None:
    try:
        store.delete(url, username)
    except CredentialStoreError as exc:
        notices.append(f"could not remove an expired token from the keyring ({exc})")
