"""Avatars as people see them: round, initials on a colour of their own, crisp on HiDPI.

Assertions are on pixels: the corners of a round avatar are transparent, its middle is
its user's colour, its initials are white, and nothing else is painted (no identicon
blocks). A picture from the disk cache replaces the initials, clipped to the circle.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from pytestqt.qtbot import QtBot

from desktopchat.client.tasks import TaskRunner
from desktopchat.ui import theme
from desktopchat.ui.avatars import SIZE, AvatarCache, gravatar_or_nothing, initials
from desktopchat.ui.panels import MembersPanel
from desktopchat.ui.theme.tokens import ON_AVATAR, avatar_colour
from tests.ui.conftest import QT_CLEAN

pytestmark = QT_CLEAN


def near(a: QColor, b: QColor, tolerance: int = 24) -> bool:
    return (
        abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) <= tolerance
    )


def opaque_colours(image: QImage) -> list[QColor]:
    return [
        image.pixelColor(x, y)
        for y in range(image.height())
        for x in range(image.width())
        if image.pixelColor(x, y).alpha() == 255
    ]


@pytest.mark.parametrize(
    ("name", "letters"),
    [
        ("Ada Lovelace", "AL"),
        ("grace", "G"),
        ("Jean-Luc Picard", "JP"),
        ("  bob   the  builder ", "BB"),
        ("Élodie Ñúñez", "ÉÑ"),
        ("_", "?"),
        ("", "?"),
        ("李小龍", "李"),
        ("Wendy (web)", "W"),
        ("Ada Lovelace (web)", "AL"),
        ("(web)", "W"),
    ],
)
def test_initials_are_one_or_two_letters_of_the_name(name: str, letters: str) -> None:
    assert initials(name) == letters


@pytest.mark.parametrize("ratio", [1.0, 2.0])
def test_an_avatar_is_round_initials_on_the_users_colour(
    qtbot: QtBot, avatars: AvatarCache, ratio: float
) -> None:
    pixmap = avatars.pixmap(7, "/api/avatars/7.svg", "Ada Lovelace", ratio=ratio)
    # Drawn at the device's pixels, not scaled up from a 1x picture.
    assert pixmap.devicePixelRatio() == ratio
    assert pixmap.width() == pixmap.height() == round(SIZE * ratio)
    image = pixmap.toImage()
    last = image.width() - 1
    for x, y in ((0, 0), (last, 0), (0, last), (last, last)):
        assert image.pixelColor(x, y).alpha() == 0, "the corners are outside the circle"
    background = QColor(avatar_colour("7"))
    assert near(image.pixelColor(image.width() // 2, 2 * round(ratio)), background)
    assert near(image.pixelColor(2 * round(ratio), image.height() // 2), background)
    white = QColor(ON_AVATAR)
    opaque = opaque_colours(image)
    assert sum(near(p, white, 60) for p in opaque) > 6 * ratio * ratio, "no white initials"
    # Only the background, the white letters and their antialiased blend: no identicon
    # cells of another colour.
    assert all(
        near(p, background, 60) or near(p, white, 60) or _between(p, background, white)
        for p in opaque
    )


def _between(p: QColor, a: QColor, b: QColor) -> bool:
    """Whether ``p`` lies on the line from ``a`` to ``b`` (an antialiased edge)."""
    for t in range(11):
        mix = QColor(
            round(a.red() + (b.red() - a.red()) * t / 10),
            round(a.green() + (b.green() - a.green()) * t / 10),
            round(a.blue() + (b.blue() - a.blue()) * t / 10),
        )
        if near(p, mix, 30):
            return True
    return False


def test_people_get_different_colours_and_the_same_one_every_time(
    qtbot: QtBot, avatars: AvatarCache
) -> None:
    centre = {
        uid: avatars.pixmap(uid, "", f"user {uid}").toImage().pixelColor(SIZE // 2, 2).name()
        for uid in range(1, 9)
    }
    assert len(set(centre.values())) >= 5
    assert avatars.pixmap(3, "", "user 3").toImage().pixelColor(SIZE // 2, 2).name() == centre[3]


def test_avatars_are_the_same_in_light_and_dark(
    qtbot: QtBot, avatars: AvatarCache, restore_theme: None
) -> None:
    """White on the user's colour reads on either surface (the tokens check 4.5:1)."""
    pixels = {}
    for name in ("light", "dark"):
        theme.apply(name)
        pixels[name] = avatars.pixmap(5, "", "Eve").toImage()
    assert pixels["light"] == pixels["dark"]


def test_a_cached_picture_replaces_the_initials_clipped_round(
    qtbot: QtBot, tasks: TaskRunner, tmp_path: Path
) -> None:
    url = "https://www.gravatar.com/avatar/abc?d=identicon&s=128"
    fetched = gravatar_or_nothing(url)
    assert fetched is not None
    square = QPixmap(64, 64)
    square.fill(QColor(10, 200, 30))
    cache = AvatarCache(tmp_path / "cache", tasks)
    path = cache._path(fetched)  # what a finished download left on disk
    path.parent.mkdir(parents=True)
    image = square.toImage()
    assert image.save(str(path), "PNG")
    picture = cache.pixmap(9, url, "Zed", ratio=2.0).toImage()
    assert picture.width() == 2 * SIZE
    assert picture.pixelColor(0, 0).alpha() == 0
    assert near(picture.pixelColor(SIZE, SIZE), QColor(10, 200, 30))


@pytest.mark.parametrize(
    ("url", "fetched"),
    [
        (
            "https://www.gravatar.com/avatar/abc?d=identicon&s=128",
            "https://www.gravatar.com/avatar/abc?s=128&d=404",
        ),
        ("https://pics.example/me.png", "https://pics.example/me.png"),
        ("/api/avatars/3.svg", None),
        ("https://hub.example/api/avatars/3.svg", None),
        ("http://pics.example/me.png", None),
        ("", None),
    ],
)
def test_only_pictures_worth_fetching_are_fetched(url: str, fetched: str | None) -> None:
    """A Gravatar is asked for a 404 rather than a generated pattern: initials say more."""
    assert gravatar_or_nothing(url) == fetched


def test_nothing_is_downloaded_for_the_relays_generated_avatar(
    qtbot: QtBot, tasks: TaskRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[object] = []
    monkeypatch.setattr(tasks, "run", lambda *args, **kwargs: started.append(args))
    cache = AvatarCache(tmp_path / "cache", tasks)
    cache.pixmap(3, "https://hub.example/api/avatars/3.svg", "Carol")
    cache.pixmap(3, "/api/avatars/3.svg", "Carol")
    assert started == []
    cache.pixmap(3, "https://www.gravatar.com/avatar/abc?d=identicon", "Carol")
    assert len(started) == 1


def test_the_members_panel_shows_initials_avatars(qtbot: QtBot, avatars: AvatarCache) -> None:
    panel = MembersPanel(avatars)
    qtbot.addWidget(panel)
    panel.set_members({"4": {"display_name": "Dana Scully", "avatar_url": "/api/avatars/4.svg"}})
    icon = panel.item(0).icon().pixmap(SIZE, SIZE)
    rendered = QImage(icon.size(), QImage.Format.Format_ARGB32)
    rendered.fill(Qt.GlobalColor.transparent)
    painter = QPainter(rendered)
    painter.drawPixmap(0, 0, icon)
    painter.end()
    assert rendered.pixelColor(0, 0).alpha() == 0
    assert near(rendered.pixelColor(SIZE // 2, 2), QColor(avatar_colour("4")))
