"""A real headless Chromium for the tests: ``tests/compat/browser_driver.js`` behind a class.

The driver runs Debian's ``/usr/bin/chromium`` with puppeteer-core (pinned by
``tests/compat/package-lock.json``; it never downloads a browser) and takes one JSON
command per line. Waiting happens in the page (``waitForFunction`` re-checks a condition
every 25 ms), so no test sleeps. A missing chromium, node or puppeteer-core fails the test
with how to install it: a skipped browser test would read as a passing one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import Any

import pytest

from tests.inbox import WAIT, Inbox

COMPAT_DIR = Path(__file__).resolve().parents[2] / "compat"
DRIVER = COMPAT_DIR / "browser_driver.js"
CHROMIUM = "/usr/bin/chromium"
INSTALL_HINT = (
    "run ./.ci/test, which installs Debian's chromium and runs `npm ci` in tests/compat "
    "(puppeteer-core), or do both yourself: apt-get install chromium; cd tests/compat && npm ci"
)
#: Chromium's own start, plus one command.
START_TIMEOUT = 3 * WAIT


class BrowserError(AssertionError):
    """A command failed in the browser; the message is the driver's stack."""


class Browser:
    """One Chromium process; each :meth:`open` is a page in a fresh browser context."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            pytest.fail(f"`node` is not on PATH: {INSTALL_HINT}")
        if not Path(CHROMIUM).exists():
            pytest.fail(f"{CHROMIUM} is missing: {INSTALL_HINT}")
        if not (COMPAT_DIR / "node_modules" / "puppeteer-core" / "package.json").is_file():
            pytest.fail(f"puppeteer-core is not installed in {COMPAT_DIR}: {INSTALL_HINT}")
        # Chromium writes its profile and caches under HOME: a private one, removed after.
        self._home = tempfile.TemporaryDirectory(prefix="seed-browser-")
        self._proc = subprocess.Popen(
            [node, str(DRIVER)],
            cwd=COMPAT_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={"PATH": "/usr/bin:/bin", "HOME": self._home.name, "CHROMIUM": CHROMIUM},
        )
        self._answers = Inbox()
        self.stderr = Inbox()
        self._next_id = 1
        self._lock = threading.Lock()
        self._readers = [
            threading.Thread(target=self._read, daemon=True, name="browser-driver"),
            threading.Thread(target=self._read_stderr, daemon=True, name="browser-stderr"),
        ]
        for reader in self._readers:
            reader.start()
        (hello,) = self._answers.wait_count(1, "chromium to start", timeout=START_TIMEOUT)
        if not hello.get("ok"):
            self.close()
            pytest.fail(f"chromium did not start: {hello.get('error')}")
        self.version: str = hello["value"]

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            self._answers.put(json.loads(line))

    def _read_stderr(self) -> None:
        assert self._proc.stderr is not None
        for line in self._proc.stderr:
            self.stderr.put(line.rstrip("\n"))

    def call(self, op: str, timeout: float = START_TIMEOUT, **args: Any) -> Any:
        """Run one driver command; its value, or :class:`BrowserError` with the page's side."""
        with self._lock:
            command_id = self._next_id
            self._next_id += 1
            assert self._proc.stdin is not None
            self._proc.stdin.write(json.dumps({"id": command_id, "op": op, **args}) + "\n")
            self._proc.stdin.flush()
        answers = self._answers.wait_for(
            lambda items: any(a.get("id") == command_id for a in items),
            f"the browser to answer {op}",
            timeout,
        )
        answer = next(a for a in answers if a.get("id") == command_id)
        if not answer["ok"]:
            raise BrowserError(
                f"{op} failed in the browser: {answer['error']}\ndriver stderr: {self.stderr.items}"
            )
        return answer.get("value")

    def open(self, url: str, **options: Any) -> Page:
        """A new page (own context) at ``url``; the driver explains ``files``, ``notifications``."""
        return Page(self, self.call("open", url=url, **options))

    def close(self) -> None:
        """End the driver (it closes Chromium) and reap it."""
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            self._proc.stdin.close()
        try:
            self._proc.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=WAIT)
        for reader in self._readers:
            reader.join(WAIT)
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()
        self._home.cleanup()


class Page:
    """One open page of a :class:`Browser`."""

    def __init__(self, browser: Browser, page_id: int) -> None:
        self._browser = browser
        self.id = page_id

    def wait(self, js: str, what: str, timeout: float = WAIT) -> None:
        """Block until the JS expression ``js`` is truthy in the page."""
        try:
            self._browser.call(
                "wait", timeout=timeout + WAIT, page=self.id, js=js, ms=int(timeout * 1000)
            )
        except BrowserError as exc:
            errors = self.errors()
            text = self.eval("document.body.innerText")
            raise AssertionError(
                f"timed out waiting for {what}\npage errors: {errors}\npage text:\n{text}\n{exc}"
            ) from None

    def eval(self, js: str) -> Any:
        """The value of the JS expression ``js`` in the page."""
        return self._browser.call("eval", page=self.id, js=js)

    def type(self, selector: str, text: str) -> None:
        """Type ``text`` into the element at ``selector``, key by key."""
        self._browser.call("type", page=self.id, selector=selector, text=text)

    def click(self, selector: str) -> None:
        """Click the element at ``selector``."""
        self._browser.call("click", page=self.id, selector=selector)

    def screenshot(self, path: Path) -> Path:
        """A PNG of the viewport."""
        return Path(self._browser.call("screenshot", page=self.id, path=str(path)))

    def errors(self) -> list[str]:
        """Uncaught errors of the page, and requests it tried to send off this machine."""
        errors: list[str] = self._browser.call("errors", page=self.id)
        return errors

    def close(self) -> None:
        """Close the page and its context."""
        self._browser.call("close", page=self.id)
