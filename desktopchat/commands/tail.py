"""``desktopchat tail``: the last messages of a room, then each new one as it arrives.

It runs the same QtCore services as the window (realtime bridge, sync engine) under a
QCoreApplication, so it survives the hub going away and coming back and prints what it
missed, in order, each message once. Output is for terminals and scripts: control
characters in message text are escaped, so a message cannot move the cursor or recolour
the terminal.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import socket
import sys
from typing import TYPE_CHECKING, Any

from desktopchat.client.errors import DesktopChatError
from desktopchat.client.sizes import human_size
from desktopchat.commands.common import add_client_options, client_context, warn
from desktopchat.paths import AppDirs

if TYPE_CHECKING:  # Qt and the client services load when `tail` runs, not to parse argv
    from PySide6.QtCore import QCoreApplication

    from desktopchat.client.domain import Attachment, Message, Room
    from desktopchat.client.realtime import ConnectionState
    from desktopchat.client.relay_client import RelayClient

#: C0/C1 controls, DEL, and the bidi and line-separator characters that can disguise text.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``tail``."""
    parser = subparsers.add_parser("tail", help="print a room's messages as they arrive")
    add_client_options(parser)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--room", default="general")
    where.add_argument("--to", metavar="USER", help="the direct messages with USER")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--last", type=int, default=10, metavar="N", help="backlog to print first")
    parser.set_defaults(run=run)


def terminal_safe(text: str) -> str:
    r"""``text`` with control characters shown as escapes (``\n``, ``\x1b``, ``\u202e``)."""

    def escape(match: re.Match[str]) -> str:
        char = match.group()
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char) or (
            f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}"
        )

    return _UNSAFE.sub(escape, text)


def json_line(kind: str, message: Message) -> str:
    """One record for ``--json``: JSON with every unsafe character as a ``\\u`` escape."""
    record: dict[str, Any] = {"type": kind, **message.to_json()}
    del record["client_id"]
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(record, ensure_ascii=False))


def text_line(kind: str, message: Message) -> str:
    """One line for people: time, author, text (or what happened to it)."""
    when = message.sent_at.astimezone().strftime("%H:%M")
    author = terminal_safe(message.author.display_name)
    if kind == "delete" or message.deleted:
        return f"[{when}] #{message.id} {author}: (deleted)"
    marker = " (edited)" if kind == "edit" else ""
    line = f"[{when}] #{message.id} {author}:{marker} {terminal_safe(message.text)}".rstrip()
    return "\n".join([line, *(attachment_line(a) for a in message.attachments)])


def attachment_line(attachment: Attachment) -> str:
    """One indented line per file: ``  [file] shot.png (image/png, 1.2 MB, 800x600)``."""
    details = [attachment.type.split(";")[0], human_size(attachment.size)]
    if attachment.width is not None and attachment.height is not None:
        details.append(f"{attachment.width}x{attachment.height}")
    return f"  [file] {terminal_safe(attachment.name)} ({', '.join(details)})"


class _Printer:
    def __init__(self, as_json: bool) -> None:
        self._format = json_line if as_json else text_line

    def added(self, room: str, messages: list[Message]) -> None:
        for message in messages:
            print(self._format("message", message), flush=True)

    def changed(self, room: str, message: Message) -> None:
        print(self._format("delete" if message.deleted else "edit", message), flush=True)

    @staticmethod
    def state(state: ConnectionState, reason: str, retry_in: float) -> None:
        from desktopchat.client.realtime import ConnectionState  # noqa: PLC0415

        if state is ConnectionState.OFFLINE:
            warn(f"offline ({reason}); retrying in {retry_in:.0f} s")
        elif state is ConnectionState.FAILED:
            warn(f"connection refused: {reason}")
        elif state is ConnectionState.CONNECTED:
            warn("connected")


def _quit_on_signals(app: QCoreApplication) -> None:
    """Ctrl-C and SIGTERM end the event loop cleanly (Qt would otherwise not notice).

    The quit is posted, not called: a signal that lands before the loop runs (while the
    backlog prints or pysher loads) would otherwise be lost, as ``quit()`` does nothing
    then, and tail would run on.
    """
    from PySide6.QtCore import QSocketNotifier, QTimer  # noqa: PLC0415

    reader, writer = socket.socketpair()
    writer.setblocking(False)
    signal.set_wakeup_fd(writer.fileno())
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: QTimer.singleShot(0, app.quit))
    notifier = QSocketNotifier(reader.fileno(), QSocketNotifier.Type.Read, app)
    notifier.activated.connect(lambda: reader.recv(64))
    app.setProperty("_signal_sockets", (reader, writer, notifier))


def _find_room(client: RelayClient, name: str, to: str | None = None) -> Room:
    try:
        if to is not None:  # the DM with that user: found, or started (it is idempotent)
            return client.start_direct([to]).room
        for room in client.rooms():
            if room.name == name:
                return room
    finally:
        client.close()
    raise DesktopChatError(f"no room {name!r} on {client.server_url}")


def run(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Print the backlog, then follow the room until interrupted."""
    from PySide6.QtCore import QCoreApplication  # noqa: PLC0415

    from desktopchat.client.session import ChatSession  # noqa: PLC0415

    if args.last < 0:
        warn("--last must be 0 or more")
        return 2
    try:
        login = client_context(args, dirs).login()
        room = _find_room(login.relay_client(), args.room, args.to)
    except DesktopChatError as exc:
        warn(str(exc))
        return 1
    app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    _quit_on_signals(app)
    session = ChatSession(login, dirs.data)
    printer = _Printer(args.json)
    session.sync.messages_added.connect(printer.added)
    session.sync.message_changed.connect(printer.changed)
    session.bridge.state_changed.connect(printer.state)
    session.sync.sync_failed.connect(lambda room, reason: warn(f"catch-up failed: {reason}"))
    cached = session.sync.watch(room, backlog=args.last)
    printer.added(room.name, cached[-args.last :] if args.last else [])
    session.start()
    try:
        app.exec()
    finally:
        session.close()
    return 0
