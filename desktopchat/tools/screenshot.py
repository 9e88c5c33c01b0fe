"""Render the README's screenshots: the real window on a private hub, light and dark, two sizes.

``python -m desktopchat.tools.screenshot [OUTPUT_DIR]`` (default ``docs/screenshots``) writes
``light-1366x768.png``, ``dark-1366x768.png``, ``light-1920x1080.png`` and
``dark-1920x1080.png`` (``DESKTOPCHAT_SHOT_SIZES="800x600 1024x768"`` for others). A real hub
and relay run in this process, real accounts post a conversation through the relay, and the
real window shows it; only the people are made up. Everything runs in a throwaway
``DESKTOPCHAT_HOME``. Without a display it renders offscreen (the same widgets, fonts and
style; no window-manager frame).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktopchat.client.domain import Message
    from desktopchat.client.relay_client import RelayClient
    from desktopchat.ui.main_window import MainWindow

#: (username, display name): the people in the conversation.
PEOPLE = (
    ("ada", "Ada Lovelace"),
    ("grace", "Grace Hopper"),
    ("linus", "Linus Torvalds"),
    ("katherine", "Katherine Johnson"),
    ("margaret", "Margaret Hamilton"),
)
#: Whose window it is.
VIEWER = "margaret"
ROOMS = (
    ("general", "Everyone, everything — be kind"),
    ("design", "Screens, sketches and the design system"),
    ("ops", "Hubs, relays and pagers"),
    ("random", "Off topic"),
    ("release-planning-for-the-next-quarter", "Dates, owners, risks"),
)
#: (author, text) in #general, oldest first.
CONVERSATION = (
    ("ada", "Morning! Did the hub come back after the upgrade?"),
    ("grace", "It did — clients reconnected on their own and caught up."),
    ("grace", "Nothing was lost: the relay keeps history, Pusher never did."),
    ("katherine", "**Nice.** The runbook is at https://example.org/runbook if anyone needs it."),
    ("linus", "For the record, this renders as text, never as HTML: <script>alert(1)</script>"),
    ("ada", "Run the check with `desktopchat --self-test` before you file anything."),
    (
        "grace",
        "What I ran:\n```\n$ desktopchat tail --json --last 5\n$ desktopchat send 'hello'\n```",
    ),
    (
        "katherine",
        "> Nothing was lost\n\nThen the checklist for next time:\n"
        "- stop the hub\n- wait for the banner\n- start it again",
    ),
    (
        "linus",
        "Long one, sorry. I went through the reconnect path line by line this morning, and "
        "the part that matters is that the client never trusts its own idea of what it has "
        "seen: after every reconnect it asks the relay for everything after the last id it "
        "stored, and for the change feed after the last change counter, so an edit made while "
        "it was away arrives once and in order. The hub restarting is then just a slow "
        "network. What still bothers me is the first start with no cache at all, where the "
        "window has nothing to show until the relay answers; the banner says so, but it is "
        "not pretty. I would like us to look at that next week, together with the idle "
        "timeout on the hub, which is too eager for laptops that go to sleep.",
    ),
    ("margaret", "Agreed — let's take it on Monday. @Linus can you write it up?"),
)
#: A picture (author, caption, file name) posted after CONVERSATION's message at this index:
#: a chart drawn here, so the screenshots show an inline preview.
PICTURE_AFTER = 6
PICTURE = ("grace", "Reconnects during the restart, from the hub's log:", "reconnects.png")
#: Who a message in CONVERSATION or LATER mentions, by its text (a mention is by user id).
MENTIONS = {"@Margaret": "margaret", "@Linus": "linus"}
#: A reply (author, text) to the long message, and reactions (reactor, emoji) on the last.
REPLY = ("ada", "+1, I can pair on the first-start part.")
REACTIONS = (("ada", "👍"), ("grace", "👍"), ("katherine", "🎉"))
#: A direct message to you that arrives after the window opened (unread, like a mention).
DIRECT = ("grace", "Quick one: can you review my branch before Monday?")
#: Messages that arrive in other rooms after the window opened (unread; one mentions you).
LATER = (
    ("grace", "ops", "Deploy at 15:00, I'll watch the graphs."),
    ("ada", "design", "@Margaret the new sidebar is in, have a look?"),
    ("katherine", "design", "Looks good in dark too."),
    ("linus", "random", "Coffee machine is fixed."),
)
SCHEMES = ("light", "dark")


def sizes() -> list[tuple[int, int]]:
    """The window sizes to render (``DESKTOPCHAT_SHOT_SIZES``, default 1366x768 1920x1080)."""
    wanted = os.environ.get("DESKTOPCHAT_SHOT_SIZES", "1366x768 1920x1080").split()
    return [(int(w), int(h)) for w, h in (size.lower().split("x") for size in wanted)]


def main() -> int:
    """Populate a private hub, open the window, save a grab per scheme and size."""
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots").resolve()
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="desktopchat-shot-") as home:
        os.environ["DESKTOPCHAT_HOME"] = home
        return _shoot(target, Path(home))


def _settle(done: Callable[[], bool], seconds: float = 20) -> bool:
    from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: PLC0415

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if done():
            return True
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    return done()


def _shoot(target: Path, home: Path) -> int:
    from desktopchat.client import settings as settings_file  # noqa: PLC0415
    from desktopchat.client.credentials import MemoryTokenStore  # noqa: PLC0415
    from desktopchat.client.login import Login  # noqa: PLC0415
    from desktopchat.paths import app_dirs  # noqa: PLC0415
    from desktopchat.server.credentials import generate  # noqa: PLC0415
    from desktopchat.server.hub import HubConfig  # noqa: PLC0415
    from desktopchat.server.relay.service import RelayConfig  # noqa: PLC0415
    from desktopchat.server.runner import HubThread  # noqa: PLC0415
    from desktopchat.ui import theme  # noqa: PLC0415
    from desktopchat.ui.app import application  # noqa: PLC0415
    from desktopchat.ui.main_window import MainWindow  # noqa: PLC0415

    application()
    theme.apply("light")
    hub = HubThread(HubConfig(generate(), port=0, relay=RelayConfig(data_dir=home / "hub")))
    hub.start()
    url = f"http://127.0.0.1:{hub.port}"
    shapes = sizes()
    try:
        clients, ids = _populate(url)
        viewer = clients[VIEWER]
        token, user = viewer.login(VIEWER, f"{VIEWER}-password")
        window = MainWindow(app_dirs(), settings_file.default_settings(), MemoryTokenStore(), [])
        window.resize(*shapes[0])
        window.show()
        # A grab with an in-app toast over the composer shows the toast, not the window.
        window.notifications.preferences = replace(window.notifications.preferences, enabled=False)
        window.attach(Login(url, token, user, viewer.server_info()))
        _wait_for_conversation(window)
        present = _present(url, clients, "presence-room-general")
        _settle(lambda: window.members.count() >= len(PEOPLE))
        for author, room, text in LATER:
            _send(clients, ids, author, room, text, client_id=f"shot-later-{room}-{author}")
        author, text = DIRECT
        dm = clients[author].start_direct([VIEWER])
        clients[author].send(dm.name, text, "shot-direct")
        rooms = window.controller.rooms if window.controller else None
        dms = window.controller.dms if window.controller else None
        _settle(
            lambda: (
                rooms is not None
                and rooms.unread("random") > 0
                and dms is not None
                and dms.unread(dm.name) > 0
            )
        )
        target.mkdir(parents=True, exist_ok=True)
        saved = [_grab(window, target, scheme, size) for scheme in SCHEMES for size in shapes]
        window.quit()
        for socket in present:
            socket.close()  # type: ignore[attr-defined]
    finally:
        hub.stop()
    for path in saved:
        print(f"saved {path}")
    return 0 if all(saved) else 1


def _populate(url: str) -> tuple[dict[str, RelayClient], dict[str, int]]:
    """Accounts, rooms and the conversation, through the relay's HTTP API; the clients
    and each user's id."""
    from desktopchat.client.relay_client import RelayClient  # noqa: PLC0415

    clients: dict[str, RelayClient] = {}
    ids: dict[str, int] = {}
    for username, name in PEOPLE:
        client = clients[username] = RelayClient(url)
        client.register(username, f"{username}-password", name)
        ids[username] = client.login(username, f"{username}-password")[1].id
    for name, topic in ROOMS:
        if name == "general":
            clients["ada"].set_topic(name, topic)
        else:
            clients["ada"].create_room(name, topic)
    sent = []
    for number, (author, text) in enumerate(CONVERSATION):
        sent.append(_send(clients, ids, author, "general", text, client_id=f"shot-{number}"))
        if number == PICTURE_AFTER:
            _send_picture(clients)
    author, text = REPLY
    clients[author].send("general", text, "shot-reply", reply_to=sent[-2].id)
    for reactor, emoji in REACTIONS:
        clients[reactor].react("general", sent[-1].id, emoji)
    return clients, ids


