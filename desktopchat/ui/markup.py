"""Message text to display markup — escaped first, so text is never interpreted as HTML.

The seed appended ``'<p>' + data.msg + '</p>'`` into its page: a script injection. Here
every character of the text is HTML-escaped before anything else happens; only then are
our own tags added for a small markdown subset (``**bold**``, ``*italic*``/``_italic_``,
`` `code` ``, fenced code blocks), links (``http(s)://``, shown and clickable) and a few
``:emoji:`` shortcodes. Qt's rich-text engine never sees a tag the sender wrote.
"""

from __future__ import annotations

import html
import re

#: A language name counts only on the opening line of a block: "```print(1)```" is code.
_FENCE = re.compile(r"```(?:[ \t]*\w*[ \t]*\n)?(.*?)```", re.DOTALL)
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_ITALIC = re.compile(
    r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"
)
#: Matched on the raw text: quotes, brackets and whitespace end a URL.
_URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}*_]")
_SHORTCODE = re.compile(r":([a-z0-9_+-]{1,30}):")
#: Characters that mean the text needs rich rendering at all.
_RICH_HINTS = re.compile(r"[`*_]|https?://|:[a-z0-9_+-]+:")

EMOJI = {
    "smile": "😄",
    "grin": "😁",
    "joy": "😂",
    "wink": "😉",
    "heart": "❤️",
    "thumbsup": "👍",
    "+1": "👍",
    "thumbsdown": "👎",
    "-1": "👎",
    "tada": "🎉",
    "fire": "🔥",
    "rocket": "🚀",
    "eyes": "👀",
    "thinking": "🤔",
    "wave": "👋",
    "ok_hand": "👌",
    "clap": "👏",
    "pray": "🙏",
    "100": "💯",
    "check": "✅",
    "x": "❌",
    "warning": "⚠️",
    "coffee": "☕",
    "bug": "🐛",
    "sparkles": "✨",
    "cry": "😢",
    "sweat_smile": "😅",
    "slightly_smiling_face": "🙂",
    "upside_down": "🙃",
    "party": "🥳",
}


def is_plain(text: str) -> bool:
    """Whether ``text`` renders as itself (no markup, link or shortcode): the fast path."""
    return _RICH_HINTS.search(text) is None


def to_html(text: str) -> str:
    """Safe rich text for Qt: escaped text plus our own formatting tags only."""
    parts: list[str] = []
    position = 0
    for fence in _FENCE.finditer(text):
        parts.append(_inline(text[position : fence.start()]))
        code = html.escape(fence.group(1).rstrip("\n"), quote=True)
        parts.append(f"<pre>{code}</pre>")
        position = fence.end()
    parts.append(_inline(text[position:]))
    # Qt's rich text collapses runs of spaces and turns tabs into spaces unless told not to.
    return '<span style="white-space: pre-wrap">' + "".join(parts) + "</span>"


def _inline(text: str) -> str:
    """Inline code first (its content stays literal), then the rest."""
    out: list[str] = []
    position = 0
    for code in _INLINE_CODE.finditer(text):
        out.append(_styled(text[position : code.start()]))
        out.append(f"<code>{html.escape(code.group(1), quote=True)}</code>")
        position = code.end()
    out.append(_styled(text[position:]))
    return "".join(out)


def _styled(text: str) -> str:
    """Links found in the raw text (so quotes and brackets end them), the rest emphasised."""
    out: list[str] = []
    position = 0
    for link in _URL.finditer(text):
        out.append(_emphasis(text[position : link.start()]))
        url = html.escape(link.group(), quote=True)
        out.append(f'<a href="{url}">{url}</a>')
        position = link.end()
    out.append(_emphasis(text[position:]))
    return "".join(out)


def _emphasis(text: str) -> str:
    escaped = html.escape(text, quote=True)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    escaped = _ITALIC.sub(lambda m: f"<i>{m.group(1) or m.group(2)}</i>", escaped)
    escaped = _SHORTCODE.sub(lambda m: EMOJI.get(m.group(1), m.group()), escaped)
    return escaped.replace("\n", "<br>")
