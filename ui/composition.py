"""The running desk: database, services, live updates and the window, built once.

``Desktop`` owns what outlives any widget — the connection pool, the
``Desk``, the worker threads (``Ops``) and the live-update listener — and
closes them in order: the window first (it saves its layout), then the
workers (after this desk's holds are released and its person signed out),
the listener and the pool.

Nobody is signed in at first: the window opens under the sign-in screen,
and the person who signs in is who the engine audits (the desk's login and
FRONTDESK_STAFF say nothing about that).

Which venue: the database's only one; with several, the one this machine
chose (``ui.venue_picker``); with none, on the private server, the first
run offers the demo or a venue of one's own (``ui.first_run``), and the
Setup window opens when its manager first signs in.  The window follows the
venue as a manager's setup changes it (title, the sign-in screen's name,
the idle lock), at this desk or another.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

import shiboken6
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog

from frontdesk import cli
from frontdesk.crash_kit import CrashKitConfig
from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk, SignedIn
from frontdesk.errors import Refused
from frontdesk.plan import Change, NightPlan
from frontdesk.settings import Settings
from ui import theme
from ui.first_run import FirstRunDialog
from ui.live import LiveUpdates
from ui.mainwindow import MainWindow
from ui.ops import Ops
from ui.setup_window import SetupWindow, open_setup_window
from ui.venue_picker import VenuePicker, remember, remembered

NO_VENUE = (
    "This database has no venue yet. The venue's admin sets one up "
    "(frontdesk venue import, as the database's owner) or loads the demo "
    "(frontdesk db upgrade --demo)."
)


def window_settings(settings: Settings) -> QSettings:
    """Where the window remembers its size, layout and last night shown."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return QSettings(str(settings.data_dir / "window.ini"), QSettings.Format.IniFormat)


