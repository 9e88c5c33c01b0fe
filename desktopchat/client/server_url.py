"""How a server address typed by a user becomes the URL every part of the client uses.

Its own module, free of HTTP code, so the settings (read before the window's first paint)
need not import ``requests`` through :mod:`desktopchat.client.relay_client`.
"""

from __future__ import annotations


def normalize_server_url(url: str) -> str:
    """``host:port`` or a full URL, as ``http(s)://host:port`` without a trailing slash."""
    url = url.strip()
    if "://" not in url:
        url = f"http://{url}"
    return url.rstrip("/")
