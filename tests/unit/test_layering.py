"""Layering rules import-linter cannot express: only ``desktopchat.ui`` may use QtWidgets.

import-linter sees external packages only as a whole (``PySide6``), so this reads every
module's imports with ``ast`` — including imports inside functions.
"""

from __future__ import annotations

import argparse
import ast
import subprocess
import sys
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


def loaded_roots(code: str) -> set[str]:
    """Top-level packages a fresh interpreter has loaded after running ``code``."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return set(output.split())


def loaded_modules(code: str, prefix: str = "desktopchat.") -> set[str]:
    """Modules under ``prefix`` a fresh interpreter has loaded after running ``code``."""
    listed = f"sorted(m for m in sys.modules if m.startswith({prefix!r}))"
    probe = f"{code}\nimport sys\nprint(' '.join({listed}))"
    output = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return set(output.split())


def test_parsing_the_command_line_loads_no_client_or_hub_stack() -> None:
    """`desktopchat --help` (and every command before it runs) stays light."""
    roots = loaded_roots("from desktopchat import cli\ncli.build_parser()")
    assert not roots & {"PySide6", "shiboken6", "pysher", "keyring", "requests", "aiohttp"}


def test_the_hub_process_loads_no_qt_pysher_or_keyring() -> None:
    """`desktopchat serve` runs the hub and relay without the desktop client's libraries."""
    code = (
        "import desktopchat.commands.serve as s, desktopchat.server.runner, desktopchat.server.app"
    )
    roots = loaded_roots(code)
    assert "aiohttp" in roots  # the probe did load the hub
    assert not roots & {"PySide6", "shiboken6", "pysher", "keyring"}


#: What the window's first paint does without: HTTP (requests, urllib3), the socket
#: (pysher, websocket-client), the keyring and the notification services' asyncio loop.
NOT_BEFORE_FIRST_PAINT = {"requests", "urllib3", "pysher", "websocket", "keyring", "asyncio"}


def test_importing_the_window_loads_no_http_socket_keyring_or_notification_stack() -> None:
    """Start-up pays only for what the first paint needs; the rest loads where it is used."""
    roots = loaded_roots("import desktopchat.ui.app, desktopchat.ui.main_window")
    assert "PySide6" in roots  # the probe did load the window
    assert not roots & NOT_BEFORE_FIRST_PAINT, sorted(roots & NOT_BEFORE_FIRST_PAINT)


#: The app's own modules that opening the window leaves for later: the other commands
#: (their options, seeding, HTTP helpers), the dialogs, the Ctrl+K switcher, the image
#: viewer and the certificate prompt (loaded when one opens) and the offer of a menu
#: entry (made once history is painted).
OWN_NOT_BEFORE_FIRST_PAINT = {
    "desktopchat.commands.account",
    "desktopchat.commands.desktop_entry",
    "desktopchat.commands.relay",
    "desktopchat.commands.search",
    "desktopchat.commands.send",
    "desktopchat.commands.serve",
    "desktopchat.commands.tail",
    "desktopchat.server.relay",
    "desktopchat.ui.desktop_page",
    "desktopchat.ui.dialogs",
    "desktopchat.ui.entry_offer",
    "desktopchat.ui.image_viewer",
    "desktopchat.ui.quick_switcher",
    "desktopchat.ui.trust_prompt",
    "desktopchat.xdg.autostart",
}


def test_the_window_command_leaves_other_commands_dialogs_and_the_entry_offer_for_later(
    tmp_path: Path,
) -> None:
    """`desktopchat` (the window) parses only the window's options, then builds and shows
    the window without the modules it needs later, if at all."""
    code = (
        "from desktopchat import cli\ncli.build_parser(window_only=True).parse_args(['window'])\n"
    )
    loaded = loaded_modules(code + window_shown(tmp_path))
    assert "desktopchat.ui.main_window" in loaded  # the probe did build the window
    assert not loaded & OWN_NOT_BEFORE_FIRST_PAINT, sorted(loaded & OWN_NOT_BEFORE_FIRST_PAINT)


def test_every_command_is_listed_for_the_lazy_parser() -> None:
    """``cli.COMMANDS`` names every command the full parser has, in its order."""
    from desktopchat import cli

    parser = cli.build_parser()
    choices = next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(choices) == list(cli.COMMANDS)


def window_shown(home: Path) -> str:
    """Code that builds the window as the app does (services deferred) and shows it."""
    return (
        "import os\n"
        f"os.environ['DESKTOPCHAT_HOME'] = {str(home)!r}\n"
        "os.environ['QT_QPA_PLATFORM'] = 'offscreen'\n"
        "from desktopchat.client.credentials import DeferredTokenStore\n"
        "from desktopchat.client.settings import default_settings\n"
        "from desktopchat.paths import app_dirs\n"
        "from desktopchat.ui import app, theme\n"
        "from desktopchat.ui.main_window import MainWindow\n"
        "qt = app.application()\n"
        "theme.apply('system')\n"
        "window = MainWindow(app_dirs(), default_settings(), DeferredTokenStore(), [],"
        " defer_services=True)\n"
        "window.show()\n"
        "qt.processEvents()\n"
    )


def test_building_and_showing_the_window_loads_none_of_them(tmp_path: Path) -> None:
    """The window as the app builds it (services deferred) is shown without them too."""
    code = window_shown(tmp_path)
    roots = loaded_roots(code)
    assert "PySide6" in roots
    assert not roots & NOT_BEFORE_FIRST_PAINT, sorted(roots & NOT_BEFORE_FIRST_PAINT)
