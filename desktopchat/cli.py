"""The ``desktopchat`` command: parse arguments and dispatch to a subcommand.

With no subcommand it opens the window, on the embedded hub unless a profile says otherwise.
Opening the window is the common start, and the one a person waits for: it builds a parser
of the window's options alone and imports none of the other commands' modules (relay
options, seeding, HTTP helpers: ~40 ms of start-up before the first paint). Naming a
command, or asking for help, builds the full parser.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from desktopchat import __version__, logs
from desktopchat.paths import app_dirs

_GLOBAL_FLAGS = ("-v", "--verbose")
_STANDALONE = {"-h", "--help", "--version", "--self-test"}
#: Every command's name, and the module of :mod:`desktopchat.commands` that registers it
#: (in ``--help``'s order). A test checks it against the full parser.
COMMANDS = {
    "window": "window",
    "serve": "serve",
    "relay": "relay",
    "send": "send",
    "tail": "tail",
    "search": "search",
    "register": "account",
    "login": "account",
    "logout": "account",
    "desktop-entry": "desktop_entry",
}


def _wants_window(parser: argparse.ArgumentParser, arguments: list[str]) -> bool:
    """No subcommand named (and nothing that runs on its own): the window is meant."""
    commands: set[str] = set()
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            commands.update(action.choices)
    return not (commands & set(arguments)) and not (_STANDALONE & set(arguments))


def build_parser(*, window_only: bool = False) -> argparse.ArgumentParser:
    """The full argument parser, subcommands included (``window_only``: only ``window``)."""
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
    modules = ["window"] if window_only else list(dict.fromkeys(COMMANDS.values()))
    for name in modules:
        module = importlib.import_module(f"desktopchat.commands.{name}")
        # account registers several commands (register, login, logout) at once.
        register = getattr(module, "add_parsers", None) or module.add_parser
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the process exit code."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    window_meant = not (set(COMMANDS) | _STANDALONE) & set(arguments)
    parser = build_parser(window_only=window_meant)
    if window_meant:
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
