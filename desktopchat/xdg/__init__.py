"""Making this installation known to a freedesktop.org (XDG) desktop, on Linux and the BSDs.

The launcher entry and its icons (:mod:`~desktopchat.xdg.entry`), starting at login
(:mod:`~desktopchat.xdg.autostart`), both pointing at the command that starts this very
installation (:mod:`~desktopchat.xdg.launcher`). No Qt here: the CLI and the window share it.
"""
