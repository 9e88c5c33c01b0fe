"""Runs the search panel's searches against a session: the relay first, else locally.

Online the relay searches every room the user may read, on a worker thread; when it cannot
be reached (or the session has not connected yet) the local database's index answers on
the GUI thread, where that database lives, and the panel says the results are offline.
Only the newest search's answer is shown: a slow answer to an older query is dropped.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from desktopchat.client.errors import DesktopChatError, RelayError, RelayUnreachableError
from desktopchat.client.realtime import ConnectionState
from desktopchat.client.search import SearchResults, search_local

if TYPE_CHECKING:
    from desktopchat.client.session import ChatSession
    from desktopchat.ui.search_panel import SearchPanel


class SearchFlow(QObject):
    """Connects a :class:`SearchPanel` to the current :class:`ChatSession` (or none)."""

    def __init__(self, panel: SearchPanel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.panel = panel
        self.session: ChatSession | None = None
        self._asked = 0
        panel.search_requested.connect(self.search)

    def search(self, query: str, room: object) -> None:
        """Search ``query`` in ``room`` (None: everywhere) and show the answer on the panel."""
        session = self.session
        if session is None:
            self.panel.show_error(query, "Not signed in")
            return
        scope = room if isinstance(room, str) else None
        self._asked += 1
        asked = self._asked
        if session.bridge.state is not ConnectionState.CONNECTED:
            self._local(session, query, scope, asked)
            return
        relay = session.relay

        def done(results: SearchResults) -> None:
            if asked == self._asked:
                self.panel.show_results(results)

        def failed(exc: BaseException) -> None:
            if asked != self._asked or self.session is not session:
                return
            if isinstance(exc, RelayUnreachableError):
                self._local(session, query, scope, asked)
            elif isinstance(exc, DesktopChatError):
                self.panel.show_error(query, str(exc))
            else:
                raise exc

        session.tasks.run(lambda: relay().search(query, room=scope), done, failed)

    def _local(self, session: ChatSession, query: str, room: str | None, asked: int) -> None:
        try:
            results = search_local(session.database, query, room=room)
        except RelayError as exc:
            self.panel.show_error(query, str(exc))
            return
        if asked == self._asked:
            self.panel.show_results(results)
