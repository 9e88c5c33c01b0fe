"""Layering rules import-linter cannot express: only ``desktopchat.ui`` may use QtWidgets.

import-linter sees external packages only as a whole (``PySide6``), so this reads every
module's imports with ``ast`` — including imports inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "desktopchat"


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules_outside_ui() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "ui" not in p.relative_to(PACKAGE).parts]


@pytest.mark.parametrize("path", modules_outside_ui(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_ui_imports_qtwidgets(path: Path) -> None:
    widgets = {m for m in imported_modules(path) if m.startswith("PySide6.QtWidgets")}
    assert not widgets, f"{path.name} imports {sorted(widgets)}; widgets belong in desktopchat/ui"


def test_the_checker_sees_qtwidgets_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from PySide6.QtWidgets import QLabel\n", encoding="utf-8")
    assert "PySide6.QtWidgets" in imported_modules(sample)
