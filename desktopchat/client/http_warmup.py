"""A cold start's HTTP stack, imported on a thread while the window is being built.

With no saved session (or the embedded hub, which is always opened online) the first
paint of history waits for the relay: the login, the room list, the backlog. Its worker
would first import requests and urllib3 (~0.1 s), only once the window is up. Imported
meanwhile, that overlaps building the window, much of which is Qt's C++ (without the
GIL). A warm start (history on disk) does not do this: it paints before any network.
"""

from __future__ import annotations

import threading

from desktopchat.client.cache import database_path
from desktopchat.client.settings import Profile, Settings
from desktopchat.paths import AppDirs


def needs_relay_first(dirs: AppDirs, settings: Settings, profile: Profile) -> bool:
    """Whether opening ``profile`` has to go to the relay before it can show history.

    The same test the login makes (``login.offline_login``) without opening anything: no
    user known for the profile, or no local database for that user yet.
    """
    if profile.embedded or not profile.username:
        return True
    url = settings.server_url(profile)
    return not database_path(dirs.data, url, profile.username).exists()


def start() -> threading.Thread:
    """Import the HTTP stack on a daemon thread (the login's worker then finds it loaded)."""
    thread = threading.Thread(target=_import, name="desktopchat-http-warmup", daemon=True)
    thread.start()
    return thread


def _import() -> None:
    import requests  # noqa: F401, PLC0415 - the point of this thread
