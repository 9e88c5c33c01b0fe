"""Writing ``.desktop`` files: the shipped template with ``Exec`` pointing at this installation.

The Desktop Entry Specification quotes ``Exec`` arguments its own way (double quotes, a
backslash before ``"`` `` ` `` ``$`` ``\\``; ``%`` doubled as it starts a field code) and then
escapes the whole value as a string (``\\`` as ``\\\\``). Paths with spaces, such as a
checkout in ``~/My Projects``, must survive both.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from desktopchat.resources import DESKTOP_FILE, resource

#: Characters that force an Exec argument into double quotes (spec, "The Exec key").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")
#: Characters escaped with a backslash inside those quotes.
_ESCAPED_IN_QUOTES = set('"`$\\')


def quote_exec_argument(argument: str) -> str:
    """One argument of an ``Exec`` line, before the string-level escaping."""
    argument = argument.replace("%", "%%")
    if not argument or any(c in _RESERVED for c in argument):
        inner = "".join("\\" + c if c in _ESCAPED_IN_QUOTES else c for c in argument)
        return f'"{inner}"'
    return argument


def exec_value(command: Sequence[str]) -> str:
    """The value of ``Exec=`` for ``command``, as written in the file."""
    return string_value(" ".join(quote_exec_argument(argument) for argument in command))


def string_value(text: str) -> str:
    """A string value as the file holds it (``TryExec``, a path): one line, backslashes doubled."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def render(command: Sequence[str], extra: dict[str, str] | None = None) -> str:
    """The shipped desktop entry with ``Exec``/``TryExec`` for ``command``, plus ``extra`` keys.

    ``TryExec`` names the program itself, so desktops hide the entry once that
    installation is gone (a deleted pipx venv or checkout) instead of showing a dead one.
    """
    template = resource(DESKTOP_FILE)
    if template is None:
        raise FileNotFoundError(f"{DESKTOP_FILE} is missing from this installation")
    keys = {"Exec": exec_value(command), "TryExec": string_value(command[0]), **(extra or {})}
    lines = template.read_text(encoding="utf-8").splitlines()
    start = lines.index("[Desktop Entry]")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    for i in range(start + 1, end):
        key = lines[i].split("=", 1)[0].strip()
        if "=" in lines[i] and key in keys:
            lines[i] = f"{key}={keys.pop(key)}"
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # new keys go after the group's last entry, not after blank lines
    lines[end:end] = [f"{key}={value}" for key, value in keys.items()]
    return "\n".join(lines) + "\n"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all: a desktop never reads a half-written entry."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
