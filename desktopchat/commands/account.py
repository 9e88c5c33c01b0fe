"""``desktopchat register``, ``login``, ``logout``: relay accounts, tokens in the keyring."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import TYPE_CHECKING

from desktopchat.client.errors import CredentialStoreError, DesktopChatError
from desktopchat.commands.common import ClientContext, add_client_options, client_context, warn
from desktopchat.paths import AppDirs

if TYPE_CHECKING:
    from desktopchat.client.relay_client import RelayClient


def add_parsers(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``register``, ``login`` and ``logout``."""
    register = subparsers.add_parser("register", help="create an account on a relay and log in")
    add_client_options(register)
    register.add_argument("--username", required=True)
    register.add_argument("--display-name", help="the name others see (default: the username)")
    register.add_argument("--email", help="for a Gravatar avatar (optional)")
    register.add_argument(
        "--password-stdin", action="store_true", help="read the password from stdin"
    )
    register.set_defaults(run=run_register)

    login = subparsers.add_parser(
        "login", help="log in to a relay; the session goes to the keyring"
    )
    add_client_options(login)
    login.add_argument("--username", help="default: the profile's last user, else asked")
    login.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    login.set_defaults(run=run_login)

    logout = subparsers.add_parser("logout", help="end the session and forget its token")
    add_client_options(logout)
    logout.set_defaults(run=run_logout)


def _password(args: argparse.Namespace, *, confirm: bool) -> str:
    """From stdin (one line) with --password-stdin, else asked without echo."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    password = getpass.getpass("Password: ")
    if confirm and getpass.getpass("Again: ") != password:
        raise DesktopChatError("the passwords differ")
    return password


def _client(context: ClientContext) -> RelayClient:
    """A client for the profile's relay, starting the local hub if that is the one."""
    from desktopchat.client.relay_client import RelayClient  # noqa: PLC0415 - when run

    if context.profile.embedded:
        context.login()  # starts the hub when needed; the local session is harmless
    return RelayClient(context.server_url, pin=context.pin)


def _keep(context: ClientContext, client: RelayClient, username: str, token: str) -> None:
    from desktopchat.client.login import remember  # noqa: PLC0415 - when run

    notices: list[str] = []
    remember(context.store, client.server_url, username, token, notices)
    for notice in notices:
        warn(notice)
    context.remember_profile(username)


def run_register(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Create the account, log in, keep the token."""
    try:
        context = client_context(args, dirs)
        client = _client(context)
        password = _password(args, confirm=not args.password_stdin)
        user = client.register(args.username, password, args.display_name, args.email)
        token, _ = client.login(args.username, password)
        _keep(context, client, user.username, token)
    except DesktopChatError as exc:
        warn(str(exc))
        return 1
    print(f"registered and logged in as {user.username} on {client.server_url}")
    return 0


def run_login(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Log in and keep the token."""
    try:
        context = client_context(args, dirs)
        username = args.username or context.profile.username
        if not username:
            if args.password_stdin or not sys.stdin.isatty():
                raise DesktopChatError("give --username")
            username = input("Username: ").strip()
        client = _client(context)
        token, user = client.login(username, _password(args, confirm=False))
        _keep(context, client, user.username, token)
    except DesktopChatError as exc:
        warn(str(exc))
        return 1
    print(f"logged in as {user.username} on {client.server_url}")
    return 0


def run_logout(args: argparse.Namespace, dirs: AppDirs) -> int:
    """Revoke the session on the relay (if reachable) and forget the token."""
    try:
        context = client_context(args, dirs)
        username = context.profile.username
        if not username:
            warn(f"not logged in to {context.server_url}")
            return 0
        token = context.store.get(context.server_url, username)
        if token:
            from desktopchat.client.relay_client import RelayClient  # noqa: PLC0415

            try:
                RelayClient(context.server_url, token, pin=context.pin).logout()
            except DesktopChatError as exc:
                warn(f"could not end the session on the server ({exc}); forgetting it here")
            context.store.delete(context.server_url, username)
    except (DesktopChatError, CredentialStoreError) as exc:
        warn(str(exc))
        return 1
    print(f"logged out of {context.server_url}")
    return 0
