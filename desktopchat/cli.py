"""The ``desktopchat`` command: parse arguments and dispatch to a subcommand.

With no subcommand it opens the window, on the embedded hub unless a profile says otherwise.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from desktopchat import __version__, logs
from desktopchat.commands import (
    account,
    desktop_entry,
    relay,
    search,
    send,
    serve,
    tail,
    window,
)
from desktopchat.paths import app_dirs

_GLOBAL_FLAGS = ("-v", "--verbose")
_STANDALONE = {"-h", "--help", "--version", "--self-test"}


def _wants_window(parser: argparse.ArgumentParser, arguments: list[str]) -> bool:
    """No subcommand named (and nothing that runs on its own): the window is meant."""
    commands: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            commands.update(action.choices)
    return not (commands & set(arguments)) and not (_STANDALONE & set(arguments))


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser, subcommands included."""
    parser = argparse.ArgumentParser(
        prog="desktopchat",
        description="A fast native desktop chat on Pusher Channels. "
        "With no command, opens the chat window.",
    )
    parser.add_argument("--version", action="version", version=f"desktopchat {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="check this installation end to end (private hub, message round trip, window)",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    window.add_parser(subparsers)
    serve.add_parser(subparsers)
    relay.add_parser(subparsers)
    send.add_parser(subparsers)
    tail.add_parser(subparsers)
    search.add_parser(subparsers)
    account.add_parsers(subparsers)
    desktop_entry.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    parser = build_parser()
    arguments = list(sys.argv[1:] if argv is None else argv)
    if _wants_window(parser, arguments):
        # `desktopchat --server URL`: options of the default command without its name.
        arguments = [*[a for a in arguments if a in _GLOBAL_FLAGS], "window"] + [
            a for a in arguments if a not in _GLOBAL_FLAGS
        ]
    args = parser.parse_args(arguments)
    if args.self_test:
        from desktopchat import selftest  # noqa: PLC0415 - loads Qt and the hub

        return selftest.run()
    dirs = app_dirs()
    logs.configure(dirs.logs, verbose=args.verbose)
    result: int = args.run(args, dirs)
    return result
