"""What the window does with a message's files: previews, open, save as, the image viewer.

The message view says which file was clicked (or asked to be saved); this downloads it on
a worker into the cache (``files/HASH/NAME``, checked against its SHA-256 by
:meth:`~desktopchat.client.relay_client.RelayClient.download`) and then opens that local
copy with the system's default application (``QDesktopServices.openUrl``), copies it
where the user chose ("Save as…"), or shows an image in the :class:`~.image_viewer.ImageViewer`.
While a file downloads its card says so ("Opening…"); a failure says why, on the card and
on the window's notice line. :mod:`.main_window` only creates this and adds :meth:`add_actions` to
a message's context menu.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QMenu

from desktopchat.client import transfers
from desktopchat.client.domain import Attachment, Message
from desktopchat.client.errors import DesktopChatError
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.tasks import TaskRunner
from desktopchat.ui import attachment_layout
from desktopchat.ui.thumbnail_cache import Preview, ThumbnailCache

if TYPE_CHECKING:  # the viewer loads when an image is first opened, not before the paint
    from desktopchat.ui.image_viewer import ImageViewer
    from desktopchat.ui.main_window import MainWindow

#: Milliseconds a failure stays on a file's card.
NOTE_MS = 8000
#: Worker threads fetching and decoding previews (apart from the window's own four).
PREVIEW_WORKERS = 2


def failure_words(exc: BaseException) -> str:
    """A download's failure in a few words for a card (the details are in the log)."""
    if isinstance(exc, DesktopChatError) and str(exc):
        return str(exc).rstrip(".")
    return type(exc).__name__


class AttachmentFlow(QObject):
    """Files for one window: previews in the list, open, save as, the viewer.

    Signals:
        opened(str): the local path handed to the system's default application.
        saved(str): the path a file was saved to.
    """

    opened = Signal(str)
    saved = Signal(str)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self._window = window
        #: Previews have their own workers: twenty fetched at once never queue the window's
        #: relay calls behind them (1, 2 and 4 workers measured alike in the benchmark).
        self.preview_tasks = TaskRunner(PREVIEW_WORKERS, parent=self)
        self.thumbnails = ThumbnailCache(
            window.dirs.cache,
            self.preview_tasks,
            self.relay_source,
            self,
            ratio=window.devicePixelRatioF(),
        )
        #: What is happening to each file now, by attachment id (the cards show it).
        self.notes: dict[str, str] = {}
        self.viewer: ImageViewer | None = None
        delegate = window.messages.itemDelegate()
        delegate.thumbnails = self.thumbnails  # type: ignore[attr-defined]
        delegate.file_notes = self.notes  # type: ignore[attr-defined]
        window.messages.file_activated.connect(self.activate)
        window.messages.file_save_requested.connect(self.save_as)

    def shutdown(self) -> None:
        """The window closes: no preview work starts any more; a viewer's download stops."""
        self.preview_tasks.shutdown(wait=False)
        if self.viewer is not None:
            self.viewer.close()

    @property
    def downloads(self) -> Path:
        """The download cache (safe to clear)."""
        return transfers.download_dir(self._window.dirs.cache)

    def relay_source(self) -> Callable[[], RelayClient] | None:
        """How a worker gets this session's relay client (None: signed out)."""
        session = self._window.session
        return session.relay if session is not None else None

    # ---------------------------------------------------------------------- actions

    def activate(self, attachment: Attachment) -> None:
        """A click (or Enter) on a file: an image opens in the viewer, others (and an image
        without a preview, which would not decode) in their app."""
        shown = self.thumbnails.state(attachment) is not Preview.NONE
        if attachment_layout.has_preview(attachment) and shown:
            self.view(attachment)
        else:
            self.open(attachment)

    def view(self, attachment: Attachment) -> ImageViewer | None:
        """Show ``attachment`` in the image viewer (it downloads and decodes it)."""
        relay = self.relay_source()
        if relay is None:
            return None
        if self.viewer is not None:  # one viewer at a time; the last one's pixels go
            self.viewer.close()
            self.viewer.deleteLater()
        from desktopchat.ui.image_viewer import ImageViewer  # noqa: PLC0415 - see above

        self.viewer = ImageViewer(
            attachment, self._window.tasks, relay, self.downloads, self._window
        )
        self.viewer.save_requested.connect(self.save_as)
        self.viewer.open()
        return self.viewer

    def open(self, attachment: Attachment) -> None:
        """Download ``attachment`` into the cache, then open it with the default app."""
        if attachment.id in self.notes and self.notes[attachment.id].endswith("…"):
            return  # already on its way
        relay = self.relay_source()
        if relay is None:
            return
        directory = self.downloads
        self._note(attachment, "Opening…")
        self._window.tasks.run(
            lambda: relay().download(attachment, directory),
            lambda path: self._opened(attachment, path),
            lambda exc: self._failed(attachment, "Could not open", exc),
        )

    def _opened(self, attachment: Attachment, path: Path) -> None:
        self._note(attachment, None)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            words = "No application opens this kind of file here: use Save as…"
            self._note(attachment, words)
            self._window.notice.show_message(f"{attachment.name}: {words}", NOTE_MS)
            QTimer.singleShot(NOTE_MS, lambda: self._clear(attachment, words))
        self.opened.emit(str(path))

    def save_as(self, attachment: Attachment) -> None:
        """Ask where, then write the file's verified bytes there."""
        suggested = transfers.cached_path(self.downloads, attachment).name
        folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DownloadLocation)
        target, _ = QFileDialog.getSaveFileName(
            self._window, "Save file as", str(Path(folder or Path.home()) / suggested)
        )
        if not target:
            return
        relay = self.relay_source()
        if relay is None:
            return
        directory = self.downloads
        self._note(attachment, "Saving…")

        def save() -> Path:
            cached = relay().download(attachment, directory)
            shutil.copyfile(cached, target)
            return Path(target)

        self._window.tasks.run(
            save,
            lambda path: self._saved(attachment, path),
            lambda exc: self._failed(attachment, "Could not save", exc),
        )

    def _saved(self, attachment: Attachment, path: Path) -> None:
        self._note(attachment, None)
        self._window.notice.show_message(f"Saved {path.name}", NOTE_MS)
        self.saved.emit(str(path))

    def _failed(self, attachment: Attachment, what: str, exc: BaseException) -> None:
        words = f"{what}: {failure_words(exc)}"
        self._note(attachment, words)
        self._window.notice.show_message(f"{attachment.name}: {words}", NOTE_MS)
        QTimer.singleShot(NOTE_MS, lambda: self._clear(attachment, words))

    def _clear(self, attachment: Attachment, words: str) -> None:
        if self.notes.get(attachment.id) == words:
            self._note(attachment, None)

    def _note(self, attachment: Attachment, words: str | None) -> None:
        if words is None:
            self.notes.pop(attachment.id, None)
        else:
            self.notes[attachment.id] = words
        self._window.messages.viewport().update()

    # ------------------------------------------------------------------------- menu

    def add_actions(self, menu: QMenu, record: object) -> None:
        """ "Open"/"Save as…" for each file of ``record`` in its context menu."""
        if not isinstance(record, Message) or record.deleted or not record.attachments:
            return
        menu.addSeparator()
        for attachment in record.attachments:
            name = attachment.name if len(attachment.name) <= 40 else attachment.name[:39] + "…"
            menu.addAction(f"Open {name}", partial(self.activate, attachment))
            menu.addAction(f"Save {name} as…", partial(self.save_as, attachment))
