"""The settings one running window works with, shared by the parts that read and change them.

The window, its profile flow and its notification wiring each change part of the settings
(profiles, the ``[ui]`` and ``[notifications]`` tables); one object holds the current
value and writes it, so no part works on a stale copy. Every write starts from the file on
disk, since a CLI command (``login``, ``send --server``) may have changed it meanwhile.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from desktopchat.client import settings as settings_file
from desktopchat.client.settings import Profile, Settings


class LiveSettings:
    """The current :class:`Settings`, saved to ``config_dir`` on every change."""

    def __init__(self, config_dir: Path, settings: Settings) -> None:
        self.config_dir = config_dir
        self.current = settings

    def section(self, name: str) -> dict[str, Any]:
        """A table of extra settings (``ui``, ``notifications``), empty if missing."""
        table = (self.current.extra or {}).get(name, {})
        return dict(table) if isinstance(table, dict) else {}

    def save_section(self, name: str, table: dict[str, Any]) -> None:
        """Replace one table, keeping what else is in the file now."""
        latest = settings_file.load(self.config_dir)
        self.current = replace(latest, extra={**(latest.extra or {}), name: table})
        settings_file.save(self.config_dir, self.current)

    def update_section(self, name: str, **changes: Any) -> None:
        """Change some keys of one table."""
        self.save_section(name, {**self.section(name), **changes})

    def use_profile(self, profile: Profile) -> None:
        """Add or replace ``profile`` and make it current."""
        self.current = self.current.with_profile(profile)
        settings_file.save(self.config_dir, self.current)

    def remember_profile(self, profile: Profile) -> None:
        """Add or replace ``profile``, keeping the current one and what else is in the file."""
        latest = settings_file.load(self.config_dir)
        self.current = latest.with_profile(profile, make_current=False)
        settings_file.save(self.config_dir, self.current)

    def remove_profile(self, name: str) -> bool:
        """Forget a profile other than the current one; False if that is not allowed."""
        if name == self.current.current or len(self.current.profiles) <= 1:
            return False
        profiles = {k: v for k, v in self.current.profiles.items() if k != name}
        self.current = replace(self.current, profiles=profiles)
        settings_file.save(self.config_dir, self.current)
        return True
