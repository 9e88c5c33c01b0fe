"""``python -m desktopchat``: the same as the ``desktopchat`` command."""

from desktopchat.cli import main

raise SystemExit(main())
