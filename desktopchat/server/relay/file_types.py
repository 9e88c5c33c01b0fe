"""What an uploaded file is, from its bytes, and what it may be called.

The relay never trusts the type or the name a client gives: the type is sniffed from the
first bytes (Pillow for the four image types a browser or the window shows inline, the
``filetype`` library for everything else), and a name is cut down to a plain file name
that cannot climb directories, hide its extension behind a bidi override, or break a
``Content-Disposition`` header.
"""

from __future__ import annotations

import unicodedata

import filetype

from desktopchat.server.relay import images

#: Types served inline (``Content-Disposition: inline``); anything else is an attachment.
SAFE_IMAGE_TYPES = frozenset(images.MIME_BY_FORMAT.values())
OCTET_STREAM = "application/octet-stream"
PLAIN_TEXT = "text/plain; charset=utf-8"
#: A file name's length, in characters, after sanitising (extension kept).
MAX_NAME = 200
DEFAULT_NAME = "file"

#: Characters Windows refuses in file names (a downloaded copy must be savable as named).
_WINDOWS_RESERVED = frozenset('<>:"/\\|?*')


#: Control (Cc) and format (Cf: bidi embeddings, overrides, isolates, zero-width ones)
#: characters, surrogates, private-use and unassigned ones, line and paragraph separators.
_REMOVED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def sniff(head: bytes) -> str:
    """The MIME type of a file that starts with ``head`` (its first few KB).

    An image only if Pillow recognises one of the safe formats; then whatever ``filetype``
    recognises (PDF, ZIP, audio, video…); then UTF-8 text; else ``application/octet-stream``.
    An HTML page is text: served as an attachment, never rendered.
    """
    image = images.sniff_format(head)
    if image is not None:
        return images.MIME_BY_FORMAT[image]
    kind = filetype.guess(head)
    if kind is not None:
        mime = str(kind.mime)
        # filetype knows more image formats than are safe inline (SVG is not among them,
        # but TIFF, BMP, HEIC are); they are served as attachments, under their own type.
        return mime if mime not in SAFE_IMAGE_TYPES else OCTET_STREAM
    if _looks_like_text(head):
        return PLAIN_TEXT
    return OCTET_STREAM


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The head may end in the middle of a character: only an error there is forgiven.
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def safe_name(raw: str | None) -> str:
    """``raw`` as a plain file name: the last path part, printable, no bidi tricks, capped.

    Control and format characters (U+202E RIGHT-TO-LEFT OVERRIDE among them) are removed,
    not replaced, so ``invoice\\u202egnp.exe`` is shown as ``invoicegnp.exe``; characters
    Windows refuses in names become ``_``; a name with nothing left is ``file``.
    """
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        "_" if char in _WINDOWS_RESERVED else char
        for char in name
        if unicodedata.category(char) not in _REMOVED_CATEGORIES
    )
    name = " ".join(name.split())  # tabs and runs of spaces: one plain space
    name = name.strip(" .")  # "..", trailing dots (Windows drops them), leading dots (hidden)
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 16:
            name = stem[: MAX_NAME - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_NAME].rstrip(" .")
    return name or DEFAULT_NAME
