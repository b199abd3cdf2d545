"""The run sheet's menu actions in the window.

``RunSheetActions`` puts "Print run sheet…" (Ctrl+P), "Save run sheet as
PDF…" and "Export night as CSV…" in the window; its dialogs are attributes
a test replaces.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtPrintSupport import QAbstractPrintDialog, QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMenu, QWidget

from frontdesk.desk import Desk
from frontdesk.exports import NightSheet, load_night_sheet, write_csv
from frontdesk.plan import NightPlan
from ui.night import NightController
from ui.ops import Ops
from ui.runsheet_html import night_heading, printed_by
from ui.runsheet_render import paint_run_sheet, save_pdf, set_a4

#: Asks where to print; True to go ahead.  Tests replace it.
AskPrint = Callable[[QPrinter, QWidget], bool]
#: Asks where to save (parent, caption, suggested path, filter); "" for cancel.
AskSavePath = Callable[[QWidget, str, str, str], str]


def ask_print(printer: QPrinter, parent: QWidget) -> bool:
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print run sheet")
    dialog.setOption(QAbstractPrintDialog.PrintDialogOption.PrintPageRange, False)
    return dialog.exec() == QDialog.DialogCode.Accepted


def ask_save_path(parent: QWidget, caption: str, suggested: str, filter_: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, caption, suggested, filter_)
    return path


class RunSheetActions(QObject):
    """Print run sheet (Ctrl+P), Save run sheet as PDF…, Export night as CSV…
    for the night on screen.  The night is read afresh (off the UI thread)
    when asked; the document is made on the UI thread.

    Managers' paperwork: for a host the actions are shown, disabled, with
    the tooltip "Managers only"."""

    #: The tooltip of an action a host sees but may not use.
    MANAGERS_ONLY = "Managers only"

    message = Signal(str)  # for the status bar

    def __init__(
        self,
        ops: Ops,
        night: NightController,
        parent: QWidget,
        *,
        terminal: str,
    ) -> None:
        super().__init__(parent)
        self._ops = ops
        self._night = night
        self._parent = parent
        self._terminal = terminal
        self._online = True
        self._ready = True  # someone is signed in and the desk is not locked
        self._manager = False
        self.printed_by = printed_by("", terminal)
        self.ask_print: AskPrint = ask_print
        self.ask_save_path: AskSavePath = ask_save_path
        self.clock: Callable[[], datetime] = _utc_now
        self.folder = Path.home()
        self.act_print = QAction("Print run sheet…", parent)
        self.act_print.setShortcut(QKeySequence(QKeySequence.StandardKey.Print))
        self.act_pdf = QAction("Save run sheet as PDF…", parent)
        self.act_csv = QAction("Export night as CSV…", parent)
        self.act_print.triggered.connect(self.print_night)
        self.act_pdf.triggered.connect(self.save_night_pdf)
        self.act_csv.triggered.connect(self.export_night_csv)
        self._labels = {a: a.text().rstrip("…") for a in self.actions}
        self._refresh()

    @property
    def actions(self) -> list[QAction]:
        return [self.act_print, self.act_pdf, self.act_csv]

    def menu(self, parent: QWidget) -> QMenu:
        """The window's Night menu."""
        menu = QMenu("&Night", parent)
        menu.setToolTipsVisible(True)  # "Managers only" on the disabled items
        menu.addAction(self.act_print)
        menu.addAction(self.act_pdf)
        menu.addSeparator()
        menu.addAction(self.act_csv)
        return menu

    def set_online(self, online: bool) -> None:
        self._online = online
        self._refresh()

    def set_ready(self, ready: bool) -> None:
        """False while nobody is signed in or the desk is locked."""
        self._ready = ready
        self._refresh()

    def set_staff(self, name: str, *, manager: bool) -> None:
        """Who is signed in: the footer names them; only a manager prints."""
        self.printed_by = printed_by(name, self._terminal)
        self._manager = manager
        self._refresh()

    def _refresh(self) -> None:
        for action in self.actions:
            action.setEnabled(self._online and self._ready and self._manager)
            action.setToolTip(self._labels[action] if self._manager else self.MANAGERS_ONLY)

    # ---- print ------------------------------------------------------------

    def print_night(self) -> None:
        night = self._night.night
        if night is not None:
            self._ops.query(partial(_sheet, night), owner=self, done=self._print)

    def _print(self, sheet: NightSheet) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        set_a4(printer)
        printer.setDocName(f"Run sheet {sheet.plan.night.isoformat()}")
        if not self.ask_print(printer, self._parent):
            return
        try:
            pages = paint_run_sheet(
                sheet,
                printer,
                printer.resolution(),
                printed_at=self._now(sheet),
                printed_by=self.printed_by,
            )
        except OSError as exc:
            self.message.emit(f"Couldn't print the run sheet: {exc}")
            return
        self.message.emit(
            f"Run sheet for {night_heading(sheet.plan.night)} printed ({_pages(pages)})"
        )

    # ---- save as PDF ------------------------------------------------------

    def save_night_pdf(self) -> None:
        night = self._night.night
        if night is None:
            return
        path = self._ask_path(
            "Save run sheet as PDF", f"run-sheet-{night.isoformat()}.pdf", "PDF (*.pdf)"
        )
        if path is not None:
            self._ops.query(partial(_sheet, night), owner=self, done=partial(self._save_pdf, path))

    def _save_pdf(self, path: Path, sheet: NightSheet) -> None:
        try:
            pages = save_pdf(sheet, path, printed_at=self._now(sheet), printed_by=self.printed_by)
        except OSError as exc:
            self.message.emit(f"Couldn't save {path.name}: {exc.strerror or exc}")
            return
        self.message.emit(f"Run sheet saved to {path} ({_pages(pages)})")

    # ---- CSV --------------------------------------------------------------

    def export_night_csv(self) -> None:
        night = self._night.night
        if night is None:
            return
        path = self._ask_path(
            "Export night as CSV", f"bookings-{night.isoformat()}.csv", "CSV (*.csv)"
        )
        if path is not None:
            self._ops.query(partial(_plan, night), owner=self, done=partial(self._save_csv, path))

    def _save_csv(self, path: Path, plan: NightPlan) -> None:
        try:
            count = write_csv(path, [plan])
        except OSError as exc:
            self.message.emit(f"Couldn't save {path.name}: {exc.strerror or exc}")
            return
        noun = "booking" if count == 1 else "bookings"
        self.message.emit(f"Exported {count} {noun} to {path}")

    # ---- helpers ----------------------------------------------------------

    def _ask_path(self, caption: str, name: str, filter_: str) -> Path | None:
        chosen = self.ask_save_path(self._parent, caption, str(self.folder / name), filter_)
        if not chosen:
            return None
        path = Path(chosen)
        self.folder = path.parent
        return path

    def _now(self, sheet: NightSheet) -> datetime:
        return self.clock().astimezone(ZoneInfo(sheet.plan.time_zone))


def _pages(count: int) -> str:
    return "1 page" if count == 1 else f"{count} pages"


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _sheet(night: date, desk: Desk) -> NightSheet:
    return load_night_sheet(desk, night)


def _plan(night: date, desk: Desk) -> NightPlan:
    return desk.night_plan(night)
