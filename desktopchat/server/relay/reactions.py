"""Which reactions the relay accepts: one emoji, given as itself or as a ``:shortcode:``.

The ``emoji`` package holds Unicode's emoji list (with skin tones, flags and ZWJ
sequences) and the shortcodes people type in Slack and GitHub, so the relay neither
keeps a table of its own nor lets arbitrary text (or a dozen emoji at once) be a chip.
"""

from __future__ import annotations

import emoji

#: Distinct emoji one message may carry; one more is refused (409), as in Slack.
MAX_DISTINCT_PER_MESSAGE = 20
#: Longest reaction accepted as given (a shortcode, or a long ZWJ family sequence).
MAX_INPUT_CHARS = 64


def normalise(raw: str) -> str | None:
    """``raw`` as the one emoji it names (``":thumbsup:"`` → 👍), or None if it names none.

    A text-style heart (U+2764 without VS16) and its emoji-style form are the same chip:
    both are stored fully qualified, so counts do not split between two spellings.
    """
    candidate = raw.strip()
    if not candidate or len(candidate) > MAX_INPUT_CHARS:
        return None
    if not emoji.is_emoji(candidate):
        candidate = emoji.emojize(candidate, language="alias")
        if not emoji.is_emoji(candidate):
            return None
    return _qualified(candidate)


def _qualified(glyph: str) -> str:
    """The fully-qualified spelling of ``glyph``: with VS16 where Unicode asks for it."""
    data = emoji.EMOJI_DATA.get(glyph)
    if data is not None and data.get("status") != emoji.STATUS["fully_qualified"]:
        with_vs16 = glyph + "\ufe0f"
        if with_vs16 in emoji.EMOJI_DATA:
            return with_vs16
    return glyph
