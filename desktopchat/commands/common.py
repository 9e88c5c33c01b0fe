"""What the client subcommands share: ``--server``/``--no-keyring`` and opening a session."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from desktopchat.client import settings as settings_file
from desktopchat.client.credentials import TokenStore, open_token_store
from desktopchat.client.login import Login, open_login
from desktopchat.client.settings import Profile, Settings
from desktopchat.paths import AppDirs


def add_client_options(parser: argparse.ArgumentParser) -> None:
    """``--server`` and ``--no-keyring``, for every command that talks to a relay."""
    parser.add_argument(
        "--server",
        metavar="URL",
        help="relay URL (default: the current profile; with none, the hub on this machine)",
    )
    parser.add_argument(
        "--no-keyring",
        action="store_true",
        help="keep the session for this run only (also: DESKTOPCHAT_NO_KEYRING=1)",
    )


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

    def login(self) -> Login:
        """Open a session (starting the local hub if this profile uses it); notices to stderr."""
        login = open_login(self.dirs, self.settings, self.profile, self.store)
        for notice in login.notices:
            warn(notice)
        return login

    def remember_profile(self, username: str) -> None:
        """Make this profile current and remember who uses it."""
        profile = Profile(self.profile.name, self.profile.server, username)
        settings_file.save(self.dirs.config, self.settings.with_profile(profile))


def client_context(args: argparse.Namespace, dirs: AppDirs) -> ClientContext:
    """Read settings and pick the profile for ``--server`` (or the current one)."""
    settings = settings_file.load(dirs.config)
    profile = settings.for_server(args.server)
    store, notice = open_token_store(no_keyring=args.no_keyring)
    if notice:
        warn(notice)
    return ClientContext(dirs, settings, profile, store)


def warn(message: str) -> None:
    """One line for a person, on stderr."""
    print(f"desktopchat: {message}", file=sys.stderr)
