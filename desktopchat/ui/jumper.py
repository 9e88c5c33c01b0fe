"""Showing one message in its room: the minimal jump search needs.

Switch to the room, and if the message is not loaded yet, load older pages (the local
database first, then the relay, as scrolling up does) until it is, then scroll to it and
select it so the eye finds it. The replies branch brings the full jump (a page *around*
the message from ``GET …/messages?around=ID`` and a flash); at merge it replaces this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QAbstractItemView

if TYPE_CHECKING:
    from desktopchat.ui.main_window import MainWindow

#: Pages of older history loaded at most to reach a message.
MAX_PAGES = 40


def jump(window: MainWindow, room: str, message_id: int) -> None:
    """Show ``message_id`` of ``room`` in ``window``'s conversation, selected."""
    controller = window.controller
    if controller is None:
        return
    current = controller.current
    if current is None or current.name != room:
        controller.select(room)
    _reach(window, room, message_id, MAX_PAGES)


def _reach(window: MainWindow, room: str, message_id: int, pages: int) -> None:
    controller = window.controller
    model = controller.model(room) if controller is not None else None
    if controller is None or model is None or controller.current is None:
        return
    if controller.current.name != room:
        return  # the user went elsewhere meanwhile
    row = model.row_of(message_id)
    if row is not None:
        view = window.messages
        view.scroll_to_message(message_id)
        view.setCurrentIndex(model.index(row))
        view.scrollTo(model.index(row), QAbstractItemView.ScrollHint.PositionAtCenter)
        view.setFocus()
        return
    first = model.first_id()
    if pages <= 0 or first is None or first <= message_id or not model.has_older:
        window.statusBar().showMessage(f"Message #{message_id} is no longer in #{room}", 5000)
        return

    def loaded(*_: object) -> None:
        model.rowsInserted.disconnect(loaded)
        _reach(window, room, message_id, pages - 1)

    model.rowsInserted.connect(loaded)
    controller.load_older(first)
