"""The crash kit on the desk: tonight's run sheet saved as a PDF to a local
folder a set time before opening (and on demand), so that the night can be
run on paper if the server or the network dies.

``CrashKitTimer`` asks the database for tonight's hours (through ``Ops``,
off the UI thread), waits until the kit is due (``frontdesk.crash_kit``
decides when, from an injected clock), reads the night, then draws the PDF
with the run sheet's own renderer (ui/runsheet.py) on a ``QThread`` of its
own and writes it to the folder, so the window never waits on it.  It needs
somebody signed in (the sheet holds guests' names); until then, and after a
failure (the server away), it tries again every few minutes.

``CrashKitFolder`` is a row for the settings dialog: where the kit goes,
with a button that opens the folder.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, QThread, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from frontdesk import crash_kit
from frontdesk.crash_kit import Action, CrashKitConfig
from frontdesk.desk import Desk
from frontdesk.errors import Refused, ServerUnavailable
from frontdesk.exports import NightSheet, load_night_sheet
from frontdesk.plan import NightPlan
from ui import runsheet
from ui.ops import Ops

log = logging.getLogger(__name__)

#: Look at tonight's hours again at least this often (they may change, a
#: desk may sleep through its timer).
RECHECK_MS = 30 * 60_000
#: After a failed try (nobody signed in, the server away), try again after this.
RETRY_MS = 5 * 60_000


def _tonight(desk: Desk) -> NightPlan:
    return crash_kit.tonight(desk)


def _sheet(night: date | None, desk: Desk) -> NightSheet:
    return load_night_sheet(desk, night if night is not None else desk.current_night())


class _Writer(QThread):
    """Draws the sheet and writes the file, off the UI thread.  A QThread,
    not a pool thread: the text layout needs a thread with Qt's event
    dispatcher."""

    def __init__(
        self,
        sheet: NightSheet,
        config: CrashKitConfig,
        render: crash_kit.Render,
        printed_at: datetime,
        parent: QObject,
    ) -> None:
        super().__init__(parent)
        self.sheet = sheet
        self._config = config
        self._render = render
        self._printed_at = printed_at
        self.path: Path | None = None
        self.error: Exception | None = None

    def run(self) -> None:
        try:
            data, _pages = self._render(self.sheet, self._printed_at)
            self.path = crash_kit.write_kit(self._config, self.sheet.plan.night, data)
            crash_kit.prune(self._config, today=self._printed_at.date())
        except Exception as exc:  # handed to the GUI thread, said there
            self.error = exc


class CrashKitTimer(QObject):
    """Saves tonight's run sheet when it is due, and on demand."""

    saved = Signal(object)  # the Path written
    message = Signal(str)  # for the status bar

    def __init__(
        self,
        ops: Ops,
        config: CrashKitConfig,
        *,
        terminal: str,
        clock: Callable[[], datetime] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self.config = config
        self.clock: Callable[[], datetime] = clock or _utc_now
        self.printed_by = f"Crash kit at {terminal}"
        self.render: crash_kit.Render = self._render
        self._ready = False
        self._started = False
        self._checking = False
        self._writer: _Writer | None = None
        #: Nights saved by this desk since it started (the file's time says
        #: the same across restarts).
        self.saved_nights: set[date] = set()
        self.last_step: crash_kit.NextStep | None = None
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.check)

    # ---- the desk's state --------------------------------------------------

    def start(self) -> None:
        """Begin: look at tonight now (once somebody is signed in)."""
        self._started = True
        self.check()

    def set_ready(self, ready: bool) -> None:
        """True once somebody is signed in (and the desk not locked)."""
        was = self._ready
        self._ready = ready
        if ready and not was and self._started:
            self.check()

    def stop(self) -> None:
        self._started = False
        self.timer.stop()
        if self._writer is not None:
            self._writer.wait(10_000)

    @property
    def busy(self) -> bool:
        return self._checking or self._writer is not None

    # ---- when ------------------------------------------------------------

    def check(self) -> None:
        """Read tonight's hours, then save now or wait until it is due."""
        if not self._started or self.busy:
            return
        if not self._ready:
            self._schedule(RETRY_MS)
            return
        self._checking = True
        self._ops.query(_tonight, owner=self, done=self._planned, failed=self._not_read)

    def _planned(self, plan: NightPlan) -> None:
        self._checking = False
        now = self.clock()
        step = crash_kit.next_step(now, plan, self.config)
        if step.action is Action.SAVE and plan.night in self.saved_nights:
            step = crash_kit.NextStep(Action.IDLE, night=plan.night)
        self.last_step = step
        if step.action is Action.SAVE:
            self.save_now(plan.night, automatic=True)
        elif step.action is Action.WAIT and step.at is not None:
            self._schedule(min(RECHECK_MS, _ms_until(step.at, now)))
        else:
            self._schedule(RECHECK_MS)

    def _not_read(self, exc: Exception) -> None:
        self._checking = False
        self._schedule(RETRY_MS)
        if not isinstance(exc, (Refused, ServerUnavailable)):
            log.error("crash kit: reading tonight's hours failed", exc_info=exc)

    def _schedule(self, ms: int) -> None:
        if self._started:
            self.timer.start(max(0, ms))

    # ---- saving ------------------------------------------------------------

    def save_now(self, night: date | None = None, *, automatic: bool = False) -> None:
        """Read the night (tonight by default) and write its kit."""
        if self._writer is not None:
            return
        if not automatic:
            self.message.emit("Saving the crash kit…")
        self._ops.query(
            partial(_sheet, night),
            owner=self,
            done=self._write,
            failed=self._failed,
        )

    def _write(self, sheet: NightSheet) -> None:
        printed_at = self.clock().astimezone(ZoneInfo(sheet.plan.time_zone))
        writer = _Writer(sheet, self.config, self.render, printed_at, self)
        writer.finished.connect(self._written)
        self._writer = writer
        writer.start()

    def _written(self) -> None:
        writer = self._writer
        self._writer = None
        if writer is None:
            return
        writer.deleteLater()
        if writer.error is not None or writer.path is None:
            self._failed(writer.error or RuntimeError("nothing written"))
            return
        self.saved_nights.add(writer.sheet.plan.night)
        self.message.emit(f"Crash kit saved: {writer.path}")
        self.saved.emit(writer.path)
        self._schedule(RECHECK_MS)

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, OSError):
            words = f"cannot write to {self.config.folder} ({exc.strerror or exc})"
        elif isinstance(exc, (Refused, ServerUnavailable)):
            words = exc.message
        else:
            log.error("crash kit: saving failed", exc_info=exc)
            words = f"something went wrong ({type(exc).__name__}); it has been logged"
        self.message.emit(f"Crash kit not saved: {words}")
        self._schedule(RETRY_MS)

    def _render(self, sheet: NightSheet, printed_at: datetime) -> tuple[bytes, int]:
        return runsheet.pdf_bytes(sheet, printed_at=printed_at, printed_by=self.printed_by)


def _ms_until(at: datetime, now: datetime) -> int:
    return int((at - now).total_seconds() * 1000)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class CrashKitFolder(QWidget):
    """For the settings dialog: the kit's folder, and "Open folder"."""

    def __init__(self, config: CrashKitConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        minutes = int(config.lead.total_seconds() // 60)
        self.path = QLabel(str(config.folder), self)
        self.path.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.path.setToolTip(
            f"Tonight's run sheet is saved here as a PDF {minutes} minutes before opening, "
            "so the night can be run on paper if the server or the network is lost. "
            "A week of nights is kept."
        )
        self.open_button = QPushButton("Open folder", self)
        self.open_button.clicked.connect(self.open_folder)
        layout.addWidget(self.path, 1)
        layout.addWidget(self.open_button)

    def open_folder(self) -> None:
        self.config.folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.config.folder)))
