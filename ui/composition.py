"""The running desk: database, services, live updates and the window, built once.

``Desktop`` owns what outlives any widget — the connection pool, the
``Desk``, the worker threads (``Ops``) and the live-update listener — and
closes them in order: the window first (it saves its layout and releases
holds), then the workers, the listener and the pool.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings

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
    ) -> None:
        """Connects and reads the venue (blocking: this is start-up).  Raises
        ServerUnavailable or Refused("UNKNOWN_VENUE") from the desk."""
        staff = StaffContext(terminal=settings.terminal, staff_name=settings.staff_name)
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
            staff_name=settings.staff_name,
            store=store if store is not None else window_settings(settings),
            colours=colours,
        )
        self._closed = False

    def start(self) -> None:
        self.window.show()
        if self.live is not None:
            self.live.start()
        self.window.start()

    def close(self) -> None:
        """Close the window and everything behind it.  Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self.window.close()
        # Waited for (briefly): a queued call would be cancelled by the shutdown.
        self.ops.shutdown(last=_release_holds, timeout=2.0)
        if self.live is not None:
            self.live.stop()
        if self._own_db:
            self.db.close()
        self.window.deleteLater()


def _release_holds(desk: Desk) -> int:
    return desk.release_holds()
