"""The hub against the OFFICIAL JavaScript libraries, run by Node.js as a user would run them.

``tests/compat/hub_compat.js`` drives real pusher-js clients (its Node build, which connects
with the bundled faye-websocket) and the official Node server library ``pusher`` against a
hub on port 0, and prints one JSON line per check. The versions are pinned by
``tests/compat/package-lock.json``; ``./.ci/test`` installs them with ``npm ci``.

A missing ``node`` or ``node_modules`` fails these tests (with how to install them) instead
of skipping them: a skipped compatibility test reads as a passing one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from desktopchat.server.credentials import AppCredentials
from desktopchat.server.runner import HubThread

pytestmark = pytest.mark.compat

COMPAT_DIR = Path(__file__).resolve().parents[1] / "compat"
SCRIPT = COMPAT_DIR / "hub_compat.js"
INSTALL_HINT = (
    "install Node.js >= 18 with npm, then run ./.ci/test (it runs `npm ci` in tests/compat), "
    "or install the pinned clients yourself: cd tests/compat && npm ci"
)
MIN_NODE_MAJOR = 18
#: The script bounds itself to about 30 s; this only catches a wedged Node process.
SCRIPT_TIMEOUT = 60.0

#: Every check the script must report, and pass.
EXPECTED_CHECKS = frozenset(
    {
        "connect",
        "public_trigger",
        "trigger_socket_id_exclusion",
        "wrong_secret_rejected",
        "private_subscribe",
        "private_client_event",
        "trigger_batch",
        "presence_members",
        "presence_client_event_user_id",
        "rest_channels_list",
        "rest_channel_info",
        "rest_channel_users",
        "presence_member_removed_unsubscribe",
        "presence_member_removed_disconnect",
        "user_signin",
        "terminate_user_connections",
        "send_to_user",
    }
)


def _node() -> str:
    """The ``node`` executable, with the pinned clients installed; fail (not skip) otherwise."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(f"`node` is not on PATH; the compat tests need it: {INSTALL_HINT}")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    major = re.match(r"v(\d+)\.", version)
    if major is None or int(major.group(1)) < MIN_NODE_MAJOR:
        pytest.fail(f"`node --version` says {version!r}, need >= {MIN_NODE_MAJOR}: {INSTALL_HINT}")
    pinned = json.loads((COMPAT_DIR / "package.json").read_text(encoding="utf-8"))["dependencies"]
    for package, want in pinned.items():
        manifest = COMPAT_DIR / "node_modules" / package / "package.json"
        if not manifest.is_file():
            pytest.fail(
                f"{package} is not installed in {COMPAT_DIR / 'node_modules'}: {INSTALL_HINT}"
            )
        have = json.loads(manifest.read_text(encoding="utf-8"))["version"]
        if have != want:
            pytest.fail(f"{package} {have} is installed but {want} is pinned: {INSTALL_HINT}")
    return node


def run_compat_script(hub: HubThread, credentials: AppCredentials) -> dict[str, dict[str, Any]]:
    """Run ``hub_compat.js`` against ``hub``; return its reports by check name.

    The secret goes through the environment (``HUB_SECRET``), never the command line.
    """
    node = _node()
    running = hub.running
    argv = [node, str(SCRIPT), running.host, str(running.port), credentials.app_id, credentials.key]
    env = {**os.environ, "HUB_SECRET": credentials.secret}
    try:
        proc = subprocess.run(
            argv,
            cwd=COMPAT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=SCRIPT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout
        pytest.fail(f"hub_compat.js ran over {SCRIPT_TIMEOUT} s; output so far:\n{partial}")
    reports: dict[str, dict[str, Any]] = {}
    for line in proc.stdout.splitlines():
        try:
            report = json.loads(line)
        except ValueError:
            pytest.fail(f"hub_compat.js printed a non-JSON line: {line!r}\nstderr:\n{proc.stderr}")
        name = report.get("check")
        assert name not in reports, f"check {name!r} reported twice"
        reports[name] = report
    all_passed = bool(reports) and all(r.get("ok") is True for r in reports.values())
    assert proc.returncode == (0 if all_passed else 1), (
        f"hub_compat.js exited {proc.returncode} (all checks passed: {all_passed})\n"
        f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    )
    return reports


def test_official_js_clients_pass_every_check(hub: HubThread, credentials: AppCredentials) -> None:
    """pusher-js and the Node ``pusher`` library: channels, presence, client events, REST."""
    reports = run_compat_script(hub, credentials)
    reported = set(reports)
    assert reported == EXPECTED_CHECKS, (
        f"missing checks: {sorted(EXPECTED_CHECKS - reported)}; "
        f"unexpected checks: {sorted(reported - EXPECTED_CHECKS)}"
    )
    failed = [
        f"{name}: {reports[name].get('detail')}"
        for name in sorted(EXPECTED_CHECKS)
        if reports[name].get("ok") is not True
    ]
    assert not failed, "official JS clients failed against the hub:\n" + "\n".join(failed)
