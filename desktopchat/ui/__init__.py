"""The window: widgets only, built on the client core's services (no networking here).

``app`` starts it; ``main_window`` lays it out; the message list is a model
(``message_model``), a delegate (``message_delegate``) and a view (``message_view``) —
no widget per message. ``markup`` turns message text into safe rich text.
Only this package imports QtWidgets (enforced by import-linter). Importing it first
makes PySide6's per-import check cheap (:mod:`.pyside_imports`).
"""

from desktopchat.ui import pyside_imports

pyside_imports.install()  # before the window's ~300 imports: see its docstring
