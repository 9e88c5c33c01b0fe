"""The small markdown subset messages are written in, as patterns, and as plain text.

The window draws it as rich text (:mod:`desktopchat.ui.markup`, which escapes everything
first); a notification or a toast shows plain text, where ``**bold**`` would be noise:
:func:`plain_text` drops the marks. Both read the syntax from here, so they agree on it.
No Qt: the client's notification policy uses it too.
"""

from __future__ import annotations

import re

#: A language name counts only on the opening line of a block: "```print(1)```" is code.
FENCE = re.compile(r"```(?:[ \t]*\w*[ \t]*\n)?(.*?)```", re.DOTALL)
INLINE_CODE = re.compile(r"`([^`\n]+)`")
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
ITALIC = re.compile(
    r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"
)
#: Matched on the raw text: quotes, brackets and whitespace end a URL.
URL = re.compile(r"\bhttps?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}*_]")
#: Not inside a word or number: ``1:100:1000`` and ``10:30:00`` are not ``:100:``/``:30:``.
SHORTCODE = re.compile(r"(?<![A-Za-z0-9]):([a-z0-9_+-]{1,30}):(?![A-Za-z0-9])")
#: Characters that mean the text needs rich rendering at all (markup, a link, a
#: shortcode, or a line that starts a quote or a list).
RICH_HINTS = re.compile(
    r"[`*_]|https?://|:[a-z0-9_+-]+:|^[ \t]*(?:>|-[ \t]|\d{1,9}[.)][ \t])", re.M
)
#: Block lines: a quote ("> text"), a bullet ("- text", "* text"), a numbered item ("1. text").
QUOTE_LINE = re.compile(r"^[ \t]*>[ \t]?(.*)$")
BULLET_LINE = re.compile(r"^[ \t]*[-*][ \t]+(\S.*)$")
NUMBER_LINE = re.compile(r"^[ \t]*(\d{1,9})[.)][ \t]+(\S.*)$")
#: Block user states (``QTextBlock.userState()``) of code blocks and quotes.
CODE_BLOCK = 1
QUOTE_BLOCK = 2

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


def plain_text(text: str) -> str:
    """``text`` with its marks dropped: ``**bold**`` → ``bold``, `` `code` `` → ``code``,
    a fenced block → its lines as typed, ``> quote`` → ``quote``, ``- item`` → ``• item``,
    and shortcodes as their emoji. Links stay as they are (``_`` and ``*`` in one are not
    marks), and so does everything inside a code block, as the window shows it.
    """
    out: list[str] = []
    position = 0
    for fence in FENCE.finditer(text):
        out.append(_plain_prose(text[position : fence.start()]))
        out.append(fence.group(1).strip("\n"))
        position = fence.end()
    out.append(_plain_prose(text[position:]))
    return "".join(out)


def _plain_prose(text: str) -> str:
    """Text outside code blocks: its lines, then its inline code (kept literal)."""
    joined = "\n".join(_plain_line(line) for line in text.split("\n"))
    out: list[str] = []
    position = 0
    for code in INLINE_CODE.finditer(joined):
        out.append(_plain_styled(joined[position : code.start()]))
        out.append(code.group(1))
        position = code.end()
    out.append(_plain_styled(joined[position:]))
    return "".join(out)


def _plain_line(line: str) -> str:
    """A quote's line without its ``>``, a bullet's with a bullet (numbers stay)."""
    if quote := QUOTE_LINE.match(line):
        line = quote.group(1)
    if bullet := BULLET_LINE.match(line):
        line = "• " + bullet.group(1)
    return line


def _plain_styled(text: str) -> str:
    out: list[str] = []
    position = 0
    for link in URL.finditer(text):
        out.append(_plain_emphasis(text[position : link.start()]))
        out.append(link.group())
        position = link.end()
    out.append(_plain_emphasis(text[position:]))
    return "".join(out)


def _plain_emphasis(text: str) -> str:
    text = BOLD.sub(r"\1", text)
    text = ITALIC.sub(lambda m: m.group(1) or m.group(2), text)
    return SHORTCODE.sub(lambda m: EMOJI.get(m.group(1), m.group()), text)
