"""The seed pages in a real headless Chromium against a real hub, with real desktop clients.

Two pages: the one the hub serves at ``/seed/``, and the tutorial's own page
(``tests/compat/seed_page/index.html``) with exactly the changes the README lists, served
from another origin as a user would host it. The desktop side is the relay's API and the
real ``desktopchat send`` and ``tail`` processes.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktopchat.server.runner import HubThread
from tests.integration.client.helpers import CliProcess, error_lines, run_cli
from tests.integration.conftest import Api, base_url
from tests.integration.seed.browser import COMPAT_DIR, Browser, Page
from tests.integration.seed.conftest import seed_post

pytestmark = pytest.mark.compat

README = Path(__file__).resolve().parents[3] / "README.md"
SEED_PAGE = COMPAT_DIR / "seed_page" / "index.html"
#: The tutorial page's CDN scripts, answered from the pinned packages (no CDN is reachable).
CDN_FILES = {
    "https://js.pusher.com/8.4.0/pusher.min.js": COMPAT_DIR
    / "node_modules/pusher-js/dist/web/pusher.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": COMPAT_DIR
    / "node_modules/jquery/dist/jquery.min.js",
}
XSS = '<img src=x onerror="window.__xss = (window.__xss || 0) + 1">'
MESSAGES = "document.getElementById('messages')"
#: The served page is ready: subscribed to test_channel, and history is in.
READY = "document.body.dataset.subscribed === 'yes' && document.body.dataset.history === 'loaded'"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """One Chromium for the module (each page gets a fresh context)."""
    instance = Browser()
    yield instance
    instance.close()


@pytest.fixture
def open_page(browser: Browser) -> Iterator[Callable[..., Page]]:
    """Open pages; each is closed after the test, having thrown no uncaught error."""
    pages: list[Page] = []

    def open_(url: str, **options: object) -> Page:
        page = browser.open(url, **options)
        pages.append(page)
        return page

    yield open_
    errors = {page.id: page.errors() for page in pages}
    for page in pages:
        page.close()
    assert not any(errors.values()), f"pages had errors: {errors}"


def served_page(open_page: Callable[..., Page], hub: HubThread, **options: object) -> Page:
    """The hub's ``/seed/`` page, ready."""
    page = open_page(f"{base_url(hub)}/seed/", **options)
    page.wait(READY, "the served page to subscribe and load history")
    return page


def lines(page: Page) -> list[str]:
    """The page's message lines as a person reads them."""
    text: str = page.eval(f"{MESSAGES}.innerText")
    return [line for line in text.split("\n") if line.strip()]


def wait_text(page: Page, text: str, what: str) -> None:
    page.wait(f"{MESSAGES}.textContent.includes({json.dumps(text)})", what)


def send_from_page(page: Page, text: str, name: str | None = None) -> None:
    """Type into the served page's boxes and press Send, as a person does."""
    if name is not None:
        page.type("#name", name)
    page.type("#message", text)
    page.click("#send")
    page.wait("document.getElementById('message').value === ''", "the page to send")


def desktop_env(cli_env: dict[str, str], user: Api) -> dict[str, str]:
    assert user.token is not None
    return {**cli_env, "DESKTOPCHAT_TOKEN": user.token}


def desktop_send(env: dict[str, str], hub: HubThread, text: str) -> int:
    """``desktopchat send`` as a desktop user; the id it printed."""
    result = run_cli("send", "--server", base_url(hub), text, env=env)
    assert result.returncode == 0, result.stderr
    assert error_lines(result.stderr) == [], result.stderr
    return int(result.stdout)


# ------------------------------------------------------------------ the served page


def test_a_page_message_reaches_tail_and_the_relays_history(  # noqa: PLR0917
    seed_hub: HubThread, alice: Api, open_page, cli, cli_env, tmp_path: Path
) -> None:
    tail: CliProcess = cli("tail", "--server", base_url(seed_hub), env=desktop_env(cli_env, alice))
    tail.wait_stderr("desktopchat: connected", timeout=30)
    page = served_page(open_page, seed_hub)

    send_from_page(page, "hello from the browser", name="Wendy")

    wait_text(page, "hello from the browser", "the page's own message back from the hub")
    assert lines(page) == ["Wendy (web): hello from the browser"]
    (line,) = tail.wait_stdout(1, "the page's message on tail")
    assert re.fullmatch(r"\[\d\d:\d\d\] #1 Wendy \(web\): hello from the browser", line), line
    history = alice.history().json()["messages"]
    assert [(m["author"]["display_name"], m["text"]) for m in history] == [
        ("Wendy (web)", "hello from the browser")
    ]
    page.screenshot(tmp_path / "seed-page.png")


