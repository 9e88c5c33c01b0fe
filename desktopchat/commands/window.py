"""``desktopchat`` (or ``desktopchat window``): open the chat window."""

from __future__ import annotations

import argparse

from desktopchat import startup_gc
from desktopchat.commands.common import add_client_options
from desktopchat.paths import AppDirs


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``window`` (what ``desktopchat`` with no command runs)."""
    parser = subparsers.add_parser("window", help="open the chat window (the default)")
    add_client_options(parser)
    parser.add_argument(
        "--start-in-tray", action="store_true", help="start hidden in the tray (if there is one)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Import Qt widgets only now: the CLI commands and the hub never load them.

    The garbage collector pauses first, for the whole start-up (:mod:`desktopchat.startup_gc`).
    """
    startup_gc.pause()
    from desktopchat.ui import app  # noqa: PLC0415 - deliberate lazy import

    return app.run(args, dirs)
