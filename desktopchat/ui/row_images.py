"""Painted message rows kept as images, so a repaint of rows already drawn is a copy.

QListView repaints its whole viewport whenever a row is inserted: a followed room that
takes one new message redraws every row on screen, and a row's text, header and chips
cost ~0.5 ms of Python and Qt calls each. A chat list mostly shows the same rows again,
one row higher, so the delegate paints a row into an image once and then copies it. Qt
has no cache of this kind for item views (QPixmapCache is one global store keyed by
strings; this one is keyed by the record and what else the row's look depends on, and
bounded by the pixels it holds).

What a row's look depends on besides its record is the caller's *facts* (width, header,
dividers, hover, theme...); the record itself is compared by identity, since the model
replaces a record (frozen) whenever anything of it changes.

A row is kept only the second time it is painted the same way: in a burst (thousands of
messages a second) every row on screen is new in every frame and is painted once, and
painting it into an image and copying that would cost more than painting it.
"""

from __future__ import annotations

from collections import OrderedDict

from PySide6.QtGui import QImage

#: Device pixels kept in all: ~16 MiB at 4 bytes each, a few screens of rows.
PIXEL_BUDGET = 4_000_000
#: Rows remembered as painted once but not kept yet (a few screens of them).
SEEN_ROWS = 512


class RowImages:
    """Images of painted rows, by record identity, least recently used dropped first."""

    def __init__(self, pixel_budget: int = PIXEL_BUDGET) -> None:
        self._budget = pixel_budget
        self._pixels = 0
        self._images: OrderedDict[int, tuple[object, tuple[object, ...], QImage]] = OrderedDict()
        self._seen: OrderedDict[int, tuple[object, tuple[object, ...]]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._images)

    @property
    def pixels(self) -> int:
        """Device pixels held now."""
        return self._pixels

    def get(self, record: object, facts: tuple[object, ...]) -> QImage | None:
        """The image painted of ``record`` with these ``facts``, if kept."""
        found = self._images.get(id(record))
        if found is None or found[0] is not record or found[1] != facts:
            return None
        self._images.move_to_end(id(record))
        return found[2]

    def worth_keeping(self, record: object, facts: tuple[object, ...]) -> bool:
        """Whether ``record`` was painted with these ``facts`` before, so is worth keeping
        this time; the first time it is only remembered."""
        seen = self._seen.pop(id(record), None)
        if seen is not None and seen[0] is record and seen[1] == facts:
            return True
        self._seen[id(record)] = (record, facts)
        if len(self._seen) > SEEN_ROWS:
            self._seen.popitem(last=False)
        return False

    def put(self, record: object, facts: tuple[object, ...], image: QImage) -> None:
        """Keep ``image`` of ``record`` (replacing its earlier one), within the budget."""
        self._drop(id(record))
        size = image.width() * image.height()
        if size > self._budget:
            return  # taller than the whole budget: painted each time instead
        self._images[id(record)] = (record, facts, image)
        self._pixels += size
        while self._pixels > self._budget:
            self._drop(next(iter(self._images)))

    def forget(self) -> None:
        """Drop every image (an avatar changed under all of them)."""
        self._images.clear()
        self._seen.clear()
        self._pixels = 0

    def _drop(self, key: int) -> None:
        found = self._images.pop(key, None)
        if found is not None:
            self._pixels -= found[2].width() * found[2].height()
