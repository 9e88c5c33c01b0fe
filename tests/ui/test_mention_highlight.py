"""A mention of the reader stands out: the row is tinted and their ``@Name`` marked.

Mentions of others are shown as they are. Painted into a QImage through the real model and
delegate, as QListView drives them.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtGui import QColor, QGuiApplication
from pytestqt.qtbot import QtBot

from desktopchat.client.domain import Message
from desktopchat.ui import mention_markup, theme
from desktopchat.ui.avatars import AvatarCache
from desktopchat.ui.message_delegate import MessageDelegate
from desktopchat.ui.message_model import MessageListModel, Roles
from tests.ui.conftest import BOB, ME, QT_CLEAN, message
from tests.ui.test_delegate import height, option, paint

pytestmark = QT_CLEAN


def shown(*messages: Message) -> MessageListModel:
    model = MessageListModel("general", ME.id, own_name=ME.display_name)
    model.add(list(messages))
    model.flush()
    return model


def background(delegate: MessageDelegate, model: MessageListModel, row: int) -> QColor:
    """The colour at the top-left corner of the row's message area, as painted."""
    index = model.index(row)
    rows = height(delegate, index)
    geometry = delegate.geometry(option(height=rows), index)
    image = paint(delegate, index, rows)
    corner = geometry.message.topLeft()
    return QColor(image.pixel(corner.x() + 1, corner.y() + 1))


def test_a_message_mentioning_me_is_tinted_and_one_mentioning_bob_is_not(
    qtbot: QtBot, avatars: AvatarCache
) -> None:
    delegate = MessageDelegate(avatars)
    mine = replace(message(1, text="@Alice look"), mentions=(ME.id,))
    theirs = replace(message(2, text="@Bob look", author=ME), mentions=(BOB.id,))
    plain = replace(message(3, text="Alice, no at-mention"), mentions=())
    model = shown(mine, theirs, plain)
    assert [model.index(r).data(Roles.MENTIONS_ME) for r in range(3)] == [True, False, False]
    colours = theme.colours(QGuiApplication.palette())
    assert background(delegate, model, 0) == QColor(colours.mention_background)
    assert background(delegate, model, 1) == QColor(colours.surface)
    # Ids decide: a name in the text without the id is no mention (the relay said so).
    assert background(delegate, model, 2) == QColor(colours.surface)


def test_messages_from_before_ids_fall_back_to_the_name(qtbot: QtBot) -> None:
    model = shown(message(1, text="ping @alice"), message(2, text="ping @alicia"))
    assert [model.index(r).data(Roles.MENTIONS_ME) for r in range(2)] == [True, False]


def test_a_deleted_mention_is_no_longer_highlighted(qtbot: QtBot) -> None:
    gone = replace(message(1, deleted=True, text=""), mentions=(ME.id,))
    assert shown(gone).index(0).data(Roles.MENTIONS_ME) is False


def test_only_the_readers_name_is_marked_never_inside_a_tag_or_link() -> None:
    marked = mention_markup.highlight(
        'hi @Alice and @Bob, see <a href="https://x/@Alice">https://x/@Alice</a>', ("Alice",)
    )
    assert marked.count('<span class="mention">@Alice</span>') == 1
    assert "@Bob" in marked
    assert 'href="https://x/@Alice"' in marked
    escaped = mention_markup.highlight("hi @&lt;b&gt;", ("<b>",))
    assert escaped == 'hi <span class="mention">@&lt;b&gt;</span>'