def _send(
    clients: dict[str, RelayClient],
    ids: dict[str, int],
    author: str,
    room: str,
    text: str,
    *,
    client_id: str,
) -> Message:
    """Send ``text``, mentioning by id whoever MENTIONS finds named in it."""
    mentioned = tuple(ids[username] for name, username in MENTIONS.items() if name in text)
    return clients[author].send(room, text, client_id, mentions=mentioned)


def _send_picture(clients: dict[str, RelayClient]) -> None:
    """Draw :data:`PICTURE`'s chart (reconnects per second: a spike, then calm), upload it
    and post it with its caption. Drawn with Qt, not Pillow: Pillow's drawing module
    brings its font engine (~3 MB) into the frozen app, which never draws."""
    from PySide6.QtCore import QPointF, Qt  # noqa: PLC0415
    from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPolygonF  # noqa: PLC0415

    author, caption, name = PICTURE
    width, height = 1200, 520
    chart = QImage(width, height, QImage.Format.Format_RGB32)
    chart.fill(QColor(250, 251, 253))
    painter = QPainter(chart)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor(222, 226, 234), 2))
    for y in range(60, height, 90):
        painter.drawLine(60, y, width - 40, y)
    values = [2, 3, 2, 4, 3, 60, 95, 70, 30, 12, 6, 4, 3, 2, 3, 2, 2, 3, 2, 2]
    step = (width - 100) / (len(values) - 1)
    points = [QPointF(60 + i * step, height - 40 - v * 4.2) for i, v in enumerate(values)]
    area = QPolygonF([QPointF(60, height - 40), *points, QPointF(width - 40, height - 40)])
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(214, 226, 250))
    painter.drawPolygon(area)
    painter.setPen(QPen(QColor(59, 91, 219), 6))
    painter.drawPolyline(QPolygonF(points))
    painter.end()
    with tempfile.TemporaryDirectory(prefix="desktopchat-shot-") as folder:
        path = Path(folder) / name
        chart.save(str(path))  # PNG, from the name
        file = clients[author].upload("general", path)
    clients[author].send("general", caption, "shot-picture", attachments=[file.id])


