"""Two people, two app processes, one real X server with a window manager.

Alice's and Bob's windows run as ``desktopchat window`` processes on their own Xvfb
display under openbox, against a real relay hub. Alice types with real X key events
(xdotool, into whatever has the focus, as a keyboard would), and the test reads Bob's
window as a person would: a screenshot of it, read back with OCR, and its title bar.
Nothing inside either app is inspected.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktopchat.server.runner import HubThread
from tests.inbox import WAIT
from tests.integration.conftest import Api, base_url
from tests.notify.desktop import start_xvfb, wait_until
from tests.private_bus import clean_env, end_process

#: The programs this journey drives, and the Debian package of each (.ci/lib.sh installs them).
PROGRAMS = {
    "Xvfb": "xvfb",
    "openbox": "openbox",
    "xdotool": "xdotool",
    "wmctrl": "wmctrl",
    "import": "imagemagick",
    "convert": "imagemagick",
    "tesseract": "tesseract-ocr",
}
#: Starting a window process (Python, Qt, the first paint) takes longer than a loopback wait.
START_WAIT = 6 * WAIT


@pytest.fixture
def x_desktop(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Xvfb and openbox; the environment for programs to run on them."""
    missing = sorted({pkg for cmd, pkg in PROGRAMS.items() if shutil.which(cmd) is None})
    if missing:
        pytest.fail(f"the desktop journey needs: apt-get install -y {' '.join(missing)}")
    with contextlib.ExitStack() as stack:
        display = start_xvfb(tmp_path, stack)
        env = clean_env(tmp_path) | {"DISPLAY": display}
        wm = subprocess.Popen(
            ["openbox", "--sm-disable"],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        stack.callback(end_process, wm)
        wait_until(lambda: _run(env, "wmctrl", "-m", check=False) is not None, "openbox")
        yield env


def _run(env: dict[str, str], *argv: str, check: bool = True) -> str | None:
    result = subprocess.run(
        argv, check=False, env=env, capture_output=True, text=True, timeout=WAIT
    )
    if result.returncode != 0:
        if check:
            raise AssertionError(f"{argv[0]} failed: {result.stderr.strip()}")
        return None
    return result.stdout


class AppWindow:
    """One person's ``desktopchat window`` process, and its top-level X window."""

    def __init__(self, env: dict[str, str], home: Path, url: str, token: str) -> None:
        self.env = env
        app_env = env | {
            "DESKTOPCHAT_HOME": str(home),
            "DESKTOPCHAT_TOKEN": token,
            "DESKTOPCHAT_NO_KEYRING": "1",
            "QT_QPA_PLATFORM": "xcb",
        }
        self.log = (home.parent / f"{home.name}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "desktopchat", "window", "--server", url],
            env=app_env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.window_id = wait_until(self._find, "the app's window", timeout=START_WAIT)

    def _find(self) -> str | None:
        found = _run(
            self.env, "xdotool", "search", "--all", "--onlyvisible", "--pid", str(self.process.pid),
            "--name", "desktopchat", check=False,
        )  # fmt: skip
        return found.split()[0] if found else None

    def title(self) -> str:
        return (_run(self.env, "xdotool", "getwindowname", self.window_id) or "").strip()

    def place(self, x: int, width: int, height: int) -> None:
        """Move and size it, so the two windows sit side by side (a screenshot of one must
        not catch the other)."""
        _run(self.env, "xdotool", "windowsize", "--sync", self.window_id, str(width), str(height))
        _run(self.env, "xdotool", "windowmove", "--sync", self.window_id, str(x), "0")
        self.height = height

    def click_compose_box(self) -> None:
        """Click into the compose box (at the window's foot), as a person would."""
        _run(self.env, "xdotool", "windowactivate", "--sync", self.window_id)
        _run(self.env, "xdotool", "mousemove", "--window", self.window_id,
             "300", str(self.height - 30), "click", "1")  # fmt: skip
        wait_until(
            lambda: (_run(self.env, "xdotool", "getactivewindow") or "").strip() == self.window_id,
            f"window {self.window_id} to have the focus",
        )

    def screen_text(self, shot: Path) -> str:
        """What the window shows, read back from a screenshot (2x for small type)."""
        _run(self.env, "import", "-window", self.window_id, str(shot))
        _run(self.env, "convert", str(shot), "-resize", "200%", str(shot))
        return " ".join((_run(self.env, "tesseract", str(shot), "-") or "").split())

    def close(self) -> None:
        end_process(self.process)
        self.log.close()


def test_alice_types_in_her_window_and_bob_sees_it_in_his(
    x_desktop: dict[str, str], relay_hub: HubThread, tmp_path: Path
) -> None:
    url = base_url(relay_hub)
    api = Api(url)
    alice = api.signed_up("alice", display_name="Alice")
    bob = api.signed_up("bob", display_name="Bob")
    windows: list[AppWindow] = []
    try:
        bob_window = AppWindow(x_desktop, tmp_path / "bob", url, str(bob.token))
        windows.append(bob_window)
        alice_window = AppWindow(x_desktop, tmp_path / "alice", url, str(alice.token))
        windows.append(alice_window)
        bob_window.place(0, 630, 760)
        alice_window.place(640, 630, 760)
        shot = tmp_path / "bob.png"
        wait_until(
            lambda: "general" in bob_window.title() and "# general" in bob_window.screen_text(shot),
            "Bob's window on #general",
            timeout=START_WAIT,
        )
        wait_until(lambda: "general" in alice_window.title(), "Alice's window", START_WAIT)

        alice_window.click_compose_box()  # Bob's window is now in the background
        _run(x_desktop, "xdotool", "type", "--delay", "15", "pineapple journey")
        _run(x_desktop, "xdotool", "key", "Return")

        def bob_sees_it() -> str | None:
            text = bob_window.screen_text(shot)
            return text if "pineapple journey" in text else None

        text = wait_until(bob_sees_it, "Alice's message in Bob's window", timeout=START_WAIT)
        assert "Alice" in text
        wait_until(
            lambda: bob_window.title().startswith("(1) "),
            f"Bob's unread count ({bob_window.title()!r})",
        )
        history = api.as_token(bob.token).call("GET", "/api/rooms/general/messages").json()
        assert [m["text"] for m in history["messages"]] == ["pineapple journey"]
    finally:
        for window in windows:
            window.close()