def test_desktop_messages_and_edits_reach_the_page(
    seed_hub: HubThread, alice: Api, open_page, cli_env
) -> None:
    page = served_page(open_page, seed_hub)
    message_id = desktop_send(desktop_env(cli_env, alice), seed_hub, "hi from the app")
    wait_text(page, "hi from the app", "the desktop message on the page")
    assert lines(page) == ["Alice: hi from the app"]

    edited = alice.call(
        "PATCH", f"/api/rooms/general/messages/{message_id}", json={"text": "hi, fixed"}
    )
    assert edited.status_code == 200, edited.text
    wait_text(page, "hi, fixed", "the edit on the page")
    assert lines(page) == ["Alice: hi, fixed (edited)"], "edited in place, not appended"

    assert alice.call("DELETE", f"/api/rooms/general/messages/{message_id}").status_code == 200
    wait_text(page, "(deleted)", "the delete on the page")
    assert lines(page) == ["Alice: (deleted)"]


def test_message_text_is_shown_as_text_never_run_as_html(
    seed_hub: HubThread, alice: Api, open_page
) -> None:
    page = served_page(open_page, seed_hub)
    alice.sent(XSS)
    send_from_page(page, XSS, name='<b onmouseover="window.__xss=1">Eve</b>')
    page.wait(f"{MESSAGES}.children.length === 2", "both hostile messages on the page")

    assert page.eval("window.__xss === undefined"), "a message ran script in the page"
    assert page.eval(f"{MESSAGES}.querySelectorAll('img, b').length") == 0
    assert lines(page) == [
        f"Alice: {XSS}",
        f'<b onmouseover="window.__xss=1">Eve</b> (web): {XSS}',
    ]


def test_the_page_shows_recent_history_on_load(seed_hub: HubThread, alice: Api, open_page) -> None:
    alice.sent("before the page opened")
    assert seed_post(seed_hub, "an earlier guest").status_code == 200
    alice.sent("the latest")
    page = served_page(open_page, seed_hub)
    assert lines(page) == [
        "Alice: before the page opened",
        "web guest: an earlier guest",
        "Alice: the latest",
    ]
    # Live messages go below history, each once.
    alice.sent("live")
    wait_text(page, "live", "a live message after history")
    assert lines(page)[-1] == "Alice: live"
    assert len(lines(page)) == 4


def test_the_page_notifies_of_messages_while_hidden(
    seed_hub: HubThread, alice: Api, open_page
) -> None:
    page = served_page(open_page, seed_hub, notifications=True)
    alice.sent("are you there?")
    page.wait("window.__notifications.length === 1", "a browser notification")
    assert page.eval("window.__notifications") == [{"title": "Alice", "body": "are you there?"}]


def test_a_refused_post_keeps_the_text_and_says_why(
    seed_hub: HubThread, alice: Api, open_page
) -> None:
    page = served_page(open_page, seed_hub)
    page.type("#name", "n" * 40)
    page.eval("document.getElementById('name').removeAttribute('maxlength'); true")
    page.type("#name", "toolong")
    page.type("#message", "keep me")
    page.click("#send")
    page.wait("!document.getElementById('error').hidden", "the error line")
    assert "'name' is longer than 40 characters" in page.eval(
        "document.getElementById('error').textContent"
    )
    assert page.eval("document.getElementById('message').value") == "keep me"
    assert alice.history().json()["messages"] == []


def test_without_seed_compat_no_page_is_served(relay_hub: HubThread, open_page) -> None:
    page = open_page(f"{base_url(relay_hub)}/api/config")
    statuses = page.eval(
        "Promise.all([fetch('/seed/'), fetch('/seed/pusher.min.js'),"
        " fetch('/AJAX_save/send', {method: 'POST', body: new URLSearchParams({message: 'x'})})"
        "]).then(rs => rs.map(r => r.status))"
    )
    assert statuses == [404, 404, 404]


