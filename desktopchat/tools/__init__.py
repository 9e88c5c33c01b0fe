"""Developer tools that ship with the package (run with ``python -m desktopchat.tools.X``)."""
