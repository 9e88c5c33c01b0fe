"""``desktopchat search QUERY``: find messages, through the relay or, offline, locally.

Online it asks the relay, which searches every room the user may read; when the relay
cannot be reached it searches this computer's copy of the messages instead and says so on
stderr, so a script still gets what can be had. Output is escaped like ``tail``'s: a
message cannot move the cursor of the terminal it is printed in.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from desktopchat.client.errors import DesktopChatError, RelayError, RelayUnreachableError
from desktopchat.commands.common import add_client_options, client_context, warn
from desktopchat.commands.tail import terminal_safe
from desktopchat.paths import AppDirs

if TYPE_CHECKING:
    from desktopchat.client.login import Login
    from desktopchat.client.search import SearchHit, SearchResults

#: Bold on, bold off: how a terminal shows the matched words (never in --json or a pipe).
_BOLD, _PLAIN = "\x1b[1m", "\x1b[22m"


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``search``."""
    parser = subparsers.add_parser(
        "search", help="find messages (through the server, or offline in the local copy)"
    )
    add_client_options(parser)
    parser.add_argument("query", metavar="QUERY", help='words, "a phrase", or a prefix*')
    parser.add_argument("--room", help="search only this room")
    parser.add_argument("--limit", type=int, default=50, metavar="N", help="at most N (1-100)")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.set_defaults(run=run)


def marked(text: str, ranges: tuple[tuple[int, int], ...], *, bold: bool) -> str:
    """``text`` made terminal-safe, with the matched ranges in bold when ``bold``."""
    if not bold:
        return terminal_safe(text)
    out, last = [], 0
    for start, end in ranges:
        out += [terminal_safe(text[last:start]), _BOLD, terminal_safe(text[start:end]), _PLAIN]
        last = end
    out.append(terminal_safe(text[last:]))
    return "".join(out)


def text_line(hit: SearchHit, *, bold: bool) -> str:
    """One line for people: when, where, who, and the text with its matches."""
    message = hit.message
    when = message.sent_at.astimezone().strftime("%Y-%m-%d %H:%M")
    author = terminal_safe(message.author.display_name)
    text = marked(message.text, hit.highlights, bold=bold)
    return f"[{when}] #{message.room} #{message.id} {author}: {text}"


def json_line(hit: SearchHit) -> str:
    """One record for ``--json``: the message (as ``tail --json``) and its highlights."""
    record: dict[str, Any] = {"type": "result", **hit.message.to_json()}
    del record["client_id"]
    record["highlights"] = [list(r) for r in hit.highlights]
    return json.dumps(record, ensure_ascii=True)


def _local(login: Login, dirs: AppDirs, args: argparse.Namespace) -> SearchResults:
    from desktopchat.client.cache import LocalDatabase, database_path  # noqa: PLC0415
    from desktopchat.client.search import SearchResults, search_local  # noqa: PLC0415

    path = database_path(dirs.data, login.server_url, login.user.username)
    if not path.exists():
        return SearchResults(args.query, (), has_more=False, offline=True)
    database = LocalDatabase(path)
    try:
        return search_local(database, args.query, room=args.room, limit=args.limit)
    finally:
        database.close()


def _search(args: argparse.Namespace, dirs: AppDirs) -> SearchResults:
    from desktopchat.client.login import open_login  # noqa: PLC0415
    from desktopchat.client.search import search_online  # noqa: PLC0415

    context = client_context(args, dirs)
    login = open_login(dirs, context.settings, context.profile, context.store, allow_offline=True)
    for notice in login.notices:
        warn(notice)
    if not login.offline:
        client = login.relay_client()
        try:
            return search_online(client, args.query, room=args.room, limit=args.limit)
        except RelayUnreachableError as exc:
            reason = str(exc)
        finally:
            client.close()
    else:
        reason = f"cannot reach {login.server_url}"
    warn(f"{reason}; searching this computer's copy of the messages only")
    return _local(login, dirs, args)


def run(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Print the matches, newest first; exit 2 for a query that cannot be searched."""
    if not 1 <= args.limit <= 100:
        warn("--limit must be 1-100")
        return 2
    try:
        results = _search(args, dirs)
    except RelayError as exc:
        warn(f"cannot search: {exc}")
        return 2 if exc.status == 400 else 1
    except DesktopChatError as exc:
        warn(str(exc))
        return 1
    bold = not args.json and sys.stdout.isatty()
    for hit in results.hits:
        print(json_line(hit) if args.json else text_line(hit, bold=bold), flush=True)
    if not results.hits:
        warn("no messages match")
    elif results.has_more:
        warn(f"showing the newest {len(results.hits)}; there are more (--limit, --room)")
    return 0
