"""The design tokens: contrast in both schemes, and no colour decided outside the theme."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktopchat.ui.theme import tokens
from desktopchat.ui.theme.tokens import DARK, LIGHT, Colours, contrast

UI = Path(__file__).resolve().parents[2] / "desktopchat" / "ui"
#: A colour written in code: #rgb/#rrggbb/#aarrggbb literals, rgb()/rgba(), named Qt colours.
COLOUR_LITERAL = re.compile(
    r"""["']#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})["']"""
    r"|(?<![.\w])rgba?\("
    r"|Qt\.GlobalColor\.(?!transparent\b)\w+"
    r"|QColor\(\s*\d"
)


@pytest.mark.parametrize("colours", [LIGHT, DARK], ids=["light", "dark"])
@pytest.mark.parametrize(("text", "background"), tokens.TEXT_PAIRS)
def test_text_reaches_wcag_aa_contrast(colours: Colours, text: str, background: str) -> None:
    ratio = contrast(getattr(colours, text), getattr(colours, background))
    assert ratio >= 4.5, f"{text} on {background}: {ratio:.2f}:1 in the {colours.dark=} scheme"


@pytest.mark.parametrize("background", tokens.AVATAR_COLOURS)
def test_initials_are_readable_on_every_avatar_colour(background: str) -> None:
    assert contrast(tokens.ON_AVATAR, background) >= 4.5


def test_the_contrast_formula_matches_known_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # WCAG's AA grey


def test_light_and_dark_define_the_same_tokens_and_differ() -> None:
    names = tokens.colour_names()
    assert names, "no colour tokens"
    for name in names:
        light, dark = getattr(LIGHT, name), getattr(DARK, name)
        assert re.fullmatch(r"#(?:[0-9a-f]{6}|[0-9a-f]{8})", light), name
        assert re.fullmatch(r"#(?:[0-9a-f]{6}|[0-9a-f]{8})", dark), name
    assert tokens.luminance(LIGHT.surface) > 0.8
    assert tokens.luminance(DARK.surface) < 0.1


def test_the_avatar_colour_of_a_user_is_stable() -> None:
    assert tokens.avatar_colour("42") == tokens.avatar_colour("42")
    assert len({tokens.avatar_colour(str(n)) for n in range(100)}) == len(tokens.AVATAR_COLOURS)


def test_no_widget_module_writes_its_own_colour() -> None:
    """Every colour comes from ui/theme: a literal elsewhere would ignore the dark scheme."""
    offenders = []
    for path in sorted(UI.rglob("*.py")):
        if "theme" in path.relative_to(UI).parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if COLOUR_LITERAL.search(line):
                offenders.append(f"{path.relative_to(UI)}:{number}: {line.strip()}")
    assert not offenders, "colours outside the theme:\n" + "\n".join(offenders)


def test_the_literal_check_catches_what_it_should() -> None:
    for line in ('x = QColor("#d32f2f")', "c = 'rgba(0,0,0,10)'", "Qt.GlobalColor.red"):
        assert COLOUR_LITERAL.search(line), line
    assert not COLOUR_LITERAL.search("pixmap.fill(Qt.GlobalColor.transparent)")
    assert not COLOUR_LITERAL.search("key = background.rgba()")
