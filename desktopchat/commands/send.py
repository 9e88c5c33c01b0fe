"""``desktopchat send``: one message through the relay, for scripts, bots and CI jobs.

Exit 0 (printing the message id) only once the relay has stored the message; otherwise a
one-line reason and a non-zero code. A transient failure is retried a few times with the
same client id, which the relay turns into one message however often it arrives.
``--file PATH`` (repeatable) uploads files first, and the message carries them (the text,
then optional, is their caption); an upload cut off is started again, as a whole.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from desktopchat.client.errors import DesktopChatError, RelayError
from desktopchat.commands.common import add_client_options, client_context, warn
from desktopchat.paths import AppDirs

if TYPE_CHECKING:
    from desktopchat.client.domain import Message
    from desktopchat.client.relay_client import RelayClient

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Attempts for a transient failure, and the pause before each retry (seconds).
RETRY_DELAYS = (0.5, 1.0, 2.0)


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``send``."""
    parser = subparsers.add_parser(
        "send", help="send one message (TEXT, or - for stdin), with --file PATH to attach"
    )
    add_client_options(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--room", default="general")
    where.add_argument(
        "--to", metavar="USER", help="a direct message to USER (started if there is none yet)"
    )
    parser.add_argument(
        "--file",
        dest="files",
        action="append",
        type=Path,
        default=[],
        metavar="PATH",
        help="attach this file (repeat for several); TEXT is then an optional caption",
    )
    parser.add_argument(
        "--reply-to",
        type=_message_id,
        metavar="ID",
        help="send it as a reply to message ID of the room (it quotes that message)",
    )
    parser.add_argument(
        "text", metavar="TEXT", nargs="?", default="", help="the message; - reads it from stdin"
    )
    parser.set_defaults(run=run)


def _message_id(raw: str) -> int:
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise argparse.ArgumentTypeError(f"not a message id: {raw!r}")
    return int(raw)


def send_with_retries(
    connect: Callable[[], RelayClient],
    room: str,
    text: str,
    files: Sequence[Path] = (),
    *,
    to: str | None = None,
    reply_to: int | None = None,
) -> Message:
    """Upload ``files``, then send, retrying transient failures (no duplicates).

    ``connect`` (which opens the session: ``GET /api/config``, the token check) is retried
    too until it succeeds, so a relay that is restarting is waited for, not given up on.
    Each upload is retried on its own (from its first byte); the message keeps one
    client id throughout, so the relay stores it once however often it arrives. With
    ``to`` (a username) the message goes to the DM with that user instead of ``room``;
    starting it is idempotent, so it is retried like the rest.
    """
    client_id = f"cli-{uuid.uuid4().hex}"
    holder: list[RelayClient] = []

    def client() -> RelayClient:
        if not holder:
            holder.append(connect())
        return holder[0]

    try:
        target = room if to is None else _retried(lambda: client().start_direct([to]).name)
        ids = [_retried(partial(_upload, client, target, path)) for path in files]
        return _retried(
            lambda: client().send(target, text, client_id, attachments=ids, reply_to=reply_to)
        )
    finally:
        if holder:
            holder[0].close()


def _upload(client: Callable[[], RelayClient], room: str, path: Path) -> str:
    return client().upload(room, path).id


def _retried(call: Callable[[], T]) -> T:
    """``call()``, again after each transient failure, with :data:`RETRY_DELAYS` between."""
    for delay in (*RETRY_DELAYS, None):
        try:
            return call()
        except RelayError as exc:
            if not exc.transient or delay is None:
                raise
            log.info("retrying in %.1f s: %s", delay, exc)
            time.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


def run(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Send the message and print its id."""
    text = sys.stdin.read().removesuffix("\n") if args.text == "-" else args.text
    if not args.files and not text.strip():
        warn("not sent: give the message TEXT (or - to read it from stdin), or --file PATH")
        return 2
    for path in args.files:
        if not path.is_file():
            warn(f"not sent: {path} is not a file")
            return 2
    try:
        context = client_context(args, dirs)

        def connect() -> RelayClient:
            return context.login().relay_client()

        message = send_with_retries(
            connect, args.room, text, args.files, to=args.to, reply_to=args.reply_to
        )
    except DesktopChatError as exc:
        warn(f"not sent: {exc}")
        return 1
    print(message.id)
    return 0
