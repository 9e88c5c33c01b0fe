"""Avatars that need no internet: Gravatar when there is an email, else a served identicon.

The identicon is a 5x5 mirrored grid drawn as SVG from a hash of the user id — a dozen lines,
where an imaging library (pydenticon needs Pillow) would add megabytes to the bundle.
"""

from __future__ import annotations

import hashlib

IDENTICON_PATH = "/api/avatars/{user_id}.svg"


def avatar_url(user_id: int, email: str | None) -> str:
    """Gravatar for an email (falling back to its identicon style), else the relay's URL.

    The relay URL is relative to the relay; clients resolve it against the server URL.
    """
    if email:
        digest = hashlib.md5(email.strip().lower().encode(), usedforsecurity=False).hexdigest()
        return f"https://www.gravatar.com/avatar/{digest}?d=identicon&s=128"
    return IDENTICON_PATH.format(user_id=user_id)


def identicon_svg(seed: str, size: int = 128) -> str:
    """A symmetric 5x5 identicon for ``seed`` as an SVG document."""
    digest = hashlib.sha256(seed.encode()).digest()
    hue = digest[0] * 360 // 256
    cell = size // 5
    rects = []
    for row in range(5):
        for col in range(3):
            if digest[1 + row * 3 + col] & 1:
                for x in {col, 4 - col}:
                    rects.append(
                        f'<rect x="{x * cell}" y="{row * cell}" width="{cell}" height="{cell}"/>'
                    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 {size} {size}"><rect width="100%" height="100%" fill="#f0f0f0"/>'
        f'<g fill="hsl({hue},55%,50%)">{"".join(rects)}</g></svg>'
    )