# ------------------------------------------------------------------ the seed's own page


def readme_changes() -> tuple[str, str, str]:
    """The README's seed blocks: the constructor, the post, and the optional safe append."""
    text = README.read_text(encoding="utf-8")
    marker = text.index("<!-- seed-page-changes:")
    blocks = re.findall(r"```js\n(.*?)```", text[marker:], re.DOTALL)
    assert len(blocks) >= 3, "the README's seed section lost its js blocks"
    return blocks[0], blocks[1], blocks[2]


def seed_page_with_readme_changes(key: str, port: int, *, safe_append: bool = False) -> str:
    """The tutorial's page with the README's two changes applied, and nothing else.

    With ``safe_append``, also the README's optional third change (text, not HTML).
    """
    constructor, post, append = (
        block.replace("APP_KEY", key).replace("HUB_HOST", "127.0.0.1").replace("6001", str(port))
        for block in readme_changes()
    )
    page = SEED_PAGE.read_text(encoding="utf-8")
    page, constructors = re.subn(
        r"var pusher = new Pusher\('APP_KEY', \{.*?\}\);\n", constructor, page, flags=re.DOTALL
    )
    original_post = "$.post('/AJAX_save/send', { message: $('#message').val() });\n"
    original_append = "$('#messages').append('<p>' + data.msg + '</p>');\n"
    counts = (constructors, page.count(original_post), page.count(original_append))
    assert counts == (1, 1, 1), "the README's blocks no longer fit the seed page"
    page = page.replace(original_post, post)
    if safe_append:
        page = page.replace(original_append, append)
    return page


@pytest.fixture
def static_site(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """Serve an HTML page from another origin (a plain static server); its URL."""
    root = tmp_path / "site"
    root.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Quiet, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def publish(html: str, name: str = "index.html") -> str:
        (root / name).write_text(html, encoding="utf-8")
        return f"http://127.0.0.1:{server.server_address[1]}/{name}"

    yield publish
    server.shutdown()
    server.server_close()
    thread.join()


def test_the_unchanged_seed_page_with_the_readmes_changes_joins_the_conversation(
    seed_hub: HubThread, alice: Api, open_page, static_site, credentials
) -> None:
    url = static_site(seed_page_with_readme_changes(credentials.key, seed_hub.port))
    files = {cdn: str(path) for cdn, path in CDN_FILES.items()}
    first, second = open_page(url, files=files), open_page(url, files=files)
    for page in (first, second):
        page.wait("pusher.connection.state === 'connected'", "the seed page to connect")
        page.wait("channel.subscribed === true", "the seed page to subscribe")

    first.type("#message", "from the old page")
    first.click("#send")
    for page in (first, second):
        wait_text(page, "from the old page", "the old page's message on both tabs")
    history = alice.history().json()["messages"]
    assert [(m["author"]["display_name"], m["text"]) for m in history] == [
        ("web guest", "from the old page")
    ]

    alice.sent("from the app")
    for page in (first, second):
        wait_text(page, "from the app", "the desktop message on both tabs")
        assert lines(page) == ["web guest: from the old page", "Alice: from the app"]


def test_the_readmes_safe_append_fixes_the_seed_pages_injection(
    seed_hub: HubThread, alice: Api, open_page, static_site, credentials
) -> None:
    """The unchanged page runs a message's script (the window flag proves the check works);
    with the README's third change it shows the message as text."""
    files = {cdn: str(path) for cdn, path in CDN_FILES.items()}
    unchanged = open_page(
        static_site(seed_page_with_readme_changes(credentials.key, seed_hub.port)), files=files
    )
    fixed = open_page(
        static_site(
            seed_page_with_readme_changes(credentials.key, seed_hub.port, safe_append=True),
            name="fixed.html",
        ),
        files=files,
    )
    for page in (unchanged, fixed):
        page.wait("channel.subscribed === true", "the seed page to subscribe")
    alice.sent(XSS)
    unchanged.wait("window.__xss === 1", "the seed's own injection to run, as documented")
    wait_text(fixed, "onerror", "the message on the fixed page")
    assert fixed.eval("window.__xss === undefined")
    assert fixed.eval(f"{MESSAGES}.querySelectorAll('img').length") == 0
    assert lines(fixed) == [f"Alice: {XSS}"]
