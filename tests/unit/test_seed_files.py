"""The seed page's files: shipped as package data, and pusher-js exactly the pinned one.

The page is served from ``importlib.resources`` (a checkout, a wheel, a frozen bundle); a
file missing from ``pyproject.toml``'s package data would be found here and lost in a
wheel. The vendored pusher-js must be the version tests/compat pins and runs against the
hub, or the page would run a library the suite never tested.
"""

from __future__ import annotations

import json
import tomllib
from importlib import resources
from pathlib import Path

from desktopchat.server.relay import seed_page

ROOT = Path(__file__).resolve().parents[2]
COMPAT = ROOT / "tests" / "compat"


def test_every_served_file_is_package_data() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["desktopchat.server.relay"]
    assert "seed_static/*" in patterns
    static = resources.files("desktopchat.server.relay").joinpath("seed_static")
    for name in ["index.html", *seed_page.STATIC]:
        assert static.joinpath(name).is_file(), name


def test_the_vendored_pusher_js_is_the_pinned_one() -> None:
    pinned = json.loads((COMPAT / "package.json").read_text(encoding="utf-8"))["dependencies"]
    static = resources.files("desktopchat.server.relay").joinpath("seed_static")
    vendored = static.joinpath("pusher.min.js")
    banner = static.joinpath("pusher.min.js.LICENSE.txt").read_text("utf-8")
    assert f"Pusher JavaScript Library v{pinned['pusher-js']}" in banner
    installed = COMPAT / "node_modules" / "pusher-js" / "dist" / "web" / "pusher.min.js"
    assert vendored.read_bytes() == installed.read_bytes(), (
        "copy tests/compat/node_modules/pusher-js/dist/web/pusher.min.js into "
        "desktopchat/server/relay/seed_static/ after changing the pinned pusher-js"
    )
