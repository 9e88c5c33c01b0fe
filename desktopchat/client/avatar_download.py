"""Fetching remote avatar pictures (Gravatar): the network half of the window's avatars.

Kept out of ``ui/`` so the window does no networking itself; the window's
:class:`~desktopchat.ui.avatars.AvatarCache` runs this on a worker and decodes the bytes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from desktopchat.client.trust import KnownHosts

log = logging.getLogger(__name__)

#: Largest picture accepted from a remote server.
MAX_AVATAR_BYTES = 512 * 1024


def download_avatar(url: str, known_hosts: KnownHosts | None = None) -> bytes | None:
    """Fetch a remote avatar (https only); None when offline, refused or too large.

    The server's certificate is checked as the relay's is: its pin in ``known_hosts``, or
    the system's CAs.
    """
    if not url.startswith("https://"):
        return None
    # Imported here, on the avatar worker: requests costs the window's start ~150 ms.
    import requests  # noqa: PLC0415

    from desktopchat.client.trust_adapter import TrustAdapter  # noqa: PLC0415

    pin = known_hosts.pin_for(url) if known_hosts else None
    with requests.Session() as http:
        http.mount("https://", TrustAdapter(pin))
        try:
            response = http.get(url, timeout=(3, 5), stream=True)
            if not response.ok:
                return None
            data = response.raw.read(MAX_AVATAR_BYTES + 1, decode_content=True)
        except (requests.RequestException, OSError) as exc:
            log.info("avatar %s not fetched: %s", url, type(exc).__name__)
            return None
    return data if len(data) <= MAX_AVATAR_BYTES else None
