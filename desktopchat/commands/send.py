"""``desktopchat send``: one message through the relay, for scripts, bots and CI jobs.

Exit 0 (printing the message id) only once the relay has stored the message; otherwise a
one-line reason and a non-zero code. A transient failure is retried a few times with the
same client id, which the relay turns into one message however often it arrives.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from typing import TYPE_CHECKING

from desktopchat.client.errors import DesktopChatError, RelayError
from desktopchat.commands.common import add_client_options, client_context, warn
from desktopchat.paths import AppDirs

if TYPE_CHECKING:
    from desktopchat.client.domain import Message
    from desktopchat.client.relay_client import RelayClient

#: Attempts for a transient failure, and the pause before each retry (seconds).
RETRY_DELAYS = (0.5, 1.0, 2.0)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``send``."""
    parser = subparsers.add_parser("send", help="send one message (TEXT, or - for stdin)")
    add_client_options(parser)
    parser.add_argument("--room", default="general")
    parser.add_argument("text", metavar="TEXT", help="the message; - reads it from stdin")
    parser.set_defaults(run=run)


def send_with_retries(client: RelayClient, room: str, text: str) -> Message:
    """Send, retrying transient failures with the same client id (no duplicates)."""
    client_id = f"cli-{uuid.uuid4().hex}"
    for delay in (*RETRY_DELAYS, None):
        try:
            return client.send(room, text, client_id)
        except RelayError as exc:
            if not exc.transient or delay is None:
                raise
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def run(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Send the message and print its id."""
    text = sys.stdin.read().removesuffix("\n") if args.text == "-" else args.text
    try:
        context = client_context(args, dirs)
        login = context.login()
        client = login.relay_client()
        message = send_with_retries(client, args.room, text)
    except DesktopChatError as exc:
        warn(f"not sent: {exc}")
        return 1
    print(message.id)
    return 0
