"""Marking the reader's own ``@Name`` in a message's safe HTML, so a mention stands out.

Works on :func:`desktopchat.ui.markup.to_html`'s output: only text between tags is looked
at (never a tag, an attribute or a link's address), and the name is matched in its
escaped form, so what was escaped stays escaped.
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"(<[^>]*>)")


def highlight(rich: str, names: tuple[str, ...]) -> str:
    """``rich`` with each ``@Name`` of ``names`` (whole word) in a ``mention`` span."""
    wanted = [html.escape(f"@{name}", quote=True) for name in names if name]
    if not wanted:
        return rich
    alternatives = "|".join(re.escape(w) for w in sorted(wanted, key=len, reverse=True))
    pattern = re.compile(rf"(?<![\w@])(?:{alternatives})(?![\w@])", re.IGNORECASE)
    parts = _TAG.split(rich)
    inside_link = False
    for i, part in enumerate(parts):
        if i % 2:  # a tag
            lowered = part.lower()
            inside_link = lowered.startswith("<a ") or (inside_link and lowered != "</a>")
            continue
        if not inside_link:
            parts[i] = pattern.sub(lambda m: f'<span class="mention">{m.group()}</span>', part)
    return "".join(parts)
