"""Session tokens in a real Secret Service: gnome-keyring on a private D-Bus session bus.

The ``secret_service`` fixture fails (never skips) when the daemons cannot start: without a
real keyring these tests would prove nothing. Entries are looked up both through keyring's
API and with ``secret-tool`` (libsecret), as another program on the desktop would see them.
"""

from __future__ import annotations

import subprocess

import keyring
import keyring.backends.SecretService
import keyring.core

from desktopchat.client.credentials import SERVICE, KeyringTokenStore, entry_name, open_token_store
from desktopchat.server.runner import HubThread
from tests.inbox import WAIT
from tests.integration.client.helpers import error_lines, run_cli
from tests.integration.conftest import PASSWORD, Api, base_url


def secret_tool_lookup(env: dict[str, str], entry: str) -> str | None:
    """The secret gnome-keyring holds for desktopchat's ``entry``, read with libsecret."""
    found = subprocess.run(
        ["secret-tool", "lookup", "service", SERVICE, "username", entry],
        env=env,
        capture_output=True,
        text=True,
        timeout=WAIT,
        check=False,
    )
    return found.stdout if found.returncode == 0 and found.stdout else None


def test_keyring_picks_the_secret_service_and_desktopchat_accepts_it(
    keyring_env: dict[str, str],
) -> None:
    backend = keyring.get_keyring()
    assert isinstance(backend, keyring.backends.SecretService.Keyring), backend
    assert keyring.core.recommended(backend)

    store, notice = open_token_store()
    assert notice is None
    assert isinstance(store, KeyringTokenStore)
    assert "SecretService" in store.description
    url = "http://127.0.0.1:1"
    store.set(url, "probe", "a-token")
    assert store.get(url, "probe") == "a-token"
    assert secret_tool_lookup(keyring_env, entry_name(url, "probe")) == "a-token"
    store.delete(url, "probe")
    store.delete(url, "probe")  # forgetting twice is fine
    assert store.get(url, "probe") is None
    assert secret_tool_lookup(keyring_env, entry_name(url, "probe")) is None


def test_register_keeps_the_token_in_the_keyring_and_logout_removes_it(
    relay_hub: HubThread, api: Api, keyring_env: dict[str, str]
) -> None:
    url = base_url(relay_hub)
    entry = f"frank@{url}"
    registered = run_cli(
        "register",
        "--server",
        url,
        "--username",
        "frank",
        "--password-stdin",
        env=keyring_env,
        stdin=PASSWORD + "\n",
    )
    assert registered.returncode == 0, registered.stderr
    assert registered.stderr == "", "no 'session only' notice: the keyring works"

    token = secret_tool_lookup(keyring_env, entry)
    assert token, f"no {entry} in gnome-keyring"
    assert keyring.get_password(SERVICE, entry) == token
    me = api.as_token(token).call("GET", "/api/me")
    assert me.status_code == 200, me.text
    assert me.json()["user"]["username"] == "frank"

    # A later command needs no password: stdin is closed, and the token comes from the keyring.
    sent = run_cli("send", "--server", url, "hi", env=keyring_env)
    assert (sent.returncode, sent.stdout, sent.stderr) == (0, "1\n", "")

    out = run_cli("logout", "--server", url, env=keyring_env)
    assert out.returncode == 0, out.stderr
    assert secret_tool_lookup(keyring_env, entry) is None
    assert keyring.get_password(SERVICE, entry) is None
    assert api.as_token(token).call("GET", "/api/me").status_code == 401, "revoked on the relay"
    refused = run_cli("send", "--server", url, "hi", env=keyring_env)
    assert refused.returncode == 1
    assert error_lines(refused.stderr) == [
        f"desktopchat: not sent: not logged in to {url}: run `desktopchat login --server {url}`"
    ]


def test_a_token_the_relay_revoked_is_forgotten(
    relay_hub: HubThread, api: Api, keyring_env: dict[str, str]
) -> None:
    url = base_url(relay_hub)
    entry = f"gina@{url}"
    login = ["--server", url, "--username", "gina", "--password-stdin"]
    assert run_cli("register", *login, env=keyring_env, stdin=PASSWORD + "\n").returncode == 0
    token = secret_tool_lookup(keyring_env, entry)
    assert token
    revoked = api.as_token(token).call("DELETE", "/api/sessions/current")
    assert revoked.status_code == 204, revoked.text

    refused = run_cli("send", "--server", url, "hi", env=keyring_env)
    assert refused.returncode == 1
    assert "not logged in" in refused.stderr
    assert secret_tool_lookup(keyring_env, entry) is None, "the dead token is not kept"
