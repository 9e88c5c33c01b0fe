"""Message text to rich text: everything the sender wrote is escaped; only our tags are added.

The seed put message text into its page as HTML. Here a hostile message must come out as
its literal characters — checked both on the produced HTML and on what Qt's rich-text
engine makes of it (``QTextDocument.toPlainText()``: what the user sees).
"""

from __future__ import annotations

import re

import pytest
from PySide6.QtGui import QFont, QTextDocument, QTextListFormat
from pytestqt.qtbot import QtBot

from desktopchat.ui import markup
from desktopchat.ui.markup import EMOJI, is_plain, to_html
from tests.ui.conftest import QT_CLEAN

pytestmark = QT_CLEAN

#: Tags ``to_html`` may produce; anything else in its output came from the sender.
OUR_TAGS = {"a", "b", "i", "code", "pre", "br", "span", "blockquote", "ul", "ol", "li"}
#: The only attributes our tags carry besides a link's href: block states, a list's start.
OUR_ATTRIBUTES = {
    "pre": re.compile(rf'style="-qt-user-state: {markup.CODE_BLOCK}"'),
    "blockquote": re.compile(rf'style="-qt-user-state: {markup.QUOTE_BLOCK}"'),
    "ol": re.compile(r'start="\d+"'),
}
TAG = re.compile(r"<\s*(/?)\s*([a-zA-Z][a-zA-Z0-9]*)([^>]*)>")


def rendered(html: str) -> str:
    """What Qt shows for ``html``: the plain text of a QTextDocument holding it."""
    document = QTextDocument()
    document.setHtml(html)
    return document.toPlainText()


def links(html: str) -> list[str]:
    """The anchors Qt finds in ``html`` (hrefs as Qt parsed them)."""
    document = QTextDocument()
    document.setHtml(html)
    found = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            if fragment.charFormat().isAnchor():
                found.append(fragment.charFormat().anchorHref())
            iterator += 1
        block = block.next()
    return found


def styled_runs(html: str) -> list[tuple[str, str]]:
    """``(text, style)`` runs of the document Qt builds: style letters ``b``, ``i``, or ``code``."""
    document = QTextDocument()
    document.setHtml(html)
    runs: list[tuple[str, str]] = []
    block = document.begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fragment = iterator.fragment()
            char = fragment.charFormat()
            style = (
                "code"
                if char.fontFixedPitch() or "monospace" in (char.fontFamilies() or [])
                else ("b" if char.fontWeight() >= QFont.Weight.Bold else "")
                + ("i" if char.fontItalic() else "")
            )
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + fragment.text(), style)
            else:
                runs.append((fragment.text(), style))
            iterator += 1
        block = block.next()
    return runs


def blocks(html: str, state: int) -> list[str]:
    """The text of each block of ``html`` whose user state is ``state`` (code, quote)."""
    document = QTextDocument()
    document.setHtml(html)
    found = []
    block = document.begin()
    while block.isValid():
        if block.userState() == state:
            found.append(block.text().replace("\u2028", "\n"))
        block = block.next()
    return found


def code_blocks(html: str) -> list[str]:
    """The code blocks the delegate paints a box behind."""
    return blocks(html, markup.CODE_BLOCK)


def tags(html: str) -> list[tuple[str, str]]:
    """``(name, attributes)`` of every tag in ``html``; closing tags are named ``/name``."""
    return [(m.group(1) + m.group(2).lower(), m.group(3).strip()) for m in TAG.finditer(html)]


# ------------------------------------------------------------------------ hostile text

#: Messages written to break out of the text; each must render as exactly itself.
HOSTILE = [
    "<script>alert(1)</script><b>x</b>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">click</a>',
    "<iframe src=//evil.example></iframe>",
    "<style>body{display:none}</style>hidden?",
    "</pre></code></a></b><h1>big</h1>",
    "<!-- comment --> <![CDATA[ x ]]>",
    '<div style="position:fixed;top:0">overlay</div>',
    "javascript:alert(document.cookie)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "&lt;b&gt;not bold&lt;/b&gt; &amp; &#60;script&#62; &quot;",
    "&nbsp;&copy;&#x27;",
    "5 > 3 && 2 < 4",
    "'single' and \"double\" quotes",
]


