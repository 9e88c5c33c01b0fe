"""TLS options shared by ``serve`` and ``relay``, and the warning for a listener in clear."""

from __future__ import annotations

import argparse
import ipaddress
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # cryptography loads when a server starts, not to parse argv
    from desktopchat.server.tls import ServerTls


class TlsOptionsError(Exception):
    """The TLS options contradict each other or name unusable files."""


def add_tls_options(parser: argparse.ArgumentParser) -> None:
    """``--tls-cert``, ``--tls-key`` and ``--tls-self-signed``."""
    group = parser.add_argument_group(
        "TLS", "serve https:// and wss:// instead of http:// and ws://"
    )
    group.add_argument("--tls-cert", type=Path, metavar="FILE", help="certificate chain (PEM)")
    group.add_argument("--tls-key", type=Path, metavar="FILE", help="its private key (PEM)")
    group.add_argument(
        "--tls-self-signed",
        action="store_true",
        help="make a self-signed certificate on first start, keep it in the data dir, and "
        "print its SHA-256 fingerprint for clients to pin",
    )


def server_tls(args: argparse.Namespace, data_dir: Path) -> ServerTls | None:
    """The TLS setup the options ask for (None: plain HTTP); TlsOptionsError if unusable."""
    from desktopchat.server import tls  # noqa: PLC0415 - see imports

    if args.tls_self_signed and (args.tls_cert or args.tls_key):
        raise TlsOptionsError("give either --tls-self-signed or --tls-cert/--tls-key, not both")
    if args.tls_key and not args.tls_cert:
        raise TlsOptionsError("--tls-key needs --tls-cert")
    try:
        if args.tls_self_signed:
            return tls.self_signed(data_dir, args.host)
        if args.tls_cert:
            return tls.load(args.tls_cert, args.tls_key)
    except tls.TlsConfigError as exc:
        raise TlsOptionsError(str(exc)) from exc
    return None


def listener_tls(
    args: argparse.Namespace, data_dir: Path, command: str, what: str
) -> ServerTls | None:
    """:func:`server_tls`, and on stderr the warning when ``what`` would listen in clear on
    a non-loopback address (``command`` prefixes it: ``desktopchat serve``)."""
    tls = server_tls(args, data_dir)
    if tls is None and (warning := plaintext_warning(args.host, what)):
        print(f"{command}: {warning}", file=sys.stderr)
    return tls


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine only."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a name: it may resolve to any interface


def plaintext_warning(host: str, what: str) -> str | None:
    """The warning for listening on ``host`` without TLS, or None when that is loopback."""
    if is_loopback(host):
        return None
    return (
        f"warning: {what} listens on {host} without TLS: passwords, session tokens and "
        "messages cross the network in clear; use --tls-self-signed or --tls-cert/--tls-key"
    )