def _present(url: str, clients: dict[str, RelayClient], channel: str) -> list[object]:
    """Put everyone but the viewer on ``channel``'s presence, as their own apps would.

    A plain Pusher-protocol WebSocket per person (websocket-client, which pysher uses):
    connect, take the socket id, ask the relay to authorize, subscribe. The sockets stay
    open until the caller closes them.
    """
    import json  # noqa: PLC0415

    import websocket  # noqa: PLC0415

    key = clients[VIEWER].server_info().key
    address = url.replace("http://", "ws://") + f"/app/{key}?protocol=7&client=shot"
    sockets: list[object] = []
    for username, client in clients.items():
        if username == VIEWER:
            continue
        socket = websocket.create_connection(address, timeout=10)
        established = json.loads(socket.recv())
        socket_id = json.loads(established["data"])["socket_id"]
        auth = client.pusher_auth(socket_id, channel)
        data = {"channel": channel, **auth}
        socket.send(json.dumps({"event": "pusher:subscribe", "data": data}))
        sockets.append(socket)
    return sockets


def _wait_for_conversation(window: MainWindow) -> None:
    def shown() -> bool:
        model = window.messages.model()
        return model is not None and model.rowCount() >= len(CONVERSATION)

    _settle(shown)


def _grab(window: MainWindow, target: Path, scheme: str, size: tuple[int, int]) -> Path | None:
    """Theme ``scheme`` at ``size``; let layout and painting land; save the grab."""
    from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: PLC0415

    from desktopchat.ui import theme  # noqa: PLC0415

    theme.apply(scheme)
    window.resize(*size)
    window.messages.scroll_to_newest()
    window.notice.clear_message()  # "Signed in as…" is news of the moment, not the look
    _settle(lambda: window.size().width() == size[0], 5)
    for _ in range(20):  # the last layout pass and paint
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    path = target / f"{scheme}-{size[0]}x{size[1]}.png"
    return path if window.grab().save(str(path)) else None


if __name__ == "__main__":
    raise SystemExit(main())
