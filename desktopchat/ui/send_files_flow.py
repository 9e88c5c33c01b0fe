"""What the window does to send files: attach, drop, paste, the tray, upload progress.

Every way in ends in the pending tray above the composer
(:class:`~desktopchat.ui.attachment_tray.AttachmentTray`): the paperclip's file dialog
(several files at once), files dragged anywhere on the conversation (with the drop
overlay, :mod:`.file_drop`), and paste — files copied in a file manager, or an image
(a screenshot), which is saved as a PNG in the session's staging directory (under the
data directory, so a queued message survives a restart; removed once it is sent or
dropped). Enter then queues the text and the files as one message
(:meth:`~desktopchat.ui.reply_react_flow.ReplyReactFlow.submit`); the outbox uploads
them, and its progress reaches the row through :class:`.upload_progress.UploadProgress`,
one row repainted at a time. An edit cannot add files: while one is open they are
refused, and the tray says so.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtGui import QImage, QImageWriter
from PySide6.QtWidgets import QFileDialog, QWidget

from desktopchat.client.outbox import OutboxItem, OutboxState
from desktopchat.client.session import ChatSession
from desktopchat.client.staging import pasted_image_name
from desktopchat.ui.attachment_tray import THUMB
from desktopchat.ui.file_drop import FileDrop
from desktopchat.ui.message_delegate import MessageDelegate
from desktopchat.ui.message_model import MessageListModel
from desktopchat.ui.thumbnails import thumbnailer
from desktopchat.ui.upload_progress import UploadProgress

if TYPE_CHECKING:
    from desktopchat.ui.main_window import MainWindow

EDIT_REFUSAL = "An edit cannot add files: save or cancel it, then attach them to a new message."


class SendFilesFlow(QObject):
    """Files on their way out, for one window (created with it; sessions come and go)."""

    def __init__(self, window: MainWindow, area: QWidget) -> None:
        super().__init__(window)
        self._window = window
        self._session: ChatSession | None = None
        #: Where the paperclip's dialog opens next (the folder of the last pick).
        self._last_folder: Path | None = None
        box = window.composer_box
        self.tray = box.tray
        self.tray.thumbnailer = thumbnailer(window.tasks, 2 * THUMB)
        self.progress = UploadProgress(self)
        delegate = window.messages.itemDelegate()
        if isinstance(delegate, MessageDelegate):
            delegate.uploads = self.progress
        self.progress.repaint.connect(self._repaint_row)
        self.drop = FileDrop(area, [window.messages.viewport(), window.composer.viewport()])
        self.drop.dropped.connect(self.offer)
        window.composer.files_pasted.connect(self.offer)
        window.composer.image_pasted.connect(self.paste_image)
        box.attach_button.clicked.connect(self.choose)
        window.messages.upload_cancel_requested.connect(self.cancel)

    def attach(self, session: ChatSession) -> None:
        """Send through ``session`` (limits from its relay, pastes staged in its data)."""
        self._session = session
        self.tray.max_bytes = session.login.server.max_file_bytes
        self.tray.release = session.staging.release
        session.outbox.upload_progress.connect(self.progress.update)
        session.outbox.changed.connect(self._outbox_changed)

    def detach(self) -> None:
        """The session closes: what waits in the tray (never queued) goes with it."""
        self.tray.clear()
        self.tray.release = lambda _paths: None
        self._session = None

    def set_target(self, label: str) -> None:
        """Name where dropped files will go (``#room``, a DM's people) on the overlay."""
        self.drop.target = label

    @Slot(list)
    def offer(self, paths: list[Path]) -> None:
        """Files picked, dropped or pasted: into the tray (or refused, with words)."""
        if self._session is None:
            return
        composer = self._window.composer
        if composer.editing is not None or composer.revising:
            self.tray.release(paths)  # a staged paste has nowhere to go
            self.tray.say(EDIT_REFUSAL)
            return
        self.tray.add(paths)
        composer.setFocus()

    @Slot(QImage)
    def paste_image(self, image: QImage) -> None:
        """A pasted image becomes ``Pasted image <date time>.png`` in the staging
        directory (encoded on a worker: a screenshot's PNG takes tens of ms), then a card."""
        session = self._session
        if session is None:
            return
        if self._window.composer.editing is not None or self._window.composer.revising:
            self.tray.say(EDIT_REFUSAL)
            return
        path = session.staging.new_path(pasted_image_name(datetime.now()))

        def save() -> Path:
            writer = QImageWriter(str(path), b"png")
            if not writer.write(image):
                raise OSError(writer.errorString())
            return path

        def failed(exc: BaseException) -> None:
            session.staging.release([path])
            self.tray.say(f"The pasted image could not be kept: {exc}")

        self._window.tasks.run(save, lambda saved: self.offer([saved]), failed)

    def choose(self) -> list[Path]:
        """The paperclip: pick files (several at once) for the tray.

        The dialog opens where the last pick was made, else in the home folder (not the
        process's working directory, which for a desktop launch is anywhere)."""
        start = str(self._last_folder or Path.home())
        names, _ = QFileDialog.getOpenFileNames(self._window, "Attach files", start)
        paths = [Path(name) for name in names]
        if paths:
            self._last_folder = paths[0].parent
            self.offer(paths)
        return paths

    @Slot(str)
    def cancel(self, client_id: str) -> None:
        """Cancel on a row: the upload stops and the message leaves the outbox."""
        if self._session is not None:
            self._session.outbox.cancel(client_id)

    @Slot(object)
    def _outbox_changed(self, item: OutboxItem) -> None:
        if item.files and item.state not in (OutboxState.PENDING, OutboxState.SENDING):
            self.progress.forget(item)

    @Slot(str)
    def _repaint_row(self, client_id: str) -> None:
        """New figures: repaint that one row (queued rows are the model's last ones)."""
        view = self._window.messages
        model = view.model()
        if not isinstance(model, MessageListModel):
            return
        for row in range(model.rowCount() - 1, -1, -1):
            record = model.row(row)
            if not isinstance(record, OutboxItem):
                return
            if record.client_id == client_id:
                view.viewport().update(view.visualRect(model.index(row, 0)))
                return
