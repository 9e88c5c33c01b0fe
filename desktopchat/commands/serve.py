"""``desktopchat serve``: run the hub in the foreground until SIGINT/SIGTERM."""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from desktopchat.commands.database_options import (
    DatabaseOptionsError,
    add_database_options,
    database_from,
)
from desktopchat.commands.proxy_options import add_proxy_options, trusted_proxies
from desktopchat.commands.seed_options import SeedOptionsError, add_seed_options, seed_room
from desktopchat.commands.tls_options import (
    TlsOptionsError,
    add_tls_options,
    listener_tls,
)
from desktopchat.paths import AppDirs

if TYPE_CHECKING:  # the hub (aiohttp, the pusher library) loads when `serve` runs
    from desktopchat.server import credentials as hub_credentials
    from desktopchat.server.runner import RunningHub

DEFAULT_PORT = 6001
#: Secrets on the command line are visible to every user in ``ps``; these keep them out.
ENV_APP_ID = "DESKTOPCHAT_APP_ID"
ENV_APP_KEY = "DESKTOPCHAT_APP_KEY"
ENV_APP_SECRET = "DESKTOPCHAT_APP_SECRET"  # noqa: S105 - the variable's name, not a secret


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``serve`` and its options."""
    parser = subparsers.add_parser(
        "serve",
        help="run the embedded hub (Pusher-compatible server) in the foreground",
        description=(
            "Serve Pusher Channels' WebSocket protocol at /app/{key} and its HTTP API at "
            "/apps/{id}/ on one port. Credentials not given are generated on first start and "
            f"kept in the data dir. {ENV_APP_ID}, {ENV_APP_KEY} and {ENV_APP_SECRET} may "
            "supply them instead of the options (argv is visible to other users)."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port (0 picks a free one); default 6001"
    )
    parser.add_argument("--app-id", help="numeric Pusher app id")
    parser.add_argument("--app-key", help="Pusher app key")
    parser.add_argument("--app-secret", help=f"Pusher app secret (prefer ${ENV_APP_SECRET})")
    parser.add_argument("--data-dir", type=Path, help="where the hub keeps its state")
    parser.add_argument(
        "--public-url",
        metavar="URL",
        help="the address clients reach the hub at, if not the one they asked for "
        "(behind a proxy or a port mapping): GET /api/config answers it",
    )
    add_seed_options(parser)
    add_database_options(parser)
    add_proxy_options(parser)
    add_tls_options(parser)
    parser.set_defaults(run=run)


def resolve_credentials(args: argparse.Namespace, data_dir: Path) -> hub_credentials.AppCredentials:
    """Options win over environment variables, which win over what the data dir keeps."""
    from desktopchat.server import credentials as hub_credentials  # noqa: PLC0415

    stored = hub_credentials.load_or_create(data_dir)
    given = replace(
        stored,
        app_id=args.app_id or os.environ.get(ENV_APP_ID) or stored.app_id,
        key=args.app_key or os.environ.get(ENV_APP_KEY) or stored.key,
        secret=args.app_secret or os.environ.get(ENV_APP_SECRET) or stored.secret,
    )
    return hub_credentials.validate(given)


#: Descriptors kept for everything but WebSockets: the HTTP API, the database, logs.
RESERVED_DESCRIPTORS = 64
#: How far the soft open-files limit is raised (when the hard limit allows).
WANTED_DESCRIPTORS = 65536


def raise_open_files_limit() -> int:
    """Raise the soft open-files limit towards the hard one; return the limit in force.

    Desktops often start programs with a soft limit of 1,024, which a hub reaches at about
    1,000 WebSockets; past it, accepting fails and nothing (the HTTP API included) works.
    """
    try:
        import resource  # noqa: PLC0415 - POSIX only
    except ImportError:
        return WANTED_DESCRIPTORS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = WANTED_DESCRIPTORS if hard == resource.RLIM_INFINITY else min(hard, WANTED_DESCRIPTORS)
    if soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass  # keep the soft limit; the connection cap below still protects the hub
    return soft


def ready_line(running: RunningHub) -> str:
    """The one line printed when the hub listens; scripts and the app wait for it.

    Over TLS it ends with ``sha256=AB:CD:…``, the certificate's fingerprint for clients to pin.
    """
    creds = running.hub.config.credentials
    line = f"desktopchat hub listening on {running.ws_url} app_id={creds.app_id} key={creds.key}"
    return f"{line} sha256={running.tls.fingerprint}" if running.tls else line


def run(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Start the hub and block until a signal stops it."""
    from desktopchat.server import credentials as hub_credentials  # noqa: PLC0415
    from desktopchat.server import data_dir as data_dir_checks  # noqa: PLC0415
    from desktopchat.server.hub import HubConfig  # noqa: PLC0415
    from desktopchat.server.relay.public_address import endpoint_from_url  # noqa: PLC0415
    from desktopchat.server.relay.service import ClientEndpoint, RelayConfig  # noqa: PLC0415
    from desktopchat.server.relay.store import StoreError  # noqa: PLC0415
    from desktopchat.server.runner import serve_forever, start  # noqa: PLC0415

    if not 0 <= args.port <= 65535:
        print(f"desktopchat serve: port must be 0-65535, got {args.port}", file=sys.stderr)
        return 2
    try:
        room = seed_room(args)
    except SeedOptionsError as exc:
        print(f"desktopchat serve: {exc}", file=sys.stderr)
        return 2
    data_dir = args.data_dir or dirs.data / "hub"
    try:
        data_dir_checks.prepare(data_dir)
        creds = resolve_credentials(args, data_dir)
    except data_dir_checks.DataDirError as exc:
        print(f"desktopchat serve: {exc}", file=sys.stderr)
        return 1
    except hub_credentials.CredentialsError as exc:
        print(f"desktopchat serve: {exc}", file=sys.stderr)
        return 2
    try:
        tls = listener_tls(args, data_dir, "desktopchat serve", "the hub")
    except TlsOptionsError as exc:
        print(f"desktopchat serve: {exc}", file=sys.stderr)
        return 2
    try:
        endpoint = (
            endpoint_from_url(args.public_url)
            if args.public_url
            else ClientEndpoint(tls=tls is not None)
        )
    except ValueError as exc:
        print(f"desktopchat serve: {exc}", file=sys.stderr)
        return 2
    try:
        database = database_from(args)
        proxies = trusted_proxies(args)
    except (DatabaseOptionsError, ValueError) as exc:
        print(f"desktopchat serve: {exc}", file=sys.stderr)
        return 2
    relay = RelayConfig(
        data_dir=data_dir,
        seed_compat=args.seed_compat,
        seed_room=room,
        local_login=True,
        client_endpoint=endpoint,
        database=database,
        trusted_proxies=proxies,
    )
    limit = raise_open_files_limit()
    config = HubConfig(
        credentials=creds,
        host=args.host,
        port=args.port,
        relay=relay,
        max_connections=max(16, limit - RESERVED_DESCRIPTORS),
    )

    def announce(running: RunningHub) -> None:
        print(ready_line(running), flush=True)

    try:
        serve_forever(lambda: start(config, tls), announce)
    except sqlite3.Error as exc:
        print(
            f"desktopchat serve: {data_dir_checks.database_error(data_dir, exc)}", file=sys.stderr
        )
        return 1
    except StoreError as exc:  # PostgreSQL unreachable at start: say so in one line
        print(f"desktopchat serve: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"desktopchat serve: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    return 0
