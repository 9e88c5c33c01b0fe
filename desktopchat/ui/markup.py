"""Message text to display markup — escaped first, so text is never interpreted as HTML.

The seed appended ``'<p>' + data.msg + '</p>'`` into its page: a script injection. Here
every character of the text is HTML-escaped before anything else happens; only then are
our own tags added for a small markdown subset: ``**bold**``, ``*italic*``/``_italic_``,
`` `code` ``, fenced code blocks, ``> quotes`` and ``-``/``*``/``1.`` lists; links
(``http(s)://``, shown and clickable) and a few ``:emoji:`` shortcodes. Qt's rich-text
engine never sees a tag the sender wrote.

Code blocks and quotes carry a block user state (:data:`CODE_BLOCK`, :data:`QUOTE_BLOCK`,
Qt's ``-qt-user-state``) so the delegate can find them in the laid-out document and paint
what Qt's rich text cannot: a rounded, bordered code box and a quote bar.
"""

from __future__ import annotations

import html

from desktopchat import markdown_syntax as syntax
from desktopchat.markdown_syntax import CODE_BLOCK, EMOJI, QUOTE_BLOCK

__all__ = ["CODE_BLOCK", "EMOJI", "QUOTE_BLOCK", "is_plain", "to_html"]


def is_plain(text: str) -> bool:
    """Whether ``text`` renders as itself (no markup, link or shortcode): the fast path."""
    return syntax.RICH_HINTS.search(text) is None


def to_html(text: str) -> str:
    """Safe rich text for Qt: escaped text plus our own formatting tags only."""
    parts: list[str] = []
    position = 0
    for fence in syntax.FENCE.finditer(text):
        parts.append(_blocks(_trim_newline(text[position : fence.start()], before=True)))
        code = html.escape(fence.group(1).rstrip("\n"), quote=True).replace("\n", "<br>")
        # One block (lines joined by <br>), so the painted box is one rounded rectangle.
        parts.append(f'<pre style="-qt-user-state: {CODE_BLOCK}">{code}</pre>')
        position = fence.end()
        if text.startswith("\n", position):  # the block ends its line
            position += 1
    parts.append(_blocks(text[position:]))
    # Qt's rich text collapses runs of spaces and turns tabs into spaces unless told not to.
    return '<span style="white-space: pre-wrap">' + "".join(parts) + "</span>"


def _trim_newline(text: str, *, before: bool) -> str:
    """Without the newline that only ends the line before a block (the block breaks it)."""
    return text[:-1] if before and text.endswith("\n") else text


def _blocks(text: str) -> str:
    """Paragraph lines, quotes and lists of ``text`` (no code blocks in it)."""
    if not text:
        return ""
    out: list[str] = []
    paragraph: list[str] = []
    lines = text.split("\n")
    index = 0

    def flush_paragraph(before_block: bool) -> None:
        # A blank line between a paragraph and a block is the block's own margin already.
        while paragraph and before_block and not paragraph[-1].strip():
            paragraph.pop()
        while paragraph and out and not paragraph[0].strip():
            paragraph.pop(0)
        if paragraph:
            out.append(_inline("\n".join(paragraph)))
        paragraph.clear()

    while index < len(lines):
        line = lines[index]
        kind = _line_kind(line)
        if kind is None:
            paragraph.append(line)
            index += 1
            continue
        flush_paragraph(before_block=True)
        run: list[str] = []
        while index < len(lines) and _line_kind(lines[index]) == kind:
            run.append(lines[index])
            index += 1
        out.append(_block(kind, run))
    flush_paragraph(before_block=False)
    return "".join(out)


def _line_kind(line: str) -> str | None:
    if syntax.QUOTE_LINE.match(line):
        return "quote"
    if syntax.BULLET_LINE.match(line):
        return "bullet"
    if syntax.NUMBER_LINE.match(line):
        return "number"
    return None


def _block(kind: str, lines: list[str]) -> str:
    if kind == "quote":
        body = "\n".join(m.group(1) for line in lines if (m := syntax.QUOTE_LINE.match(line)))
        return f'<blockquote style="-qt-user-state: {QUOTE_BLOCK}">{_inline(body)}</blockquote>'
    if kind == "bullet":
        items = [m.group(1) for line in lines if (m := syntax.BULLET_LINE.match(line))]
        return "<ul>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + "</ul>"
    numbered = [m for line in lines if (m := syntax.NUMBER_LINE.match(line))]
    start = int(numbered[0].group(1))
    first = f' start="{start}"' if start != 1 else ""
    return f"<ol{first}>" + "".join(f"<li>{_inline(m.group(2))}</li>" for m in numbered) + "</ol>"


def _inline(text: str) -> str:
    """Inline code first (its content stays literal), then the rest."""
    out: list[str] = []
    position = 0
    for code in syntax.INLINE_CODE.finditer(text):
        out.append(_styled(text[position : code.start()]))
        out.append(f"<code>{html.escape(code.group(1), quote=True)}</code>")
        position = code.end()
    out.append(_styled(text[position:]))
    return "".join(out)


def _styled(text: str) -> str:
    """Links found in the raw text (so quotes and brackets end them), the rest emphasised."""
    out: list[str] = []
    position = 0
    for link in syntax.URL.finditer(text):
        out.append(_emphasis(text[position : link.start()]))
        url = html.escape(link.group(), quote=True)
        out.append(f'<a href="{url}">{url}</a>')
        position = link.end()
    out.append(_emphasis(text[position:]))
    return "".join(out)


def _emphasis(text: str) -> str:
    escaped = html.escape(text, quote=True)
    escaped = syntax.BOLD.sub(r"<b>\1</b>", escaped)
    escaped = syntax.ITALIC.sub(lambda m: f"<i>{m.group(1) or m.group(2)}</i>", escaped)
    escaped = syntax.SHORTCODE.sub(lambda m: EMOJI.get(m.group(1), m.group()), escaped)
    return escaped.replace("\n", "<br>")
