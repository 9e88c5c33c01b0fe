"""Settings: a TOML file in the platform's config dir, with one profile per server.

A profile names a server — the embedded hub on this machine, a remote relay, a relay in
front of Pusher Channels — and the user last logged in there. Tokens are never here: they
live in the OS keyring (``credentials``). Unknown tables are kept on save, so the window's
own settings (theme, geometry) live in the same file without this module knowing them.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import tomli_w

from desktopchat.client.errors import SettingsError
from desktopchat.client.server_url import normalize_server_url

SETTINGS_FILE = "settings.toml"
#: ``server`` value of a profile that uses the hub embedded on this machine.
EMBEDDED = "embedded"
DEFAULT_EMBEDDED_PORT = 6001
DEFAULT_PROFILE = "local"


@dataclass(frozen=True, slots=True)
class Profile:
    """One server and who uses it."""

    name: str
    server: str = EMBEDDED
    username: str | None = None

    @property
    def embedded(self) -> bool:
        """Whether this profile uses (and may start) the hub on this machine."""
        return self.server == EMBEDDED

    def to_toml(self) -> dict[str, Any]:
        """The profile's TOML table."""
        table: dict[str, Any] = {"server": self.server}
        if self.username:
            table["username"] = self.username
        return table


@dataclass(frozen=True, slots=True)
class Settings:
    """The whole settings file."""

    profiles: dict[str, Profile]
    current: str = DEFAULT_PROFILE
    embedded_port: int = DEFAULT_EMBEDDED_PORT
    #: Tables this module does not own, written back untouched.
    extra: dict[str, Any] | None = None

    @property
    def profile(self) -> Profile:
        """The current profile."""
        return self.profiles[self.current]

    def server_url(self, profile: Profile) -> str:
        """The relay URL of ``profile`` (the embedded hub's on this machine)."""
        if profile.embedded:
            return f"http://127.0.0.1:{self.embedded_port}"
        return profile.server

    def with_profile(self, profile: Profile, *, make_current: bool = True) -> Settings:
        """These settings with ``profile`` added or replaced."""
        profiles = {**self.profiles, profile.name: profile}
        return replace(
            self, profiles=profiles, current=profile.name if make_current else self.current
        )

    def for_server(self, server: str | None) -> Profile:
        """The profile for ``--server URL`` (an existing one, or a new one named by host)."""
        if server is None:
            return self.profile
        if server == EMBEDDED:
            return next((p for p in self.profiles.values() if p.embedded), Profile(DEFAULT_PROFILE))
        url = normalize_server_url(server)
        for profile in self.profiles.values():
            if profile.server == url:
                return profile
        return Profile(name=urlsplit(url).netloc or url, server=url)


def default_settings() -> Settings:
    """What a new user starts with: the embedded hub, nothing else."""
    return Settings(profiles={DEFAULT_PROFILE: Profile(DEFAULT_PROFILE)})


def load(config_dir: Path) -> Settings:
    """Read the settings (defaults if there is no file yet)."""
    path = config_dir / SETTINGS_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default_settings()
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from exc
    try:
        return _parse(raw)
    except (KeyError, TypeError, ValueError) as exc:
        raise SettingsError(f"{path} is not valid desktopchat settings: {exc}") from exc


def _parse(raw: dict[str, Any]) -> Settings:
    for name, table in dict(raw.get("profiles", {})).items():
        if not isinstance(table, dict):
            raise ValueError(f"profile {name!r} is not a table")
    profiles = {
        name: Profile(
            name=name,
            server=_server(str(table.get("server", EMBEDDED))),
            username=str(table["username"]) if table.get("username") else None,
        )
        for name, table in dict(raw.get("profiles", {})).items()
    }
    if not profiles:
        profiles = dict(default_settings().profiles)
    current = str(raw.get("current_profile", DEFAULT_PROFILE))
    if current not in profiles:
        current = next(iter(profiles))
    port = int(raw.get("embedded_port", DEFAULT_EMBEDDED_PORT))
    if not 0 < port < 65536:
        raise ValueError(f"embedded_port {port} is not a port")
    extra = {
        k: v for k, v in raw.items() if k not in {"profiles", "current_profile", "embedded_port"}
    }
    return Settings(profiles, current, port, extra or None)


def _server(value: str) -> str:
    return value if value == EMBEDDED else normalize_server_url(value)


def save(config_dir: Path, settings: Settings) -> None:
    """Write the settings atomically (a crash mid-write never leaves half a file)."""
    document: dict[str, Any] = dict(settings.extra or {})
    document["current_profile"] = settings.current
    document["embedded_port"] = settings.embedded_port
    document["profiles"] = {name: p.to_toml() for name, p in settings.profiles.items()}
    config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = config_dir / SETTINGS_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(tomli_w.dumps(document), encoding="utf-8")
    os.replace(tmp, path)
