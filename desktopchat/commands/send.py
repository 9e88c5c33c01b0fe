"""``desktopchat send``: one message through the relay, for scripts, bots and CI jobs.

Exit 0 (printing the message id) only once the relay has stored the message; otherwise a
one-line reason and a non-zero code. A transient failure is retried a few times with the
same client id, which the relay turns into one message however often it arrives.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

from desktopchat.client.errors import DesktopChatError, RelayError
from desktopchat.commands.common import add_client_options, client_context, warn
from desktopchat.paths import AppDirs

if TYPE_CHECKING:
    from desktopchat.client.domain import Message
    from desktopchat.client.relay_client import RelayClient

log = logging.getLogger(__name__)

#: Attempts for a transient failure, and the pause before each retry (seconds).
RETRY_DELAYS = (0.5, 1.0, 2.0)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``send``."""
    parser = subparsers.add_parser("send", help="send one message (TEXT, or - for stdin)")
    add_client_options(parser)
    parser.add_argument("--room", default="general")
    parser.add_argument(
        "--reply-to",
        type=_message_id,
        metavar="ID",
        help="send it as a reply to message ID of the room (it quotes that message)",
    )
    parser.add_argument("text", metavar="TEXT", help="the message; - reads it from stdin")
    parser.set_defaults(run=run)


def _message_id(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError(f"not a message id: {raw!r}")
    return int(raw)


def send_with_retries(
    connect: Callable[[], RelayClient], room: str, text: str, reply_to: int | None = None
) -> Message:
    """Send, retrying transient failures with the same client id (no duplicates).

    ``connect`` (which opens the session: ``GET /api/config``, the token check) is retried
    too until it succeeds, so a relay that is restarting is waited for, not given up on.
    """
    client_id = f"cli-{uuid.uuid4().hex}"
    client: RelayClient | None = None
    try:
        for delay in (*RETRY_DELAYS, None):
            try:
                if client is None:
                    client = connect()
                return client.send(room, text, client_id, reply_to)
            except RelayError as exc:
                if not exc.transient or delay is None:
                    raise
                log.info("retrying in %.1f s: %s", delay, exc)
                time.sleep(delay)
    finally:
        if client is not None:
            client.close()
    raise AssertionError("unreachable")  # pragma: no cover


def run(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Send the message and print its id."""
    text = sys.stdin.read().removesuffix("\n") if args.text == "-" else args.text
    try:
        context = client_context(args, dirs)

        def connect() -> RelayClient:
            return context.login().relay_client()

        message = send_with_retries(connect, args.room, text, args.reply_to)
    except DesktopChatError as exc:
        warn(f"not sent: {exc}")
        return 1
    print(message.id)
    return 0
