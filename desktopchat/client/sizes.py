"""File sizes in words, for the CLI's ``tail`` and the window's file lines alike."""

from __future__ import annotations


def human_size(size: int) -> str:
    """Bytes as people read them: ``512 B``, ``1.2 KB``, ``25.0 MB`` (powers of 1024)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{size} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")  # pragma: no cover
