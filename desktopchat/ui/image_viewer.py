"""The image viewer: a clicked preview, full size, with zoom, pan and "Save as…".

It downloads the whole file into the cache on a worker (a progress bar; closing the
viewer cancels the download), decodes it on that worker with :mod:`.image_decode`'s pixel
budget and allocation limit (an animated GIF shows its first frame), and shows it fitted to
the window. Ctrl+wheel, ``+`` and ``-`` zoom, ``0`` fits, ``1`` is 100 %; dragging pans;
Esc closes. Colours come from the theme's tokens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QFont, QImage, QKeyEvent, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStackedLayout,
    QVBoxLayout,
    QWidget,
)

from desktopchat.client.domain import Attachment
from desktopchat.client.relay_client import RelayClient
from desktopchat.client.sizes import human_size
from desktopchat.client.tasks import TaskRunner
from desktopchat.ui import image_decode, theme
from desktopchat.ui.theme.tokens import Space

#: Each zoom step multiplies (or divides) the scale by this.
ZOOM_STEP = 1.25
MIN_SCALE, MAX_SCALE = 0.02, 16.0


class _Progress(QObject):
    """Carries a worker's progress to the GUI thread (a queued signal, nothing else)."""

    moved = Signal(int, int)


class ZoomView(QGraphicsView):
    """A picture that fits, zooms about the pointer and pans by dragging.

    Signals:
        zoomed(float): the scale now (1.0 is 100 %).
    """

    zoomed = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene().addItem(self.item)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.setAccessibleName("Image")
        self.fitted = True

    def set_pixmap(self, pixmap: QPixmap) -> None:
        """Show ``pixmap``, fitted."""
        self.item.setPixmap(pixmap)
        self.scene().setSceneRect(self.item.boundingRect())
        self.fit()

    def scale_now(self) -> float:
        """The current scale (1.0: one image pixel per device-independent pixel)."""
        return self.transform().m11()

    def fit(self) -> None:
        """The whole image in the window (never enlarged past 100 %)."""
        self.fitted = True
        if self.item.pixmap().isNull():
            return
        self.resetTransform()
        self.fitInView(self.item, Qt.AspectRatioMode.KeepAspectRatio)
        if self.scale_now() > 1.0:
            self.resetTransform()
        self.zoomed.emit(self.scale_now())

    def actual(self) -> None:
        """100 %: one image pixel per pixel."""
        self.fitted = False
        self.resetTransform()
        self.zoomed.emit(1.0)

    def zoom(self, factor: float, *, under_pointer: bool = False) -> None:
        """Scale by ``factor``, within bounds, about the middle of the view (``+``/``-``)
        or, ``under_pointer``, about the point under it (Ctrl+wheel).

        The keys zoomed about the pointer too, wherever it was (often not over the image):
        the picture grew from its top-left corner.
        """
        target = min(MAX_SCALE, max(MIN_SCALE, self.scale_now() * factor))
        self.fitted = False
        anchor = QGraphicsView.ViewportAnchor
        self.setTransformationAnchor(
            anchor.AnchorUnderMouse if under_pointer else anchor.AnchorViewCenter
        )
        self.scale(target / self.scale_now(), target / self.scale_now())
        self.zoomed.emit(self.scale_now())

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt API
        """Ctrl+wheel zooms about the pointer; the plain wheel scrolls."""
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom(ZOOM_STEP**steps, under_pointer=True)
            event.accept()
            return
        super().wheelEvent(event)

    def resizeEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        """A fitted image stays fitted as the window changes size."""
        super().resizeEvent(event)  # type: ignore[arg-type]
        if self.fitted:
            self.fit()