class Desktop:
    def __init__(
        self,
        settings: Settings,
        url: str,
        *,
        store: QSettings | None = None,
        colours: theme.Theme = theme.LIGHT,
        live: bool = True,
        desk: Desk | None = None,
        idle_lock_ms: int | None = None,
        owner_url: str | None = None,
        venue_id: UUID | None = None,
    ) -> None:
        """Connects and reads the venue (blocking: this is start-up; the
        first run and the venue picker are asked here).  Raises
        ServerUnavailable, or Refused: UNKNOWN_VENUE from the desk, NO_VENUE
        when there is none and none was set up.  ``idle_lock_ms``: lock
        after this long untouched (default: the venue's idle time, as it
        changes).  ``owner_url``: the database owner's, for the first run
        (default: the private server's, when that is the database)."""
        self.settings = settings
        staff = StaffContext(terminal=settings.terminal)
        self.db = desk.db if desk is not None else Database(url, staff=staff)
        self._own_db = desk is None
        self._store = store if store is not None else window_settings(settings)
        self._owner_url = owner_url
        self._new_venue_manager: str | None = None
        self.setup_window: SetupWindow | None = None
        try:
            self.desk = desk or self._open_venue(venue_id)
        except BaseException:
            if self._own_db:
                self.db.close()
            raise
        self.ops = Ops(self.desk)
        # LISTEN needs a session of its own: a direct URL when the pool goes
        # through a transaction-pooling PgBouncer.
        listen_url = settings.listen_url or url
        self.live = LiveUpdates(listen_url, self.desk.venue_id) if live else None
        self.window = MainWindow(
            self.ops,
            self.live,
            terminal=settings.terminal,
            store=self._store,
            colours=colours,
            idle_lock_ms=idle_lock_ms,
            crash_kit=CrashKitConfig.for_settings(settings),
        )
        self.window.connection_settings_wanted.connect(self.connection_settings)
        self.window.setup_wanted.connect(self.open_setup)
        self._fixed_idle = idle_lock_ms is not None
        self._follow_the_venue()
        self._closed = False

    # ---- which venue --------------------------------------------------------

    def _open_venue(self, venue_id: UUID | None) -> Desk:
        if venue_id is not None:
            return Desk(self.db, venue_id)
        venues = Desk.venues(self.db)
        if not venues:
            return Desk(self.db, self._first_run())
        if len(venues) == 1:
            return Desk(self.db, venues[0].id)
        chosen = remembered(self._store, venues)
        if chosen is None:
            picker = VenuePicker(venues)
            if picker.exec() != QDialog.DialogCode.Accepted or picker.chosen is None:
                raise Refused("NO_VENUE", "No venue was chosen.")
            chosen = picker.chosen
            remember(self._store, chosen.id)
        return Desk(self.db, chosen.id)

    def _first_run(self) -> UUID:
        owner = self._owner_url or cli.owner_url(self.settings)
        if owner is None:
            raise Refused("NO_VENUE", NO_VENUE)
        dialog = FirstRunDialog(owner, terminal=self.settings.terminal)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.venue_id is None:
            raise Refused("NO_VENUE", "No venue was set up.")
        if dialog.created_new:
            self._new_venue_manager = dialog.manager_name
        return dialog.venue_id

    # ---- following the venue as its setup changes ------------------------------

    def _follow_the_venue(self) -> None:
        window = self.window
        window.night.plan_loaded.connect(self._plan_loaded)
        self.ops.changed.connect(self._changes)
        if self.live is not None:
            self.live.changes_arrived.connect(self._changes)
        window.session.signed_in.connect(self._signed_in)

    def _plan_loaded(self, plan: NightPlan) -> None:
        self.window.setWindowTitle(f"frontdesk — {plan.venue_name}")
        self.window.sign_in_screen.venue.setText(plan.venue_name)

    def _changes(self, changes: Iterable[Change], _initiator: object = None) -> None:
        if any(c.night is None for c in changes):
            self.ops.query(_idle_lock_minutes, owner=self.window, done=self._idle_minutes)

    def _idle_minutes(self, minutes: int) -> None:
        if not self._fixed_idle:
            self.window.idle.set_interval(minutes * 60_000)

    def _signed_in(self, who: SignedIn) -> None:
        """A new venue's manager signs in the first time: on to its setup."""
        if self._new_venue_manager is not None and who.is_manager:
            self._new_venue_manager = None
            self.open_setup()

    def open_setup(self) -> SetupWindow | None:
        """The Setup window (a manager's; None for anyone else).  One at a
        time: asked again, the open one comes to the front."""
        who = self.desk.signed_in
        open_now = self.setup_window
        if open_now is not None and shiboken6.isValid(open_now) and open_now.isVisible():
            open_now.raise_()
            open_now.activateWindow()
            return open_now
        self.setup_window = open_setup_window(
            self.window, self.ops, manager=who is not None and who.is_manager
        )
        return self.setup_window

    def start(self) -> None:
        self.window.show()
        if self.live is not None:
            self.live.start()
        self.window.start()

    def connection_settings(self) -> None:
        """Desk > Connection settings… (and the link on the sign-in screen)."""
        # Imported when asked for: the dialog and its connection test are
        # only needed then.
        from ui.settings_dialog import open_settings_dialog

        open_settings_dialog(self.window, self.settings)

    def close(self) -> None:
        """Close the window and everything behind it.  Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.window.close()
        self.window.manager.shutdown()
        # Waited for (briefly): a queued call would be cancelled by the shutdown.
        self.ops.shutdown(last=_leave_the_desk, timeout=2.0)
        if self.live is not None:
            self.live.stop()
        if self._own_db:
            self.db.close()
        self.window.deleteLater()


def _idle_lock_minutes(desk: Desk) -> int:
    desk.refresh_venue()
    return desk.idle_lock_minutes


def _leave_the_desk(desk: Desk) -> None:
    """This desk's holds go, then whoever is signed in is signed out: a
    session does not outlive its window."""
    if desk.signed_in is None:
        return  # nobody to sign out, and no hold can be released without someone
    try:
        desk.release_holds()
    finally:
        desk.sign_out()
