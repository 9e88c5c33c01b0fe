"""``--seed-compat`` and ``--seed-room``, shared by ``serve`` and ``relay``."""

from __future__ import annotations

import argparse

from desktopchat.server.relay.models import ROOM_NAME

DEFAULT_SEED_ROOM = "general"


class SeedOptionsError(ValueError):
    """The seed options contradict each other or name an impossible room."""


def add_seed_options(parser: argparse.ArgumentParser) -> None:
    """Register the seed page's options."""
    parser.add_argument(
        "--seed-compat",
        action="store_true",
        help="also serve the original web chat page at /seed/ and its endpoints "
        "(/AJAX_save/send, /AJAX_save/history), bridged both ways to a room",
    )
    parser.add_argument(
        "--seed-room",
        metavar="NAME",
        help=f"the room the seed page is bridged to (default {DEFAULT_SEED_ROOM}; "
        "created if missing); needs --seed-compat",
    )


def seed_room(args: argparse.Namespace) -> str:
    """The bridged room's name, checked: a room name, and only with ``--seed-compat``."""
    if args.seed_room is None:
        return DEFAULT_SEED_ROOM
    if not args.seed_compat:
        raise SeedOptionsError("--seed-room needs --seed-compat")
    if not ROOM_NAME.match(args.seed_room):
        raise SeedOptionsError(
            f"--seed-room {args.seed_room!r}: a room name is 1-64 of a-z, 0-9, '-', '_', "
            "starting with a letter or digit"
        )
    return str(args.seed_room)