def foreign_markup(html: str) -> list[str]:
    """Whatever in ``html`` is not one of our tags: a tag, attribute or bracket of the sender."""
    found = []
    for match in TAG.finditer(html):
        name, attributes = match.group(2).lower(), match.group(3).strip()
        if (
            name not in OUR_TAGS
            or (
                name == "a"
                and attributes
                and not re.fullmatch(r'href="https?://[^"<>]*"', attributes)
            )
            or (
                name not in ("a", "span")
                and attributes
                and not (name in OUR_ATTRIBUTES and OUR_ATTRIBUTES[name].fullmatch(attributes))
            )
        ):
            found.append(match.group())
    rest = TAG.sub("", html)
    found.extend(char for char in rest if char in "<>")
    return found


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_renders_as_itself(qtbot: QtBot, text: str) -> None:
    html = to_html(text)
    assert rendered(html) == text
    assert links(html) == []


@pytest.mark.parametrize("text", HOSTILE)
def test_no_tag_of_the_sender_survives(text: str) -> None:
    html = to_html(text)
    assert foreign_markup(html) == []
    assert [name for name, _ in tags(html)] in ([], ["span", "/span"])


def test_the_seed_injection_is_shown_literally(qtbot: QtBot) -> None:
    """The exact message that ran script in the seed's page."""
    text = "<script>alert(1)</script><b>x</b>"
    html = to_html(text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;" in html
    assert foreign_markup(html) == []
    assert rendered(html) == text


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script> see https://example.com/",
        "<img src=x onerror=alert(1)> :smile:",
        "<b>not bold</b> `<i>code</i>`",
        "line one <script>\n</script> line two https://example.org/a?b=1&c=2",
    ],
)
def test_hostile_text_beside_our_markup_still_renders_literally(qtbot: QtBot, text: str) -> None:
    html = to_html(text)
    assert not is_plain(text)  # the rich path, where Qt interprets the HTML
    shown = rendered(html).replace(EMOJI["smile"], ":smile:").replace("`", "")
    assert shown == text.replace("`", "")
    assert foreign_markup(html) == []


# ------------------------------------------------------------------------------ links


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("see https://example.com/path?q=1 now", "https://example.com/path?q=1"),
        ("http://example.org", "http://example.org"),
        ("(https://example.com/x)", "https://example.com/x"),
        ("end of sentence https://example.com/a.", "https://example.com/a"),
        ("https://example.com/?a=1&b=2", "https://example.com/?a=1&b=2"),
        ("https://example.com/a_b_c-d~e", "https://example.com/a_b_c-d~e"),
    ],
)
def test_http_and_https_urls_become_links(qtbot: QtBot, text: str, url: str) -> None:
    html = to_html(text)
    assert links(html) == [url]
    assert rendered(html) == text


@pytest.mark.parametrize(
    "text",
    [
        "javascript:alert(1)",
        "JavaScript://%0Aalert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "xhttps://example.com",
        "mailto:someone@example.com",
    ],
)
def test_other_schemes_are_not_linked(qtbot: QtBot, text: str) -> None:
    html = to_html(text)
    assert links(html) == []
    assert "<a" not in html
    assert rendered(html) == text


@pytest.mark.parametrize(
    ("text", "url", "rest"),
    [
        ('https://example.com/"onmouseover="alert(1)', "https://example.com/", '"onmouseover'),
        ("https://example.com/'onclick='alert(1)", "https://example.com/", "'onclick"),
        ('https://example.com/"><script>alert(1)</script>', "https://example.com/", "<script>"),
        ("https://example.com/<img src=x>", "https://example.com/", "<img"),
    ],
)
def test_quotes_and_brackets_end_a_url(qtbot: QtBot, text: str, url: str, rest: str) -> None:
    """A quote cannot close the href attribute: it ends the URL and is shown as text."""
    html = to_html(text)
    assert links(html) == [url]
    assert rendered(html) == text
    assert [a for name, a in tags(html) if name == "a"] == [f'href="{url}"']
    assert foreign_markup(html) == []
    assert rest in rendered(html)


def test_a_link_is_shown_as_its_own_address(qtbot: QtBot) -> None:
    html = to_html("go to https://example.com/a?x=1&y=2")
    assert '<a href="https://example.com/a?x=1&amp;y=2">https://example.com/a?x=1&amp;y=2</a>' in (
        html
    )


def test_markdown_inside_a_url_is_not_applied(qtbot: QtBot) -> None:
    html = to_html("https://example.com/_a_/*b*/c")
    assert links(html) == ["https://example.com/_a_/*b*/c"]
    assert "<i>" not in html


