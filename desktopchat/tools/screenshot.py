"""Take the README's screenshot: a real window on a private hub with a short conversation.

``xvfb-run -s "-screen 0 1280x800x24" python -m desktopchat.tools.screenshot docs/screenshot.png``
— a real X server (Xvfb), the real window (xcb), a real hub and relay; only the people are
made up. Everything runs in a throwaway DESKTOPCHAT_HOME.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

CONVERSATION = (
    ("ada", "Ada Lovelace", "Morning! Did the hub come back after the upgrade?"),
    ("grace", "Grace Hopper", "It did — clients reconnected on their own and caught up."),
    ("grace", "Grace Hopper", "Nothing was lost: the relay keeps history, Pusher never did."),
    ("ada", "Ada Lovelace", "**Nice.** Notes are in https://example.org/runbook"),
    ("linus", "Linus", "For the record, this renders as text: <script>alert(1)</script>"),
    ("ada", "Ada Lovelace", "Run the check with `desktopchat --self-test` :rocket:"),
    ("grace", "Grace Hopper", "```\n$ desktopchat tail --json --last 5\n```"),
)


def main() -> int:
    """Populate a private hub, open the window, save a grab of it to argv[1]."""
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.png").resolve()
    with tempfile.TemporaryDirectory(prefix="desktopchat-shot-") as home:
        os.environ["DESKTOPCHAT_HOME"] = home
        return _shoot(target, Path(home))


def _shoot(target: Path, home: Path) -> int:
    from PySide6.QtCore import QCoreApplication, QEventLoop  # noqa: PLC0415

    from desktopchat.client import settings as settings_file  # noqa: PLC0415
    from desktopchat.client.credentials import MemoryTokenStore  # noqa: PLC0415
    from desktopchat.client.login import Login  # noqa: PLC0415
    from desktopchat.client.relay_client import RelayClient  # noqa: PLC0415
    from desktopchat.paths import app_dirs  # noqa: PLC0415
    from desktopchat.server.credentials import generate  # noqa: PLC0415
    from desktopchat.server.hub import HubConfig  # noqa: PLC0415
    from desktopchat.server.relay.service import RelayConfig  # noqa: PLC0415
    from desktopchat.server.runner import HubThread  # noqa: PLC0415
    from desktopchat.ui.app import application  # noqa: PLC0415
    from desktopchat.ui.main_window import MainWindow  # noqa: PLC0415

    application()
    hub = HubThread(HubConfig(generate(), port=0, relay=RelayConfig(data_dir=home / "hub")))
    hub.start()
    url = f"http://127.0.0.1:{hub.port}"
    clients: dict[str, RelayClient] = {}
    for username, name, text in CONVERSATION:
        client = clients.get(username)
        if client is None:
            client = clients[username] = RelayClient(url)
            client.register(username, f"{username}-password", name)
            client.login(username, f"{username}-password")
        client.send("general", text, f"shot-{len(text)}-{username}-{time.monotonic_ns()}")
    for room, topic in (("design", "Screens and sketches"), ("ops", "Hubs, relays, pagers")):
        clients["ada"].create_room(room, topic)
    viewer = RelayClient(url)
    viewer.register("you", "you-password", "You")
    token, user = viewer.login("you", "you-password")
    window = MainWindow(app_dirs(), settings_file.default_settings(), MemoryTokenStore(), [])
    window.resize(1100, 640)
    window.show()
    window.attach(Login(url, token, user, viewer.server_info()))

    def settle(done: object) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not done():  # type: ignore[operator]
            QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)

    def conversation_shown() -> bool:
        model = window.messages.model()
        return (
            model is not None
            and model.rowCount() >= len(CONVERSATION)
            and window.members.count() > 0
        )

    settle(conversation_shown)
    clients["grace"].send("ops", "Deploy at 15:00", "shot-ops")  # an unread count in the list
    settle(lambda: window.controller is not None and window.controller.rooms.unread("ops") > 0)
    for _ in range(20):  # let the last layout pass and paint land
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
    target.parent.mkdir(parents=True, exist_ok=True)
    saved = window.grab().save(str(target))
    window.quit()
    hub.stop()
    print(f"{'saved' if saved else 'could not save'} {target}")
    return 0 if saved else 1


if __name__ == "__main__":
    raise SystemExit(main())
