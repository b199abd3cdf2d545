"""The Setup window (a manager's): the venue, its floors and tables, opening
hours, nights and booking policy, edited and saved in one transaction.

The window reads the setup document (``Desk.venue_setup``), edits a copy
(every change undoable until it is saved: Ctrl+Z, Ctrl+Shift+Z) and sends
it whole (``Desk.save_venue_setup``): the engine checks everything, saves it
all or nothing, and tells every desk (a ``layout`` change: each grid lays
itself out again).  A refusal is shown in words and the edits are kept: a
place in the document is selected on its page, bookings a save would
strand are listed (reference, guest, night and time, tables) to move or
cancel first, and a setup changed at another desk meanwhile is said so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from frontdesk.desk import Desk
from frontdesk.plan import Change
from frontdesk.venue_setup import WEEKDAYS, SavedSetup, SetupRefused
from ui.ops import Ops
from ui.setup_common import StrandedList, message_label, show_message
from ui.setup_document import SetupDocument, problems
from ui.setup_models import _DocModel
from ui.setup_tabs import HoursPage, NightsPage, TablesPage, VenuePage

TITLE = "Venue setup"


class SetupWindow(QDialog):
    """One venue's setup; modeless, one at a time."""

    saved = Signal(object)  # SavedSetup

    def __init__(self, ops: Ops, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLE)
        self.setObjectName("SetupWindow")
        self._ops = ops
        self.document = SetupDocument(self)
        self.tabs = QTabWidget(self)
        self.venue_page = VenuePage(self.document, self)
        self.tables_page = TablesPage(self.document, self)
        self.hours_page = HoursPage(self.document, self)
        self.nights_page = NightsPage(self.document, self)
        self.tabs.addTab(self.venue_page, "&Venue and policy")
        self.tabs.addTab(self.tables_page, "&Floors and tables")
        self.tabs.addTab(self.hours_page, "&Opening hours")
        self.tabs.addTab(self.nights_page, "&Nights and events")
        self.status = message_label(self)
        self.stranded = StrandedList(self)
        self.stranded.hide()
        self.buttons = QDialogButtonBox(self)
        self.undo_button = QPushButton("Undo", self)
        self.redo_button = QPushButton("Redo", self)
        self.save_button = QPushButton("Save", self)
        self.save_button.setDefault(True)
        self.save_button.setToolTip("Save everything, for every desk (Ctrl+S)")
        self.buttons.addButton(self.undo_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.addButton(self.redo_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ApplyRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 3)
        layout.addWidget(self.status)
        layout.addWidget(self.stranded, 2)
        layout.addWidget(self.buttons)
        stack = self.document.undo_stack
        self.undo_button.clicked.connect(stack.undo)
        self.redo_button.clicked.connect(stack.redo)
        self.save_button.clicked.connect(self.save)
        self.buttons.rejected.connect(self.close)
        for keys, slot in (
            (QKeySequence.StandardKey.Undo, stack.undo),
            (QKeySequence.StandardKey.Redo, stack.redo),
            (QKeySequence.StandardKey.Save, self.save),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(slot)
        self.document.changed.connect(self._update)
        stack.indexChanged.connect(self._update)
        self._saving = False
        self._loaded_once = False
        self.resize(1180, 720)
        self._update()

    # ---- reading and saving -------------------------------------------------

    def load(self) -> None:
        """Read the setup (again), dropping unsaved edits."""
        self._say("Reading the setup…")
        self._ops.query(_read, owner=self, done=self._loaded, failed=self._read_failed)

    def _loaded(self, doc: Mapping[str, Any]) -> None:
        self._loaded_once = True
        self.document.load(doc)
        self.setWindowTitle(f"{TITLE} — {doc.get('name', '')}")
        self._say("")

    def _read_failed(self, exc: Exception) -> None:
        self._say(f"Couldn't read the setup: {getattr(exc, 'message', None) or exc}", error=True)

    def save(self) -> None:
        if self._saving or not self.document.loaded:
            return
        found = problems(self.document.doc)
        if found:
            path, message = next(iter(found.items()))
            self.go_to(path)
            self._say(f"Not saved: {message}", error=True)
            return
        self._saving = True
        self._update()
        self._say("Saving…")
        doc = dict(self.document.doc)
        venue = self._ops.desk.venue_id
        self._ops.mutate(
            lambda desk: desk.save_venue_setup(doc),
            owner=self,
            changes=lambda _saved: Change(venue, None, kinds=frozenset({"layout"})),
            done=self._saved,
            failed=self._refused,
        )

    def _saved(self, result: SavedSetup) -> None:
        self._saving = False
        self.document.undo_stack.setClean()  # saved, even before it is read back
        self.stranded.show_bookings(())
        self.saved.emit(result)
        self._say(
            "Saved: every desk shows the new setup."
            if result.changed_anything
            else "Saved (nothing had changed)."
        )
        # The new version (and the engine's tidy form: ids of new tables).
        self._ops.query(_read, owner=self, done=self._reloaded, failed=self._read_failed)

    def _reloaded(self, doc: Mapping[str, Any]) -> None:
        said = self.status.text()
        self._loaded(doc)
        self._say(said)

    def _refused(self, exc: Exception) -> None:
        self._saving = False
        self._update()
        message = getattr(exc, "message", None) or str(exc)
        if isinstance(exc, SetupRefused):
            self.stranded.show_bookings(exc.stranded)
            if exc.stranded:
                # The engine names three; the list below has them all.
                said = exc.message.split(": ", 1)[0]
                message = f"{said} (listed below). Move or cancel them first, then save again."
            if exc.path:
                path = _zero_based(exc.path)
                self.document.server_problem = (path, exc.message)
                self.document.changed.emit()
                self.go_to(path)
            if exc.code == "SETUP_CHANGED":
                message += " Your edits are still here: close without saving to see theirs."
        self._say(f"Not saved: {message}", error=True)

    # ---- where a problem is --------------------------------------------------

    def go_to(self, path: tuple[str, ...]) -> None:
        """Show the page and cell (or field) of a place in the document."""
        section = path[0] if path else ""
        if section in ("floors", "tables"):
            page = self.tables_page
            view = page.floors if section == "floors" else page.tables
            self._select(view, path)
            self.tabs.setCurrentWidget(page)
        elif section == "hours":
            self.tabs.setCurrentWidget(self.hours_page)
            if len(path) > 1 and path[1] in WEEKDAYS:
                model = self.hours_page.model
                column = next((i for i, c in enumerate(model.columns) if c.key == path[-1]), 0)
                self.hours_page.view.setCurrentIndex(model.index(WEEKDAYS.index(path[1]), column))
        elif section == "nights":
            self.tabs.setCurrentWidget(self.nights_page)
            self._select(self.nights_page.view, path)
        else:
            self.tabs.setCurrentWidget(self.venue_page)

    def _select(self, view: QTableView, path: tuple[str, ...]) -> None:
        model = view.model()
        if not isinstance(model, _DocModel) or len(path) < 2 or not path[1].isdigit():
            return
        key = path[2] if len(path) > 2 else ""
        keys = [c.key for c in model.columns]
        if key in ("reason", "event"):
            key = "name"
        column = keys.index(key) if key in keys else 0
        view.setCurrentIndex(model.index(int(path[1]), column))
        view.setFocus()

    # ---- state ----------------------------------------------------------------

    def _say(self, message: str, *, error: bool = False) -> None:
        show_message(self.status, message, error=error)

    def _update(self) -> None:
        stack = self.document.undo_stack
        self.undo_button.setEnabled(stack.canUndo() and not self._saving)
        self.redo_button.setEnabled(stack.canRedo() and not self._saving)
        self.undo_button.setToolTip(f"Undo {stack.undoText()} (Ctrl+Z)" if stack.canUndo() else "")
        self.redo_button.setToolTip(f"Redo {stack.redoText()}" if stack.canRedo() else "")
        self.save_button.setEnabled(self.document.dirty and not self._saving)
        if self._saving or not self.document.loaded:
            return
        found = problems(self.document.doc)
        if found:
            first = next(iter(found.values()))
            more = f" ({len(found) - 1} more to fix)" if len(found) > 1 else ""
            self._say(f"{first}{more}", error=True)
        elif self.document.server_problem is None and self.document.dirty:
            self._say(
                f"Unsaved: {stack.undoText()}. Save (Ctrl+S) applies every change at every "
                "desk at once; Undo (Ctrl+Z) takes the last one back.",
                error=False,
            )
        elif self.status.property("kind") == "error" and self.document.server_problem is None:
            self._say("")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.document.dirty and not self._saving:
            answer = QMessageBox.question(
                self,
                TITLE,
                "Close without saving? Your changes to the setup will be lost.",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                event.ignore()
                return
        super().closeEvent(event)


def _read(desk: Desk) -> dict[str, Any]:
    return desk.venue_setup()


def _zero_based(path: tuple[str, ...]) -> tuple[str, ...]:
    """The engine counts items from 1 ({tables,3,capacity}); the window from 0."""
    if len(path) > 1 and path[0] in ("floors", "tables", "nights", "blocks") and path[1].isdigit():
        return (path[0], str(int(path[1]) - 1), *path[2:])
    return path


def open_setup_window(
    parent: QWidget, ops: Ops, *, manager: bool, venue_id: UUID | None = None
) -> SetupWindow | None:
    """Manager > Venue setup…: None for anyone but a manager (the engine
    refuses them anyway)."""
    if not manager:
        return None
    window = SetupWindow(ops, parent)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    window.show()
    window.load()
    return window
