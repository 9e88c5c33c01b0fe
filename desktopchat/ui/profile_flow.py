"""Getting the window a session: open a profile (local-first), or ask the user to sign in.

Opening runs on a worker (it may start the embedded hub and talks HTTP). With a stored
session the window opens at once from the local database even when the server cannot
be reached (an *offline* login; it connects when the server returns). A remote profile
with a stored session opens from the local database first, before any network, and is
checked meanwhile (the embedded one first makes sure its hub runs). Only a missing or
refused session asks the user anything: the sign-in dialog. When the server is
unreachable and nothing is stored yet, it says so in plain words and tries again by
itself, with back-off, instead of showing an error box.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from desktopchat.client.backoff import Backoff
from desktopchat.client.credentials import TokenStore
from desktopchat.client.errors import (
    AuthenticationError,
    CertificateError,
    DesktopChatError,
    HubStartError,
    NotLoggedInError,
    RelayUnreachableError,
    UntrustedCertificateError,
)
from desktopchat.client.live_settings import LiveSettings
from desktopchat.client.login import Login, offline_login, open_login, sign_in
from desktopchat.client.settings import Profile
from desktopchat.client.tasks import TaskRunner
from desktopchat.client.trust import KnownHosts
from desktopchat.paths import AppDirs

if TYPE_CHECKING:  # the dialogs and the certificate prompt load when one opens
    from desktopchat.ui.dialogs import SignInDialog, SignInRequest
    from desktopchat.ui.trust_prompt import TrustPrompt

log = logging.getLogger(__name__)


class ProfileFlow(QObject):
    """Opens profiles and runs the sign-in dialog for the main window.

    Signals:
        logged_in(object): a :class:`Login` to show (possibly offline).
        status(str): what to tell the user on the notice line.
        unreachable(str, float): the server cannot be reached and no session is stored:
            plain-words reason, seconds until the next try.
    """

    logged_in = Signal(object)
    status = Signal(str)
    unreachable = Signal(str, float)

    def __init__(
        self,
        dirs: AppDirs,
        live: LiveSettings,
        store: TokenStore,
        tasks: TaskRunner,
        window: QWidget,
    ) -> None:
        super().__init__(window)
        self.dirs = dirs
        self.live = live
        self.store = store
        self._tasks = tasks
        self._window = window
        self._generation = 0
        self._backoff = Backoff()
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._profile: Profile | None = None
        self._retry.timeout.connect(self._open_again)
        self.dialog: SignInDialog | None = None
        #: The open "trust this certificate?" question, if any (tests answer it).
        self.trust_prompt: TrustPrompt | None = None

    @property
    def profile(self) -> Profile | None:
        """The profile opened last (or signed in to): the one the window shows."""
        return self._profile

    def open(self, profile: Profile) -> None:
        """Log in to ``profile`` on a worker; ``logged_in`` (or the sign-in dialog) follows."""
        self._generation += 1
        generation = self._generation
        self._profile = profile
        self._retry.stop()
        where = "this computer" if profile.embedded else profile.server
        self.status.emit(f"Connecting to {where}…")
        if profile.embedded:
            # The hub on this computer may have to be started first: online as before.
            self._open_online(generation, profile)
            return
        dirs, settings, store = self.dirs, self.live.current, self.store
        self._tasks.run(
            lambda: offline_login(dirs, settings, profile, store),
            lambda cached: self._opened_locally(generation, profile, cached),
            lambda exc: self._open_online(generation, profile),
        )

    def _open_online(self, generation: int, profile: Profile) -> None:
        dirs, settings, store = self.dirs, self.live.current, self.store
        self._tasks.run(
            lambda: open_login(dirs, settings, profile, store, allow_offline=True),
            lambda login: self._opened(generation, login),
            lambda exc: self._failed(generation, profile, exc),
        )

    def _opened_locally(self, generation: int, profile: Profile, cached: Login | None) -> None:
        """A remote profile's last session is on disk: show it now, check it meanwhile.

        A warm start paints history from the local database before any network: the
        session connects by itself and checks the token once connected. The server's
        answer to a full login is still fetched; when it differs from what was saved (new
        server settings, another user), that login replaces the one shown.
        """
        if generation != self._generation:
            return
        if cached is None:
            self._open_online(generation, profile)
            return
        self._opened(generation, cached)
        dirs, settings, store = self.dirs, self.live.current, self.store

        def checked(login: Login) -> None:
            changed = (login.user, login.server) != (cached.user, cached.server)
            if generation == self._generation and not login.offline and changed:
                self._opened(generation, login)

        def failed(exc: BaseException) -> None:
            if isinstance(exc, CertificateError):
                self._failed(generation, profile, exc)  # ask, or refuse, as before
            else:  # unreachable or refused: the session says so once it connects
                log.info("the saved session of %s is not checked yet: %s", profile.name, exc)

        self._tasks.run(
            lambda: open_login(dirs, settings, profile, store, allow_offline=True),
            checked,
            failed,
        )

    def retry_now(self) -> None:
        """The user asked to try again at once."""
        if self._profile is not None and self._retry.isActive():
            self._retry.stop()
            self.open(self._profile)

    def _open_again(self) -> None:
        if self._profile is not None:
            self.open(self._profile)

    def _opened(self, generation: int, login: Login) -> None:
        if generation == self._generation:
            self._backoff.reset()
            self.logged_in.emit(login)
            self._remember_user(login)

    def _remember_user(self, login: Login) -> None:
        """Keep who signed in to a remote profile (a token from the environment names no one).

        The next start then finds this user's local database and opens it before any
        network (:meth:`_opened_locally`).
        """
        profile = self._profile
        if profile is None or profile.embedded or login.offline:
            return
        if profile.username != login.user.username:
            self._profile = replace(profile, username=login.user.username)
            self.live.remember_profile(self._profile)

    def _failed(self, generation: int, profile: Profile, exc: BaseException) -> None:
        if generation != self._generation:
            return
        if isinstance(exc, UntrustedCertificateError):
            self.ask_trust(exc, lambda: self.open(profile))
            return
        if isinstance(exc, NotLoggedInError | AuthenticationError):
            self.status.emit(str(exc))
            self.show_sign_in(profile.server if not profile.embedded else "", profile.username)
            return
        if isinstance(exc, RelayUnreachableError | HubStartError):
            delay = self._backoff.next_delay()
            log.info("cannot open %s yet (%s); trying again in %.0f s", profile.name, exc, delay)
            where = "this computer's chat hub" if profile.embedded else profile.server
            self.unreachable.emit(f"Can't reach {where}", delay)
            self._retry.start(int(delay * 1000))
            return
        self.status.emit(f"Could not open {profile.name}: {exc}")
        log.error("opening %s failed: %s", profile.name, exc)

    # ---------------------------------------------------------------------- sign in

    def show_sign_in(self, server: str = "", username: str | None = "") -> SignInDialog:
        """Sign in to (or sign up on) a remote relay; reuses an open dialog."""
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.raise_()
            self.dialog.activateWindow()
            return self.dialog
        from desktopchat.ui.dialogs import SignInDialog  # noqa: PLC0415 - not before paint

        dialog = SignInDialog(server or "", username or "", self._window)
        dialog.requested.connect(lambda request: self._sign_in_requested(dialog, request))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _sign_in_requested(self, dialog: SignInDialog, request: SignInRequest) -> None:
        store, settings = self.store, self.live.current

        def signed_in(result: tuple[Login, Profile]) -> None:
            login, profile = result
            self.live.use_profile(profile)
            self._generation += 1  # a pending open or retry of the old profile is moot
            self._retry.stop()
            self._profile = profile
            dialog.accept()
            self.logged_in.emit(login)

        def refused(exc: BaseException) -> None:
            if isinstance(exc, UntrustedCertificateError):
                self.ask_trust(
                    exc,
                    lambda: self._sign_in_requested(dialog, request),
                    lambda: dialog.failed("Not signed in: the certificate was not trusted"),
                )
                return
            dialog.failed(str(exc) if isinstance(exc, DesktopChatError) else f"Failed: {exc}")

        known_hosts = KnownHosts(self.dirs.data)
        self._tasks.run(
            lambda: sign_in(
                store,
                settings,
                request.server,
                request.username,
                request.password,
                remember_me=request.remember,
                create_account=request.create_account,
                display_name=request.display_name,
                email=request.email,
                known_hosts=known_hosts,
            ),
            signed_in,
            refused,
        )

    # ------------------------------------------------------------------ certificates

    def ask_trust(
        self,
        error: UntrustedCertificateError,
        then: Callable[[], None],
        otherwise: Callable[[], None] | None = None,
    ) -> None:
        """Show the certificate's fingerprint; if the person trusts it, pin it and ``then()``.

        Nothing was sent to the server: the refusal came right after the handshake.
        """
        if self.trust_prompt is not None:
            self.trust_prompt.reject()
        from desktopchat.ui.trust_prompt import TrustPrompt  # noqa: PLC0415 - see above

        prompt = TrustPrompt(error, self._window)
        self.trust_prompt = prompt

        def trusted() -> None:
            self.trust_prompt = None
            try:
                KnownHosts(self.dirs.data).pin(error.server, error.presented)
            except OSError as exc:
                QMessageBox.warning(self._window, "desktopchat", f"Could not save the trust: {exc}")
                return
            self.status.emit(f"Trusted the certificate of {error.server}")
            then()

        def declined() -> None:
            self.trust_prompt = None
            self.status.emit(f"Not connected: {error.server}'s certificate was not trusted")
            if otherwise is not None:
                otherwise()

        prompt.accepted.connect(trusted)
        prompt.rejected.connect(declined)
        prompt.open()
