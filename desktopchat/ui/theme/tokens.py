"""The design tokens: every colour, space, radius and size the window uses, in one place.

Light and dark are two :class:`Colours` built from the same names, so a widget asks for
``colours.text_muted`` and gets the right one in either scheme. Nothing else in the app
writes a colour literal (a test greps for them). The values are plain hex strings, not Qt
objects, so contrast can be checked without a QApplication (:func:`contrast`).

Why these values: text and muted text clear WCAG AA (4.5:1) on every surface they sit on,
white on the accent does too (buttons, the selected room, the mention pill), and the
avatar colours clear it against white initials. ``tests/ui/test_theme_tokens.py`` computes
every pair, so a change that breaks contrast fails the suite.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Colours:
    """One scheme's colours, by what they are for (not by what they look like)."""

    dark: bool
    #: Chrome: header, dialogs, the window behind everything.
    window: str
    #: The room list's background, a step away from the conversation.
    sidebar: str
    #: The conversation and other content surfaces (lists, text fields' page).
    surface: str
    #: Inputs, cards, menus and popups: raised off the surface.
    raised: str
    #: Hairlines between areas; input outlines.
    border: str
    border_strong: str
    text: str
    #: Times, topics, hints, "(edited)", pending rows, section titles.
    text_muted: str
    #: Disabled controls' text (exempt from the contrast rule, as WCAG allows).
    text_disabled: str
    #: A row under the pointer (sidebar, menus) and a message row under the pointer.
    hover: str
    row_hover: str
    accent: str
    accent_hover: str
    #: Text or icons on an ``accent`` fill (primary buttons, the selected room, pills).
    on_accent: str
    #: The accent used as text on ``surface``/``sidebar`` (mentions, active section).
    accent_text: str
    link: str
    #: Unread-count pill (a mention pill is ``accent``).
    pill: str
    on_pill: str
    code_background: str
    code_text: str
    code_border: str
    quote_bar: str
    #: The "New messages" divider and destructive actions.
    danger: str
    #: A mention of you: the row's tint.
    mention_background: str
    #: The connection bar, one pair per mood: offline/failed, connecting, information.
    bar_offline: str
    on_bar_offline: str
    bar_connecting: str
    on_bar_connecting: str
    bar_info: str
    on_bar_info: str
    scrollbar: str
    scrollbar_hover: str
    tooltip: str
    on_tooltip: str
    #: Keyboard focus ring.
    focus: str
    #: Presence dots.
    online: str
    #: A modal overlay's veil (with alpha: #AARRGGBB, Qt's order).
    veil: str


LIGHT = Colours(
    dark=False,
    window="#ffffff",
    sidebar="#f3f4f6",
    surface="#ffffff",
    raised="#ffffff",
    border="#e3e5e9",
    border_strong="#c4c8cf",
    text="#1d1f23",
    text_muted="#5c636e",
    text_disabled="#8e949e",
    hover="#e6e8ec",
    row_hover="#f6f7f9",
    accent="#3b5bdb",
    accent_hover="#3451c6",
    on_accent="#ffffff",
    accent_text="#2c48b8",
    link="#1f56c2",
    pill="#5c636e",
    on_pill="#ffffff",
    code_background="#f2f3f5",
    code_text="#b0264f",
    code_border="#e1e3e8",
    quote_bar="#c4c8cf",
    danger="#c5302c",
    mention_background="#fff6da",
    bar_offline="#fdeceb",
    on_bar_offline="#8a1d1a",
    bar_connecting="#fff3d6",
    on_bar_connecting="#6b4700",
    bar_info="#e8eefc",
    on_bar_info="#213f8d",
    scrollbar="#c9cdd3",
    scrollbar_hover="#a9aeb7",
    tooltip="#1d1f23",
    on_tooltip="#ffffff",
    focus="#3b5bdb",
    online="#2b9a4a",
    veil="#66101216",
)

DARK = Colours(
    dark=True,
    window="#1d1f23",
    sidebar="#16181b",
    surface="#1d1f23",
    raised="#272a30",
    border="#2d3138",
    border_strong="#464b55",
    text="#e4e6ea",
    text_muted="#9ba2ad",
    text_disabled="#636974",
    hover="#262a30",
    row_hover="#22252a",
    accent="#4263eb",
    accent_hover="#3756d8",
    on_accent="#ffffff",
    accent_text="#92a8ff",
    link="#8ab4f8",
    pill="#565d68",
    on_pill="#ffffff",
    code_background="#272a30",
    code_text="#f291b4",
    code_border="#353a42",
    quote_bar="#4a505a",
    danger="#f07070",
    mention_background="#3a3320",
    bar_offline="#3b2023",
    on_bar_offline="#ffc0bd",
    bar_connecting="#3a3120",
    on_bar_connecting="#ffd98f",
    bar_info="#1f2a46",
    on_bar_info="#bccbff",
    scrollbar="#40454e",
    scrollbar_hover="#565c67",
    tooltip="#e4e6ea",
    on_tooltip="#1d1f23",
    focus="#8ea4ff",
    online="#43b866",
    veil="#99000000",
)


