"""``desktopchat desktop-entry install|uninstall``: put the app in (or out of) the launcher."""

from __future__ import annotations

import argparse
import sys

from desktopchat.paths import AppDirs


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``desktop-entry`` with its ``install`` and ``uninstall`` actions."""
    parser = subparsers.add_parser(
        "desktop-entry",
        help="add desktopchat to the applications menu (Linux: .desktop file and icons)",
        description="Write (or remove) desktopchat.desktop and the hicolor icons in the "
        "user's XDG data directory ($XDG_DATA_HOME, else ~/.local/share), with Exec "
        "pointing at this installation.",
    )
    parser.add_argument("action", choices=("install", "uninstall"))
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Install or uninstall; print every file touched."""
    from desktopchat.xdg import autostart, entry  # noqa: PLC0415 - only this command needs it

    if not autostart.supported():
        print(
            "desktopchat: desktop-entry is for Linux and other freedesktop.org desktops; "
            "see the README for macOS and Windows",
            file=sys.stderr,
        )
        return 2
    if args.action == "uninstall":
        removed = entry.uninstall()
        for path in removed:
            print(f"removed {path}")
        if not removed:
            print(f"nothing to remove: no {entry.entry_path()}")
        return 0
    for path in entry.install():
        print(f"wrote {path}")
    try:
        hints = entry.validate(entry.entry_path())
    except FileNotFoundError as exc:
        print(f"not validated: {exc}")
        return 0
    except entry.InvalidEntryError as exc:
        entry.uninstall()  # a launcher entry the desktop refuses is worse than none
        print(f"desktopchat: the entry was invalid, removed it again:\n{exc}", file=sys.stderr)
        return 1
    print(f"desktop-file-validate: {hints or 'no complaints'}")
    return 0