class ImageViewer(QDialog):
    """One image, full size; see the module's docstring.

    Signals:
        save_requested(object): "Save as…" for the attachment shown.
        shown(): the image is decoded and on screen.
        failed(str): it could not be shown; why.
    """

    save_requested = Signal(object)
    shown = Signal()
    failed = Signal(str)

    def __init__(
        self,
        attachment: Attachment,
        tasks: TaskRunner,
        relay: Callable[[], RelayClient],
        downloads: Path,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.attachment = attachment
        self._cancel = threading.Event()
        self.setWindowTitle(attachment.name)
        self.setAccessibleName(f"Image viewer: {attachment.name}")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._build(attachment)
        self._resize_to(parent)
        #: The thread that decoded the image (tests check it is not the GUI thread).
        self.decode_thread = 0
        progress = _Progress()
        progress.moved.connect(self._moved)
        cancel = self._cancel

        def load() -> tuple[int, QImage]:
            path = relay().download(
                attachment,
                downloads,
                progress=progress.moved.emit,
                cancel=cancel.is_set,
            )
            return threading.get_ident(), image_decode.decode_file(path)

        self._progress_carrier = progress
        tasks.run(load, self._loaded, self._not_loaded)

    def _build(self, attachment: Attachment) -> None:
        """The bar (name, zoom, Fit, 100%, Save as…, Close) over the picture or progress."""
        c = theme.colours(self.palette())
        self.name = QLabel(attachment.name, self)
        self.name.setTextFormat(Qt.TextFormat.PlainText)
        self.name.setFont(theme.font(self.font(), weight=QFont.Weight.DemiBold))
        self.zoom_label = QLabel("", self)
        self.zoom_label.setAccessibleName("Zoom")
        self.fit_button = QPushButton("Fit", self)
        self.fit_button.setAccessibleName("Fit to window")
        self.actual_button = QPushButton("100%", self)
        self.actual_button.setAccessibleName("Actual size")
        self.save_button = QPushButton("Save as…", self)
        self.save_button.setAccessibleName(f"Save {attachment.name} as")
        self.close_button = QPushButton("Close", self)
        self.close_button.setAccessibleName("Close the viewer")
        for button in (self.fit_button, self.actual_button, self.save_button, self.close_button):
            button.setAutoDefault(False)
        bar = QHBoxLayout()
        bar.setSpacing(Space.S)
        bar.addWidget(self.name, 1)
        bar.addWidget(self.zoom_label)
        bar.addWidget(self.fit_button)
        bar.addWidget(self.actual_button)
        bar.addWidget(self.save_button)
        bar.addWidget(self.close_button)
        self.view = ZoomView(self)
        self.view.setBackgroundBrush(QColor(c.window))
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName(f"Downloading {attachment.name}")
        self.progress.setRange(0, max(1, attachment.size))
        self.status = QLabel(f"Downloading {human_size(attachment.size)}…", self)
        self.status.setWordWrap(True)
        self.status.setAlignment(Qt.AlignmentFlag.AlignCenter)
        loading = QWidget(self)
        loading_layout = QVBoxLayout(loading)
        loading_layout.addStretch(1)
        loading_layout.addWidget(self.status)
        loading_layout.addWidget(self.progress)
        loading_layout.addStretch(1)
        self.stack = QStackedLayout()
        self.stack.addWidget(loading)
        self.stack.addWidget(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(Space.M, Space.M, Space.M, Space.M)
        layout.setSpacing(Space.S)
        layout.addLayout(bar)
        layout.addLayout(self.stack, 1)
        self._connect()

    def _connect(self) -> None:
        self.fit_button.clicked.connect(self.view.fit)
        self.actual_button.clicked.connect(self.view.actual)
        self.save_button.clicked.connect(lambda: self.save_requested.emit(self.attachment))
        self.close_button.clicked.connect(self.close)
        self.view.zoomed.connect(lambda scale: self.zoom_label.setText(f"{round(scale * 100)}%"))

    def _resize_to(self, parent: QWidget | None) -> None:
        if parent is not None:
            self.resize(max(480, parent.width() * 4 // 5), max(360, parent.height() * 4 // 5))
        else:
            self.resize(900, 640)

    def _moved(self, done: int, total: int) -> None:
        self.progress.setMaximum(max(1, total))
        self.progress.setValue(done)

    def _loaded(self, result: tuple[int, QImage]) -> None:
        if self._cancel.is_set():
            return
        self.decode_thread, image = result
        self.view.set_pixmap(QPixmap.fromImage(image))
        self.stack.setCurrentWidget(self.view)
        self.view.setFocus()
        self.shown.emit()

    def _not_loaded(self, exc: BaseException) -> None:
        if self._cancel.is_set():
            return
        reason = str(exc) or type(exc).__name__
        self.status.setText(f"This image cannot be shown: {reason}")
        self.progress.hide()
        self.failed.emit(reason)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """``+``/``-`` zoom, ``0`` fits, ``1`` is 100 %; Esc closes (QDialog's own)."""
        key = event.key()
        if key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.view.zoom(ZOOM_STEP)
        elif key == Qt.Key.Key_Minus:
            self.view.zoom(1 / ZOOM_STEP)
        elif key == Qt.Key.Key_0:
            self.view.fit()
        elif key == Qt.Key.Key_1:
            self.view.actual()
        else:
            super().keyPressEvent(event)

    def done(self, result: int) -> None:
        """Closing stops a download still running and lets the full-size pixels go."""
        self._cancel.set()
        self.view.item.setPixmap(QPixmap())
        super().done(result)
