"""What the client subcommands share: ``--server``/``--no-keyring`` and opening a session."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktopchat.paths import AppDirs

if TYPE_CHECKING:  # the client stack is imported when a command runs, not to parse argv
    from desktopchat.client.credentials import TokenStore
    from desktopchat.client.login import Login
    from desktopchat.client.settings import Profile, Settings


def add_client_options(parser: argparse.ArgumentParser) -> None:
    """``--server`` and ``--no-keyring``, for every command that talks to a relay."""
    parser.add_argument(
        "--server",
        metavar="URL",
        help="relay URL (default: the current profile; with none, the hub on this machine)",
    )
    parser.add_argument(
        "--trust-fingerprint",
        metavar="SHA256",
        type=_fingerprint,
        help="trust the https:// server's self-signed certificate with this SHA-256 "
        "fingerprint (as `desktopchat serve --tls-self-signed` prints it) from now on",
    )
    parser.add_argument(
        "--no-keyring",
        action="store_true",
        help="keep the session for this run only (also: DESKTOPCHAT_NO_KEYRING=1)",
    )


def _fingerprint(text: str) -> str:
    """argparse type: a SHA-256 fingerprint in any common spelling (ValueError if not one)."""
    from desktopchat.client.trust import normalize_fingerprint  # noqa: PLC0415 - see imports

    return normalize_fingerprint(text)


@dataclass(frozen=True, slots=True)
class ClientContext:
    """Settings, the chosen profile and the token store for one command run."""

    dirs: AppDirs
    settings: Settings
    profile: Profile
    store: TokenStore

    @property
    def server_url(self) -> str:
        """The relay URL of the chosen profile."""
        return self.settings.server_url(self.profile)

    @property
    def pin(self) -> str | None:
        """The certificate fingerprint pinned for the profile's server, if any."""
        from desktopchat.client.trust import KnownHosts  # noqa: PLC0415 - see imports

        return KnownHosts(self.dirs.data).pin_for(self.server_url)

    def login(self) -> Login:
        """Open a session (starting the local hub if this profile uses it); notices to stderr."""
        from desktopchat.client.login import open_login  # noqa: PLC0415 - see imports

        login = open_login(self.dirs, self.settings, self.profile, self.store)
        for notice in login.notices:
            warn(notice)
        return login

    def remember_profile(self, username: str) -> None:
        """Make this profile current and remember who uses it."""
        from desktopchat.client import settings as settings_file  # noqa: PLC0415

        profile = settings_file.Profile(self.profile.name, self.profile.server, username)
        settings_file.save(self.dirs.config, self.settings.with_profile(profile))


def client_context(args: argparse.Namespace, dirs: AppDirs) -> ClientContext:
    """Read settings and pick the profile for ``--server`` (or the current one)."""
    from desktopchat.client import settings as settings_file  # noqa: PLC0415
    from desktopchat.client.credentials import open_token_store  # noqa: PLC0415

    settings = settings_file.load(dirs.config)
    profile = settings.for_server(args.server)
    store, notice = open_token_store(no_keyring=args.no_keyring)
    if notice:
        warn(notice)
    context = ClientContext(dirs, settings, profile, store)
    if getattr(args, "trust_fingerprint", None):
        trust_fingerprint(context, args.trust_fingerprint)
    return context


def trust_fingerprint(context: ClientContext, fingerprint: str) -> None:
    """Pin ``fingerprint`` for the profile's server once it presents that certificate."""
    from desktopchat.client.errors import DesktopChatError  # noqa: PLC0415 - see imports
    from desktopchat.client.trust import KnownHosts  # noqa: PLC0415

    try:
        KnownHosts(context.dirs.data).trust(context.server_url, fingerprint)
    except ValueError as exc:
        raise DesktopChatError(str(exc)) from exc


def warn(message: str) -> None:
    """One line for a person, on stderr."""
    print(f"desktopchat: {message}", file=sys.stderr)
