"""Desktop notifications: when to notify (``policy``, pure), how (``backends``), and the
glue that coalesces, replaces and withdraws them (``center``).

Linux talks to ``org.freedesktop.Notifications`` itself (dbus-fast), because the
freedesktop behaviour users expect — one notification per room replaced in place, the
``desktop-entry`` and ``category`` hints, the server's ``Inhibited`` do-not-disturb — is
beyond desktop-notifier's portable API; macOS and Windows use desktop-notifier.
"""
