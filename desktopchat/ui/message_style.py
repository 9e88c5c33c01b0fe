"""The message list's metrics and rich-text style, from the design tokens.

One place says how far apart things are in a message row (the vertical rhythm between
groups and continuation rows, the avatar gutter, the readable column) so the delegate,
the view and the hover actions agree. Everything is a :class:`~desktopchat.ui.theme.Space`
/ :class:`~desktopchat.ui.theme.Size` token or a sum of them: no stray 7.
"""

from __future__ import annotations

from desktopchat.ui.theme.tokens import Colours, Radius, Size, Space

#: The avatar column: a margin, the avatar, a gap; message text starts after it.
AVATAR_LEFT = Space.L
GUTTER = AVATAR_LEFT + Size.AVATAR + Space.M
#: Right of the text, inside the column.
RIGHT_PAD = Space.L
#: The widest a message row's content gets: the gutter, the text column, the right pad.
COLUMN_MAX = GUTTER + Size.TEXT_COLUMN + RIGHT_PAD
#: Whether a column narrower than the view is centred in it, or sits at the left. Left:
#: the header's title and the composer start at the left too, so on a wide screen the
#: conversation lines up with them instead of floating between them.
CENTRED = False
#: Space between the view's edges and the column.
EDGE = Space.S
#: Above a row that starts a group (author, avatar, time) and above a continuation row.
GROUP_TOP = Space.S + Space.XS
CONTINUATION_TOP = Space.XXS
#: Between the author line and the text; below the last line of every row.
HEADER_GAP = Space.XXS
BOTTOM = Space.XXS
#: The day separator and the "New messages" divider above a row.
DAY_HEIGHT = Space.XXL + Space.XS
UNREAD_HEIGHT = Space.XL
#: The "Show more" / "Show less" line under a long message.
TOGGLE_GAP = Space.XS
#: Inside a code block's rounded box: text inset from its edges (margins in the CSS).
CODE_INSET_X = Space.S + Space.XXS
CODE_INSET_Y = Space.XS + Space.XXS
CODE_RADIUS = Radius.M
#: A quote's bar and the indent of its text.
QUOTE_BAR = 3
QUOTE_INDENT = Space.M + Space.XXS
#: Hover actions: button size and the toolbar's inset from the column's right edge.
ACTION_BUTTON = Space.XXL - Space.XS
ACTIONS_INSET = Space.L

SHOW_MORE = "Show more"
SHOW_LESS = "Show less"
NEW_MESSAGES = "New messages"


def document_css(c: Colours) -> str:
    """The default style sheet of rich message text for colours ``c``.

    Code blocks get no background here: the delegate paints their rounded, bordered box
    (Qt's rich text has no radius), and the block's margins inset the text inside it.
    Qt bakes colours into a QTextDocument when its HTML is set, so documents made under
    one scheme are made again under another (the delegate keys its cache on this text).
    """
    code_margin = (
        f"margin-left: {CODE_INSET_X}px; margin-right: {CODE_INSET_X}px;"
        f" margin-top: {CODE_INSET_Y + Space.XXS}px; margin-bottom: {CODE_INSET_Y + Space.XXS}px;"
    )
    return (
        "pre, code { font-family: monospace; }"
        f" code {{ background-color: {c.code_background}; color: {c.code_text}; }}"
        f" pre {{ white-space: pre-wrap; color: {c.text}; {code_margin} }}"
        f" blockquote {{ color: {c.text_muted}; margin-left: {QUOTE_INDENT}px;"
        f" margin-right: 0px; margin-top: {Space.XXS}px; margin-bottom: {Space.XXS}px; }}"
        f" ul, ol {{ margin-top: {Space.XXS}px; margin-bottom: {Space.XXS}px; }}"
        f" a {{ color: {c.link}; text-decoration: underline; }}"
        f" .muted {{ color: {c.text_muted}; }}"
        f" .mention {{ color: {c.accent_text}; font-weight: 600; }}"
    )