def scheme(dark: bool) -> Colours:
    """The dark or the light colours."""
    return DARK if dark else LIGHT


def colour_names() -> list[str]:
    """Every colour token's name (for tests and the palette)."""
    return [f.name for f in fields(Colours) if f.name != "dark"]


#: Initials' backgrounds; white initials clear 4.5:1 on each. Picked per user by a hash.
AVATAR_COLOURS = (
    "#c0392b",
    "#b9470b",
    "#8a6d00",
    "#2e7d32",
    "#00796b",
    "#0f6fa8",
    "#3949ab",
    "#6a3fb5",
    "#a0357a",
    "#5d6470",
)
ON_AVATAR = "#ffffff"


def avatar_colour(key: str) -> str:
    """A colour for ``key`` (a user id or name): stable across runs and machines."""
    return AVATAR_COLOURS[zlib.crc32(key.encode("utf-8")) % len(AVATAR_COLOURS)]


#: The tray badge over the app icon (the same on light and dark panels).
BADGE = "#e01e5a"
ON_BADGE = "#ffffff"


# ------------------------------------------------------------------- metrics


class Space:
    """The spacing scale, in device-independent pixels: use these, never a stray 7."""

    XXS = 2
    XS = 4
    S = 8
    M = 12
    L = 16
    XL = 24
    XXL = 32


class Radius:
    """Corner radii: small (code, pills' inner), medium (buttons, rows), large (inputs)."""

    S = 4
    M = 6
    L = 10
    PILL = 999


class Size:
    """Fixed sizes of the layout."""

    SIDEBAR = 240
    SIDEBAR_MIN = 180
    SIDEBAR_MAX = 420
    MEMBERS = 220
    #: The right end of a sidebar row, where the unread pill sits.
    PILL_AREA = 48
    MEMBERS_MIN = 120
    #: Narrower than sidebar + members + this, the members panel steps aside.
    CONVERSATION_MIN = 480
    #: The readable column of message text (a line of ~90 characters at the body size).
    TEXT_COLUMN = 760
    AVATAR = 36
    #: Members and the quick switcher.
    AVATAR_SMALL = 24
    #: The composer grows to this many lines, then scrolls.
    COMPOSER_LINES = 8
    #: A message taller than this many lines is collapsed behind "Show more".
    COLLAPSE_LINES = 18
    FOCUS_RING = 2
    #: The Ctrl+K panel's width at most, and how many matches it shows before scrolling.
    SWITCHER_WIDTH = 560
    SWITCHER_ROWS = 8
    #: The emoji picker: columns of its grid and each cell's side.
    EMOJI_COLUMNS = 8
    EMOJI_CELL = 36
    #: Dialogs are at least this wide, so short ones do not look like a stray pop-up.
    DIALOG_MIN_WIDTH = 420
    #: A combo box's down arrow: its width (drawn in the field's text colour).
    COMBO_ARROW = 10


class Font:
    """Font sizes in points, relative to the body size the platform gives (or 10 pt)."""

    #: Body text never below this: 9 pt (a bare X11 default) reads small on a modern screen.
    BODY_MIN_PT = 10.0
    CAPTION = 0.85
    TITLE = 1.25
    HEADING = 1.08


def body_point_size(platform_pt: float) -> float:
    """The body size: the platform's, but at least :attr:`Font.BODY_MIN_PT`."""
    return max(platform_pt, Font.BODY_MIN_PT) if platform_pt > 0 else Font.BODY_MIN_PT


# ------------------------------------------------------------------- contrast


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    text = colour.lstrip("#")[-6:]
    r, g, b = (int(text[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two opaque colours (1..21)."""
    a, b = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)


#: (text, background) pairs that carry text in the window: each must reach 4.5:1.
TEXT_PAIRS = (
    ("text", "window"),
    ("text", "sidebar"),
    ("text", "surface"),
    ("text", "raised"),
    ("text", "hover"),
    ("text", "row_hover"),
    ("text", "mention_background"),
    ("text_muted", "window"),
    ("text_muted", "sidebar"),
    ("text_muted", "surface"),
    ("text_muted", "raised"),
    ("text_muted", "hover"),
    ("text_muted", "row_hover"),
    ("on_accent", "accent"),
    ("on_accent", "accent_hover"),
    ("accent_text", "surface"),
    ("accent_text", "sidebar"),
    ("link", "surface"),
    ("link", "row_hover"),
    ("on_pill", "pill"),
    ("code_text", "code_background"),
    ("text", "code_background"),
    ("danger", "surface"),
    ("on_bar_offline", "bar_offline"),
    ("on_bar_connecting", "bar_connecting"),
    ("on_bar_info", "bar_info"),
    ("on_tooltip", "tooltip"),
)
