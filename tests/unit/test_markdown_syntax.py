"""Plain text of a message, for notifications: the marks go, the words and links stay."""

from __future__ import annotations

import pytest

from desktopchat.markdown_syntax import plain_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes, **all green**.", "Yes, all green."),
        ("*really* _now_", "really now"),
        ("run `make **bundle**` first", "run make **bundle** first"),  # code stays literal
        ("```python\nprint(1)\n```", "print(1)"),
        ("```\n_x_ > q\n- y :tada:\n```", "_x_ > q\n- y :tada:"),  # code stays as typed
        ("use `a` ```\ncode with ` tick\n``` and `b`", "use a code with ` tick and b"),
        ("> quoted\nreply", "quoted\nreply"),
        ("- one\n* two\n1. three", "• one\n• two\n1. three"),
        ("see https://example.org/a_b_c*d*", "see https://example.org/a_b_c*d*"),
        ("ship it :rocket: :nope:", "ship it 🚀 :nope:"),
        ("ratio 1:100:1000, (:100:)", "ratio 1:100:1000, (💯)"),  # not inside a number
        ("a * b * c and snake_case_name", "a * b * c and snake_case_name"),
        ("<b>not html</b> & more", "<b>not html</b> & more"),  # plain text is not escaped
        ("", ""),
    ],
)
def test_plain_text_drops_the_marks(text: str, expected: str) -> None:
    assert plain_text(text) == expected