# --------------------------------------------------------------------------- markdown


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("**bold**", [("bold", "b")]),
        ("*italic*", [("italic", "i")]),
        ("_italic_", [("italic", "i")]),
        ("`code`", [("code", "code")]),
        ("a **b** c", [("a ", ""), ("b", "b"), (" c", "")]),
        (
            "**bold *and italic* inside**",
            [("bold ", "b"), ("and italic", "bi"), (" inside", "b")],
        ),
        ("*italic with **bold** in it*", [("italic with ", "i"), ("bold", "bi"), (" in it", "i")]),
        (
            "**x** and `y` and _z_",
            [("x", "b"), (" and ", ""), ("y", "code"), (" and ", ""), ("z", "i")],
        ),
    ],
)
def test_the_markdown_subset(qtbot: QtBot, text: str, runs: list[tuple[str, str]]) -> None:
    assert styled_runs(to_html(text)) == runs


def test_a_line_break_is_kept(qtbot: QtBot) -> None:
    html = to_html("one\n**two**")
    assert "<br>" in html
    assert rendered(html) == "one\ntwo"


@pytest.mark.parametrize(
    "text",
    [
        "snake_case_name",
        "2*3*4 = 24",
        "a * b * c",
        "file_name_v2.txt",
        "unclosed **bold",
        "`unclosed code",
    ],
)
def test_text_that_only_looks_like_markdown_stays_as_typed(qtbot: QtBot, text: str) -> None:
    html = to_html(text)
    assert styled_runs(html) == [(text, "")]
    assert rendered(html) == text


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("`<b>**not bold**</b>`", "<b>**not bold**</b>"),
        ("`:smile: https://example.com`", ":smile: https://example.com"),
        ("`_x_ &amp;`", "_x_ &amp;"),
    ],
)
def test_inline_code_keeps_its_content_literal(qtbot: QtBot, text: str, shown: str) -> None:
    html = to_html(text)
    assert styled_runs(html) == [(shown, "code")]
    assert rendered(html) == shown
    assert links(html) == []


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "```\n<script>alert(1)</script>\n**x** _y_ :smile:\n```",
            ("<script>alert(1)</script>\n**x** _y_ :smile:"),
        ),
        (
            "```python\ndef f(a, b):\n    return a * b * 2\n```",
            ("def f(a, b):\n    return a * b * 2"),
        ),
        ("```\nhttps://example.com/ stays text\n```", "https://example.com/ stays text"),
        ("```hello```", "hello"),
        ("```print(1)```", "print(1)"),
        ("```x = a_b_c```", "x = a_b_c"),
    ],
)
def test_code_blocks_keep_their_content_literal(qtbot: QtBot, text: str, shown: str) -> None:
    html = to_html(text)
    assert f'<pre style="-qt-user-state: {markup.CODE_BLOCK}">' in html
    assert [name for name, _ in tags(html) if name not in ("span", "/span", "br")] == [
        "pre",
        "/pre",
    ]
    assert foreign_markup(html) == []
    assert rendered(html) == shown
    assert links(html) == []
    assert code_blocks(html) == [shown], "one block, so one rounded box is painted"


def test_text_around_a_code_block_is_still_formatted(qtbot: QtBot) -> None:
    html = to_html("before **b**\n```\n**raw**\n```\nafter https://example.com")
    assert "before <b>b</b>" in html
    assert ">**raw**</pre>" in html
    assert links(html) == ["https://example.com"]
    lines = [line for line in rendered(html).split("\n") if line]
    assert lines == ["before b", "**raw**", "after https://example.com"]


# ----------------------------------------------------------------------------- emoji


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (":smile:", "😄"),
        ("good :+1:", "good 👍"),
        (":tada: :rocket:", "🎉 🚀"),
        ("**:fire:**", "🔥"),
    ],
)
def test_known_shortcodes_become_emoji(qtbot: QtBot, text: str, shown: str) -> None:
    assert rendered(to_html(text)) == shown


@pytest.mark.parametrize(
    "text",
    [":not_an_emoji:", ":SMILE:", "time 10:30:45", "::", "ratio 1:100:1000", "a:fire:b"],
)
def test_unknown_shortcodes_stay_as_typed(qtbot: QtBot, text: str) -> None:
    assert rendered(to_html(text)) == text


def test_every_shortcode_in_the_table_is_replaced(qtbot: QtBot) -> None:
    for name, emoji in markup.EMOJI.items():
        assert rendered(to_html(f"<{name}> :{name}:")) == f"<{name}> {emoji}", name


