"""The parts of sending files, one at a time: the tray, thumbnails, progress, staging.

The window tests (``tests/integration/ui/test_send_files_window.py``) drive them together
against the real hub; these pin down what each part promises on its own: a thumbnail is
decoded off the GUI thread (and a broken image is just no thumbnail), progress reports
are coalesced into few repaints, staged files are removed and nothing else is.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDragLeaveEvent, QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktopchat.client.attach_check import refusal, too_many
from desktopchat.client.staging import Staging, pasted_image_name
from desktopchat.client.tasks import TaskRunner
from desktopchat.ui import thumbnails
from desktopchat.ui.attachment_tray import AttachmentTray
from desktopchat.ui.file_drop import FileDrop
from desktopchat.ui.upload_progress import UploadProgress, progress_words
from tests.ui.conftest import QT_CLEAN

pytestmark = QT_CLEAN


@pytest.fixture
def tasks(qtbot: QtBot) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.shutdown(wait=True)


def png(path: Path, width: int = 800, height: int = 600) -> Path:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#2f6fde"))
    assert image.save(str(path))
    return path


def test_a_thumbnail_is_decoded_off_the_gui_thread_and_a_broken_image_has_none(
    qtbot: QtBot, tasks: TaskRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    decode = thumbnails.thumbnail

    def recorded(path: Path, side: int) -> QImage | None:
        threads.append(threading.current_thread())
        return decode(path, side)

    monkeypatch.setattr(thumbnails, "thumbnail", recorded)
    tray = AttachmentTray()
    qtbot.addWidget(tray)
    tray.thumbnailer = thumbnails.thumbnailer(tasks, 80)
    broken = tmp_path / "broken.png"
    broken.write_bytes(png(tmp_path / "whole.png").read_bytes()[:200])  # truncated
    tray.add([tmp_path / "whole.png", broken])
    whole_card, broken_card = tray.cards()
    qtbot.waitUntil(lambda: not whole_card.thumb.pixmap().isNull(), timeout=5000)
    qtbot.waitUntil(lambda: len(threads) == 2, timeout=5000)
    assert all(t is not threading.main_thread() for t in threads)
    assert whole_card.thumb.pixmap().width() <= 80
    assert broken_card.thumb.pixmap().isNull()  # the file icon stays; nothing crashed
    assert broken_card.thumb.text()


def test_progress_reports_are_coalesced_into_one_repaint(qtbot: QtBot) -> None:
    progress = UploadProgress()
    repaints: list[str] = []
    progress.repaint.connect(repaints.append)
    with qtbot.waitSignal(progress.repaint, timeout=2000):
        for sent in range(0, 20 * 1024 * 1024, 64 * 1024):  # 320 reports, one per 64 KB of 20 MB
            progress.update("dc-1", 0, sent, 20 * 1024 * 1024)
    assert repaints == ["dc-1"]
    shown = progress.of("dc-1")
    assert shown is not None
    assert shown.sent == 20 * 1024 * 1024 - 64 * 1024


def test_progress_words() -> None:
    mb = 1024 * 1024
    assert (
        progress_words("shot.png", int(3.1 * mb), 12 * mb) == "Uploading shot.png · 3.1 of 12.0 MB"
    )
    assert progress_words("a.txt", 10, 900) == "Uploading a.txt · 10 of 900 B"


def test_refusals_say_why(tmp_path: Path) -> None:
    big = tmp_path / "big.bin"
    big.write_bytes(b"x" * 2048)
    assert refusal(big, 1024) == "big.bin is 2.0 KB: the server takes files up to 1.0 KB."
    assert refusal(big, None) is None
    assert refusal(tmp_path, None) == f"{tmp_path.name} is a folder: pick the files inside it."
    assert refusal(tmp_path / "gone.txt", None) == "gone.txt is not a file that can be sent."
    assert too_many(1) == "A message carries at most 10 files: 1 file was left out."


def test_staging_names_and_releases_only_its_own_files(tmp_path: Path) -> None:
    staging = Staging(tmp_path / "staging")
    name = pasted_image_name(datetime(2026, 12, 1, 16, 45, 12))
    assert name == "Pasted image 2026-12-01 16.45.12.png"
    first, second = staging.new_path(name), staging.new_path(name)
    assert first != second  # two pastes in one second keep both
    assert first.name == second.name == name
    assert staging.new_path("../../etc/passwd").name == ".._.._etc_passwd"
    first.write_bytes(b"png")
    mine = tmp_path / "mine.png"
    mine.write_bytes(b"png")
    staging.release([first, mine])
    assert not first.exists()
    assert not first.parent.exists()
    assert mine.exists()


def test_the_overlay_goes_when_the_drag_leaves(qtbot: QtBot, tmp_path: Path) -> None:
    area = QWidget()
    qtbot.addWidget(area)
    area.resize(400, 300)
    drop = FileDrop(area, [])
    drop.target = "#general"
    area.show()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "a.txt"))])
    enter = QDragEnterEvent(
        QPoint(10, 10),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(area, enter)
    assert drop.overlay.isVisible()
    assert drop.overlay.geometry() == area.rect()
    assert drop.overlay.text == "Drop to send to #general"
    QApplication.sendEvent(area, QDragLeaveEvent())
    assert not drop.overlay.isVisible()
