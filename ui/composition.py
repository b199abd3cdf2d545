"""The running desk: database, services, live updates and the window, built once.

``Desktop`` owns what outlives any widget — the connection pool, the
``Desk``, the worker threads (``Ops``) and the live-update listener — and
closes them in order: the window first (it saves its layout), then the
workers (after this desk's holds are released and its person signed out),
the listener and the pool.

Nobody is signed in at first: the window opens under the sign-in screen,
and the person who signs in is who the engine audits (the desk's login and
FRONTDESK_STAFF say nothing about that).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

from frontdesk.crash_kit import CrashKitConfig
from frontdesk.database import Database, StaffContext
from frontdesk.desk import Desk
from frontdesk.settings import Settings
from ui import theme
from ui.live import LiveUpdates
from ui.mainwindow import MainWindow
from ui.ops import Ops


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
    ) -> None:
        """Connects and reads the venue (blocking: this is start-up).  Raises
        ServerUnavailable or Refused("UNKNOWN_VENUE") from the desk.
        ``idle_lock_ms``: lock after this long untouched (default: the
        venue's idle time)."""
        self.settings = settings
        staff = StaffContext(terminal=settings.terminal)
        self.db = desk.db if desk is not None else Database(url, staff=staff)
        self._own_db = desk is None
        self.desk = desk or Desk.first_venue(self.db)
        self.ops = Ops(self.desk)
        # LISTEN needs a session of its own: a direct URL when the pool goes
        # through a transaction-pooling PgBouncer.
        listen_url = settings.listen_url or url
        self.live = LiveUpdates(listen_url, self.desk.venue_id) if live else None
        self.window = MainWindow(
            self.ops,
            self.live,
            terminal=settings.terminal,
            store=store if store is not None else window_settings(settings),
            colours=colours,
            idle_lock_ms=idle_lock_ms,
            crash_kit=CrashKitConfig.for_settings(settings),
        )
        self.window.connection_settings_wanted.connect(self.connection_settings)
        self._closed = False

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


def _leave_the_desk(desk: Desk) -> None:
    """This desk's holds go, then whoever is signed in is signed out: a
    session does not outlive its window."""
    if desk.signed_in is None:
        return  # nobody to sign out, and no hold can be released without someone
    try:
        desk.release_holds()
    finally:
        desk.sign_out()
