"""Image dimensions and thumbnails, with Pillow, for untrusted uploads.

Only the four formats served inline are ever opened (``formats=``), so Pillow's rarer
decoders never see an upload. An image over :data:`MAX_PIXELS` (a decompression bomb, or a
panorama too large to preview) gets no dimensions and no thumbnail; a truncated or corrupt
one gets no thumbnail. Both are answers (:class:`NoPreviewError`), never a crash or a hang.
Everything here blocks and decodes: the relay runs it on worker threads, not the event loop.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from PIL import Image

#: Pillow's format name → the MIME type served (the only images shown inline).
MIME_BY_FORMAT = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
}
_FORMATS = tuple(MIME_BY_FORMAT)
_FORMAT_BY_MIME = {mime: name for name, mime in MIME_BY_FORMAT.items()}
#: Largest image previewed: 50 megapixels (an 8660 x 5773 photo), ~200 MB decoded as RGBA.
MAX_PIXELS = 50_000_000
#: A thumbnail's longer side, in pixels (a message list shows ~160 px at 2x scale).
THUMBNAIL_SIZE = 320


class NoPreviewError(Exception):
    """This image cannot be previewed; the message says why, for the API's answer."""


@dataclass(frozen=True, slots=True)
class Thumbnail:
    """A thumbnail's encoded bytes and their MIME type (PNG when it has transparency)."""

    data: bytes
    type: str


def sniff_format(head: bytes) -> str | None:
    """The Pillow format name of a safe image type that ``head`` starts like, else None."""
    kind = filetype.guess(head)
    return None if kind is None else _FORMAT_BY_MIME.get(str(kind.mime))


def dimensions(stream: BinaryIO) -> tuple[int, int]:
    """``(width, height)`` from the image's header, without decoding its pixels.

    Raises :class:`NoPreviewError` when Pillow cannot read the header as a safe format or
    the image is over :data:`MAX_PIXELS`.
    """
    try:
        with Image.open(_seekable(stream), formats=_FORMATS) as image:
            width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NoPreviewError(f"the image is over {MAX_PIXELS // 1_000_000} megapixels") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise NoPreviewError(f"not a readable image ({type(exc).__name__})") from None
    if width * height > MAX_PIXELS:
        raise NoPreviewError(f"the image is over {MAX_PIXELS // 1_000_000} megapixels")
    return width, height


def thumbnail(stream: BinaryIO) -> Thumbnail:
    """A thumbnail at most :data:`THUMBNAIL_SIZE` px on its longer side (an animation's
    first frame); :class:`NoPreviewError` for a bomb, a truncated or a corrupt image."""
    try:
        with Image.open(_seekable(stream), formats=_FORMATS) as image:
            if image.size[0] * image.size[1] > MAX_PIXELS:
                raise NoPreviewError(f"the image is over {MAX_PIXELS // 1_000_000} megapixels")
            image.draft("RGB", (THUMBNAIL_SIZE, THUMBNAIL_SIZE))  # JPEG: decode at 1/2-1/8
            image.thumbnail((THUMBNAIL_SIZE, THUMBNAIL_SIZE))  # decodes: truncation shows here
            small = image.convert("RGBA" if _has_alpha(image) else "RGB")
    except NoPreviewError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise NoPreviewError(f"the image is over {MAX_PIXELS // 1_000_000} megapixels") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise NoPreviewError(f"the image is truncated or corrupt ({type(exc).__name__})") from None
    out = io.BytesIO()
    if small.mode == "RGBA":
        small.save(out, "PNG", optimize=True)
        return Thumbnail(out.getvalue(), "image/png")
    small.save(out, "JPEG", quality=85)
    return Thumbnail(out.getvalue(), "image/jpeg")


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info


def _seekable(stream: BinaryIO) -> BinaryIO:
    """Pillow seeks: a stream that cannot (an object store's body) is read into memory
    first; uploads are capped (25 MB by default), so this stays bounded."""
    return stream if stream.seekable() else io.BytesIO(stream.read())
