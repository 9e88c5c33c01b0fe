"""Qt's offscreen platform with a screen the size of a laptop's, for tests and benchmarks;
other screens, and probes run in a fresh Qt process on them.

The offscreen platform's own screen is 800x800, and the main window fits itself to its
screen (``MainWindow._fit_screen``): on it every test's window would open at 720x720
instead of its first-start 1100x720, without its members column. A 1920x1080 screen
(``offscreen_screen.json``) keeps windows at the size a user's first start has.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

#: The repository root: probes run from there.
REPO_ROOT = Path(__file__).resolve().parents[1]
#: The screen: 1920x1080 at 96 dpi, device pixel ratio 1.
SCREEN_FILE = Path(__file__).with_name("offscreen_screen.json")


def offscreen() -> str:
    """``QT_QPA_PLATFORM`` for the offscreen platform on that screen."""
    return f"offscreen:configfile={SCREEN_FILE}"


def use_laptop_screen(env: MutableMapping[str, str]) -> None:
    """Point plain ``offscreen`` (or no platform at all) in ``env`` at that screen."""
    if env.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
        env["QT_QPA_PLATFORM"] = offscreen()


def screen_platform(directory: Path, width: int, height: int) -> str:
    """``QT_QPA_PLATFORM`` for an offscreen screen of ``width`` x ``height`` (its file is
    written into ``directory``)."""
    directory.mkdir(parents=True, exist_ok=True)
    screen = directory / f"screen-{width}x{height}.json"
    layout = {"name": "screen", "x": 0, "y": 0, "width": width, "height": height}
    layout |= {"logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}
    screen.write_text(json.dumps({"screens": [layout]}), encoding="utf-8")
    return f"offscreen:configfile={screen}"


def run_probe(module: str, *args: str, env: Mapping[str, str], timeout: float = 120) -> Any:
    """Run ``python -m module args`` from the repository root in a fresh process (Qt reads
    the scale factor and the platform once, at start) and return the JSON object its
    last line of output is."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=REPO_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
