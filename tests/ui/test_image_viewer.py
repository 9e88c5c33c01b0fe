"""The image viewer's zoom: about the middle with the keys, about the pointer with the wheel."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPixmap
from pytestqt.qtbot import QtBot

from desktopchat.ui.image_viewer import ZOOM_STEP, ZoomView
from tests.ui.conftest import QT_CLEAN

pytestmark = QT_CLEAN


def test_zooming_with_the_keys_keeps_the_middle_of_the_view(qtbot: QtBot) -> None:
    """ "+" enlarges the picture about what is in the middle of the view, whatever the
    pointer is (it grew from the top-left corner)."""
    view = ZoomView()
    qtbot.addWidget(view)
    view.resize(400, 300)
    pixmap = QPixmap(1600, 1200)
    pixmap.fill(QColor("#808080"))
    view.set_pixmap(pixmap)
    view.show()
    qtbot.waitExposed(view)
    view.actual()  # 100 %: the picture is larger than the view, so it can move
    middle = QPoint(view.viewport().width() // 2, view.viewport().height() // 2)
    view.centerOn(900, 700)
    qtbot.mouseMove(view.viewport(), QPoint(5, 5))  # the pointer rests near a corner
    before = view.mapToScene(middle)
    view.zoom(ZOOM_STEP)
    after = view.mapToScene(middle)
    assert view.scale_now() > 1.0
    assert abs(after.x() - before.x()) <= 2
    assert abs(after.y() - before.y()) <= 2
    assert view.transformationAnchor() == view.ViewportAnchor.AnchorViewCenter
    view.zoom(ZOOM_STEP, under_pointer=True)  # Ctrl+wheel: about the pointer instead
    assert view.transformationAnchor() == view.ViewportAnchor.AnchorUnderMouse