# ------------------------------------------------------------------------- fast path


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("hello there", True),
        ("<script>alert(1)</script><b>x</b>", True),  # drawn as text, never as HTML
        ("price: 5 & up", True),
        ("**bold**", False),
        ("`code`", False),
        ("see http://example.com", False),
        ("nice :smile:", False),
        ("snake_case", False),  # might be markup: rendered through to_html, harmlessly
        ("> a quote", False),
        ("list:\n- one", False),
        ("steps:\n1. first", False),
        ("5 > 3 - 1", True),  # neither starts a line
    ],
)
def test_is_plain_says_when_text_needs_no_rich_rendering(text: str, plain: bool) -> None:
    assert is_plain(text) is plain


@pytest.mark.parametrize("text", ["hello there", "price: 5 & up", "a < b > c", "x\ny"])
def test_plain_text_renders_the_same_through_to_html(qtbot: QtBot, text: str) -> None:
    """The fast path and the rich path agree for text without markup."""
    assert is_plain(text)
    assert rendered(to_html(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "**Note**:  two spaces after the colon",
        "name\tvalue `x`",
        "  indented *line*",
        "ascii art :smile:   <- three spaces",
    ],
)
def test_rich_text_keeps_the_spaces_and_tabs_as_typed(qtbot: QtBot, text: str) -> None:
    """Markup elsewhere in a message must not change its spacing (plain text keeps it)."""
    shown = rendered(to_html(text))
    assert re.sub(r"[*`]|" + EMOJI["smile"], "", shown) == re.sub(r"[*`]|:smile:", "", text)


# ---------------------------------------------------------------------- quotes, lists


def list_items(html: str) -> list[tuple[str, str]]:
    """``(style, text)`` of each list item Qt builds: style is "disc" or "decimal"."""
    document = QTextDocument()
    document.setHtml(html)
    found = []
    block = document.begin()
    while block.isValid():
        text_list = block.textList()
        if text_list is not None:
            style = text_list.format().style()
            kind = "decimal" if style == QTextListFormat.Style.ListDecimal else "disc"
            found.append((kind, block.text()))
        block = block.next()
    return found


def test_a_quote_is_one_block_with_a_bar(qtbot: QtBot) -> None:
    html = to_html("> first line\n> **second** line\nafter")
    assert blocks(html, markup.QUOTE_BLOCK) == ["first line\nsecond line"]
    assert rendered(html) == "first line\nsecond line\nafter"
    assert foreign_markup(html) == []


def test_bullets_and_numbers_become_lists(qtbot: QtBot) -> None:
    html = to_html("todo:\n- one\n* two `x`\n3. third\n4. fourth")
    assert list_items(html) == [
        ("disc", "one"),
        ("disc", "two x"),
        ("decimal", "third"),
        ("decimal", "fourth"),
    ]
    assert 'start="3"' in html  # numbering starts where the sender's did
    assert rendered(html).startswith("todo:\n")
    assert foreign_markup(html) == []


@pytest.mark.parametrize(
    "text",
    [
        "> <script>alert(1)</script>",
        "- <img src=x onerror=alert(1)>",
        "1. </li></ol><h1>big</h1>",
        '> <a href="javascript:alert(1)">x</a>',
        "- </blockquote><b>not bold</b>",
        "```\n</pre><i>x</i>\n```",
    ],
)
def test_hostile_text_in_quotes_lists_and_code_stays_text(qtbot: QtBot, text: str) -> None:
    html = to_html(text)
    assert not is_plain(text)
    assert foreign_markup(html) == []
    assert links(html) == []
    shown = rendered(html)
    body = re.sub(r"^(?:> |- |1\. |```\n)", "", text).removesuffix("\n```")
    assert shown == body


@pytest.mark.parametrize("text", ["-1 is negative", "*not a list*", "5 > 3", "1.5 litres", ">"])
def test_text_that_only_looks_like_a_block_is_not_one(qtbot: QtBot, text: str) -> None:
    html = to_html(text)
    assert list_items(html) == []
    if text != ">":
        assert blocks(html, markup.QUOTE_BLOCK) == []


def test_a_blank_line_beside_a_block_adds_no_empty_line(qtbot: QtBot) -> None:
    """The block's margin separates it already; an extra empty line looked like a gap."""
    html = to_html("> quoted\n\nThen the list:\n\n- one\n\nafter")
    assert rendered(html) == "quoted\nThen the list:\none\nafter"
    assert rendered(to_html("one\n\ntwo")) == "one\n\ntwo"
