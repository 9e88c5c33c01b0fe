"""A QPalette made from the tokens, so widgets Qt paints itself match the ones we paint.

Every colour role is set from :mod:`.tokens`; disabled text is dimmed. Nothing here asks a
platform theme for anything: a plain X11 session without GTK or KDE integration gets the
same palette as any other desktop.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette

from desktopchat.ui.theme.tokens import Colours

Role = QPalette.ColorRole
Group = QPalette.ColorGroup


def build(colours: Colours) -> QPalette:
    """The application palette for ``colours``."""
    c = colours
    roles = {
        Role.Window: c.window,
        Role.WindowText: c.text,
        Role.Base: c.surface,
        Role.AlternateBase: c.row_hover,
        Role.ToolTipBase: c.tooltip,
        Role.ToolTipText: c.on_tooltip,
        Role.PlaceholderText: c.text_muted,
        Role.Text: c.text,
        Role.Button: c.raised,
        Role.ButtonText: c.text,
        Role.BrightText: c.on_accent,
        Role.Light: c.raised,
        Role.Midlight: c.border,
        Role.Mid: c.border_strong,
        Role.Dark: c.border_strong,
        Role.Shadow: c.border_strong,
        Role.Highlight: c.accent,
        Role.HighlightedText: c.on_accent,
        Role.Link: c.link,
        Role.LinkVisited: c.link,
        Role.Accent: c.accent,
    }
    result = QPalette()
    for role, value in roles.items():
        result.setColor(role, QColor(value))
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        result.setColor(Group.Disabled, role, QColor(c.text_disabled))
    return result
