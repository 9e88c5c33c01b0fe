"""``desktopchat relay``: the relay alone, in front of Pusher Channels or a compatible server.

The upstream app's secret may come from an option, an environment variable or a config
file; options are convenient but visible to every user in ``ps``, so the latter two are
what the docs recommend.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:  # the relay (aiohttp, the pusher library) loads when `relay` runs
    from desktopchat.server.relay.database import PostgresSettings
    from desktopchat.server.relay.publisher import Upstream
    from desktopchat.server.runner import RunningServer

DEFAULT_PORT = 6002
#: Environment variables for the upstream Pusher app, in the order of the options.
ENV = {
    "app_id": "DESKTOPCHAT_PUSHER_APP_ID",
    "key": "DESKTOPCHAT_PUSHER_KEY",
    "secret": "DESKTOPCHAT_PUSHER_SECRET",
    "cluster": "DESKTOPCHAT_PUSHER_CLUSTER",
    "host": "DESKTOPCHAT_PUSHER_HOST",
    "port": "DESKTOPCHAT_PUSHER_PORT",
}


class RelayConfigError(Exception):
    """The upstream is missing or inconsistent; the message says what to give."""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``relay`` and its options."""
    parser = subparsers.add_parser(
        "relay",
        help="run the relay alone, in front of Pusher Channels or a compatible server",
        description=(
            "Accounts, rooms, history and channel authorization over HTTP, triggering into "
            "the given Pusher app. Each --pusher-* option can instead come from the "
            f"environment ({', '.join(ENV.values())}) or from the [pusher] table of "
            "--config FILE (TOML); options win over the environment, which wins over the file. "
            "The database likewise: --database-url, DESKTOPCHAT_DATABASE_URL or [database]."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="port (0: a free one)")
    parser.add_argument("--data-dir", type=Path, help="where the relay keeps its database")
    parser.add_argument(
        "--config", type=Path, help="TOML file with a [pusher] table (and [database])"
    )
    parser.add_argument("--pusher-app-id", dest="app_id")
    parser.add_argument("--pusher-key", dest="key")
    parser.add_argument("--pusher-secret", dest="secret", help="prefer the env var or --config")
    parser.add_argument(
        "--pusher-cluster", dest="cluster", help="Pusher Channels cluster, e.g. mt1"
    )
    parser.add_argument("--pusher-host", dest="host_", metavar="HOST", help="self-hosted server")
    parser.add_argument("--pusher-port", dest="port_", metavar="PORT", type=int)
    parser.add_argument("--pusher-tls", action="store_true", help="use TLS to --pusher-host")
    add_seed_options(parser)
    add_database_options(parser)
    add_proxy_options(parser)
    add_tls_options(parser)
    parser.set_defaults(run=run)
    commands = parser.add_subparsers(title="other relay commands", metavar="[COMMAND]")
    migrate = commands.add_parser(
        "migrate-sqlite",
        help="copy a SQLite relay database into an empty PostgreSQL database",
        description=(
            "Copy accounts, sessions, rooms and messages (ids kept) from a relay's SQLite file "
            "into PostgreSQL, for running several relays on it. The SQLite file is only read."
        ),
    )
    migrate.add_argument(
        "--from", dest="source", type=Path, required=True, metavar="PATH", help="relay.sqlite3"
    )
    add_database_options(migrate)
    migrate.add_argument("--config", type=Path, help="TOML file with a [database] table")
    migrate.set_defaults(run=run_migrate_sqlite)


def _config_table(args: argparse.Namespace, name: str) -> dict[str, Any]:
    """The ``[name]`` table of ``--config`` (empty without one)."""
    if args.config is None:
        return {}
    try:
        table = tomllib.loads(args.config.read_text(encoding="utf-8")).get(name, {})
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RelayConfigError(f"cannot read {args.config}: {exc}") from exc
    if not isinstance(table, dict):
        raise RelayConfigError(f"{args.config}: [{name}] must be a table")
    return table


def database_of(args: argparse.Namespace) -> PostgresSettings | None:
    """The PostgreSQL database named by options, environment and config file, if any."""
    try:
        return database_from(args, _config_table(args, "database"))
    except DatabaseOptionsError as exc:
        raise RelayConfigError(str(exc)) from exc


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """Merge the config file, then the environment, then the options."""
    merged: dict[str, Any] = {}
    table = _config_table(args, "pusher")
    merged.update({k: v for k, v in table.items() if k in {*ENV, "tls"}})
    merged.update({k: os.environ[v] for k, v in ENV.items() if os.environ.get(v)})
    given = {"app_id": args.app_id, "key": args.key, "secret": args.secret, "cluster": args.cluster}
    given |= {"host": args.host_, "port": args.port_}
    merged.update({k: v for k, v in given.items() if v is not None})
    if args.pusher_tls:
        merged["tls"] = True
    return merged


def upstream_from(args: argparse.Namespace) -> Upstream:
    """The upstream Pusher app described by options, environment and config file."""
    from desktopchat.server.relay.publisher import Upstream  # noqa: PLC0415

    settings = _settings(args)
    missing = [name for name in ("app_id", "key", "secret") if not settings.get(name)]
    if missing:
        raise RelayConfigError(
            f"missing Pusher {', '.join(missing)} (see desktopchat relay --help)"
        )
    if bool(settings.get("cluster")) == bool(settings.get("host")):
        raise RelayConfigError("give either a Pusher cluster or a Pusher host")
    app_id = str(settings["app_id"])
    if not (app_id.isascii() and app_id.isdigit()):  # not "²" or "٣"
        raise RelayConfigError(f"the Pusher app id must be numeric, got {app_id!r}")
    if settings.get("cluster"):
        return Upstream(
            app_id, str(settings["key"]), str(settings["secret"]), cluster=str(settings["cluster"])
        )
    tls = bool(settings.get("tls", False))
    port = int(settings.get("port") or (443 if tls else 80))
    return Upstream(
        app_id,
        str(settings["key"]),
        str(settings["secret"]),
        host=str(settings["host"]),
        port=port,
        tls=tls,
    )


def run(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Start the relay and block until a signal stops it."""
    from desktopchat.server import data_dir as data_dir_checks  # noqa: PLC0415
    from desktopchat.server.relay.service import ClientEndpoint, RelayConfig  # noqa: PLC0415
    from desktopchat.server.relay.store import StoreError  # noqa: PLC0415
    from desktopchat.server.runner import serve_forever, start_relay  # noqa: PLC0415

    try:
        upstream = upstream_from(args)
        room = seed_room(args)
        database = database_of(args)
        proxies = trusted_proxies(args)
    except (RelayConfigError, SeedOptionsError, ValueError) as exc:
        print(f"desktopchat relay: {exc}", file=sys.stderr)
        return 2
    if upstream.cluster:
        endpoint = ClientEndpoint(cluster=upstream.cluster, tls=True)
    else:
        endpoint = ClientEndpoint(host=upstream.host, port=upstream.port, tls=upstream.tls)
    data_dir = args.data_dir or dirs.data / "relay"
    try:
        data_dir_checks.prepare(data_dir)
    except data_dir_checks.DataDirError as exc:
        print(f"desktopchat relay: {exc}", file=sys.stderr)
        return 1
    try:
        tls = listener_tls(args, data_dir, "desktopchat relay", "the relay")
    except TlsOptionsError as exc:
        print(f"desktopchat relay: {exc}", file=sys.stderr)
        return 2
    config = RelayConfig(
        data_dir=data_dir,
        upstream=upstream,
        client_endpoint=endpoint,
        seed_compat=args.seed_compat,
        seed_room=room,
        database=database,
        trusted_proxies=proxies,
    )

    def announce(running: RunningServer) -> None:
        line = f"desktopchat relay listening on {running.url}"
        print(f"{line} sha256={running.tls.fingerprint}" if running.tls else line, flush=True)

    try:
        serve_forever(lambda: start_relay(config, args.host, args.port, tls), announce)
    except sqlite3.Error as exc:
        print(
            f"desktopchat relay: {data_dir_checks.database_error(data_dir, exc)}", file=sys.stderr
        )
        return 1
    except StoreError as exc:  # PostgreSQL unreachable at start: say so in one line
        print(f"desktopchat relay: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"desktopchat relay: cannot listen on {args.host}:{args.port}: {exc.strerror}",
            file=sys.stderr,
        )
        return 1
    return 0


def run_migrate_sqlite(args: argparse.Namespace, dirs: AppDirs) -> int:
    """``desktopchat relay migrate-sqlite --from PATH --database-url URL``."""
    from desktopchat.server.relay import sqlite_to_postgres  # noqa: PLC0415

    try:
        target = database_of(args)
    except RelayConfigError as exc:
        print(f"desktopchat relay migrate-sqlite: {exc}", file=sys.stderr)
        return 2
    if target is None:
        print(
            "desktopchat relay migrate-sqlite: give the target with --database-url "
            "(or DESKTOPCHAT_DATABASE_URL)",
            file=sys.stderr,
        )
        return 2
    try:
        copied = sqlite_to_postgres.copy(args.source, target)
    except sqlite_to_postgres.MigrationError as exc:
        print(f"desktopchat relay migrate-sqlite: {exc}", file=sys.stderr)
        return 1
    print(f"copied {copied.summary()} from {args.source} into {target.display}", flush=True)
    return 0
