"""Table blocks from the grid: "Block table…" and "Unblock" (a manager's).

``BlockDialog`` takes a table out of service for the whole night or from a
time until a time, with a reason; the engine refuses a block over bookings
and the dialog lists them (reference, guest, time, tables), keeping what was
typed.  ``TableBlockActions`` is what the window makes once and asks to fill
the grid's context menu (``add_to``); both calls go through ``Ops``, and the
block reaches every grid as a change of its night.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from uuid import UUID

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from frontdesk.desk import Desk
from frontdesk.errors import Refused
from frontdesk.plan import Change, TableBlock
from frontdesk.venue_setup import SetupRefused
from ui import text
from ui.grid_model import NightGridModel
from ui.ops import Ops
from ui.setup_common import message_label, show_message, stranded_text

MANAGERS_ONLY = "Managers only"


class BlockDialog(QDialog):
    """Block a table for a night: whole night, or from–until; a reason."""

    blocked = Signal(object)  # the block's id

    def __init__(
        self,
        ops: Ops,
        model: NightGridModel,
        table_id: UUID,
        parent: QWidget | None = None,
        *,
        span: tuple[datetime, datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        plan = model.plan
        assert plan is not None and model.slots, "a block needs an open night on the grid"
        self._ops = ops
        self._night: date = plan.night
        self._venue_id = plan.venue_id
        self.setWindowTitle("Block table")
        # Values are kept here, by index: a combo's item data would turn
        # them into Qt's types.
        tables = sorted(plan.tables, key=lambda t: (t.grid_order, t.name))
        self._table_ids = [t.id for t in tables]
        self.table = QComboBox(self)
        self.table.addItems([t.name for t in tables])
        if table_id in self._table_ids:
            self.table.setCurrentIndex(self._table_ids.index(table_id))
        self.whole = QRadioButton("The whole night", self)
        self.part = QRadioButton("From", self)
        group = QButtonGroup(self)
        group.addButton(self.whole)
        group.addButton(self.part)
        self.starts = QComboBox(self)
        self.ends = QComboBox(self)
        slots = model.slots
        self._starts = [slot.starts_at for slot in slots]
        self._ends = [slot.ends_at for slot in slots]
        self.starts.addItems([slot.full_label for slot in slots])
        self.ends.addItems([text.clock(end, model.zone) for end in self._ends])
        if span is not None:
            self.part.setChecked(True)
            if span[0] in self._starts:
                self.starts.setCurrentIndex(self._starts.index(span[0]))
            if span[1] in self._ends:
                self.ends.setCurrentIndex(self._ends.index(span[1]))
        else:
            self.whole.setChecked(True)
            self.ends.setCurrentIndex(self.ends.count() - 1)
        self.reason = QLineEdit(self)
        self.reason.setPlaceholderText("Broken booth, private area, deep clean…")
        self.reason.setMaxLength(200)
        self.problem = message_label(self)
        times = QHBoxLayout()
        times.addWidget(self.part)
        times.addWidget(self.starts)
        times.addWidget(QLabel("until", self))
        times.addWidget(self.ends)
        times.addStretch(1)
        form = QFormLayout()
        form.addRow("&Table", self.table)
        form.addRow("", self.whole)
        form.addRow("", _wrap(times, self))
        form.addRow("&Reason", self.reason)
        self.buttons = QDialogButtonBox(self)
        self.ok = self.buttons.addButton("Block table", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{text.night_title(plan.night)}</b>", self))
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for combo in (self.starts, self.ends):
            combo.activated.connect(self._part_chosen)
        self.reason.textChanged.connect(self._update)
        self._busy = False
        self._update()
        self.reason.setFocus()

    def _part_chosen(self) -> None:
        self.part.setChecked(True)
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(bool(self.reason.text().strip()) and not self._busy)

    def say(self, message: str) -> None:
        show_message(self.problem, message)

    def submit(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            self.say("Say why the table is out of service.")
            return
        table_id = self._table_ids[self.table.currentIndex()]
        starts: datetime | None = None
        ends: datetime | None = None
        if self.part.isChecked():
            starts = self._starts[self.starts.currentIndex()]
            ends = self._ends[self.ends.currentIndex()]
            if ends <= starts:
                self.say("The block must end after it starts.")
                return
        self._busy = True
        self._update()
        self.say("")
        night, venue = self._night, self._venue_id
        self._ops.mutate(
            partial(_block, table_id, night, starts, ends, reason),
            owner=self,
            changes=lambda _id: Change(
                venue, night, frozenset({table_id}), kinds=frozenset({"blocked"})
            ),
            done=self._blocked,
            failed=self._refused,
        )

    def _blocked(self, block_id: UUID) -> None:
        self._busy = False
        self.blocked.emit(block_id)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self._busy = False
        self._update()
        if isinstance(exc, SetupRefused) and exc.stranded:
            self.say(f"Not blocked: {exc.message}\n\n{stranded_text(exc.stranded)}")
        else:
            self.say(f"Not blocked: {getattr(exc, 'message', None) or exc}")


def _wrap(layout: QHBoxLayout, parent: QWidget) -> QWidget:
    holder = QWidget(parent)
    layout.setContentsMargins(0, 0, 0, 0)
    holder.setLayout(layout)
    return holder


def _block(
    table_id: UUID,
    night: date,
    starts: datetime | None,
    ends: datetime | None,
    reason: str,
    desk: Desk,
) -> UUID:
    return desk.block_table(table_id, night, starts, ends, reason)


def _unblock(block_id: UUID, desk: Desk) -> None:
    desk.unblock_table(block_id)


class TableBlockActions(QObject):
    """ "Block table…" and "Unblock" for the grid's context menu; shown to
    everyone, enabled for a manager (the engine refuses anyone else)."""

    message = Signal(str)  # for the status bar

    def __init__(self, ops: Ops, model: NightGridModel, parent: QWidget) -> None:
        super().__init__(parent)
        self._ops = ops
        self._model = model
        self._parent = parent
        self._manager = False
        self.dialog: BlockDialog | None = None

    def set_manager(self, manager: bool) -> None:
        self._manager = manager
        if not manager and self.dialog is not None and shiboken6.isValid(self.dialog):
            self.dialog.close()

    def add_to(
        self,
        menu: QMenu,
        row: int,
        column: int,
        span: tuple[UUID, datetime, datetime] | None = None,
    ) -> None:
        """Add the entries for the cell (row, column) of the grid: "Unblock"
        on a block, else "Block table…" (the selected span, when there is one)."""
        table = self._model.table_at(row)
        if table is None or not self._model.slots:
            return
        menu.setToolTipsVisible(True)
        menu.addSeparator()
        out = self._model.out_of_service_at(row, column)
        if out is not None:
            action = QAction(f"Unblock {table.name} ({out.block.reason})", menu)
            action.triggered.connect(partial(self.unblock, out.block))
        else:
            action = QAction(f"Block {table.name}…", menu)
            times = span[1:] if span is not None and span[0] == table.id else None
            action.triggered.connect(partial(self.open_dialog, table.id, times))
        action.setEnabled(self._manager)
        action.setToolTip("" if self._manager else MANAGERS_ONLY)
        menu.addAction(action)

    def open_dialog(
        self, table_id: UUID, span: tuple[datetime, datetime] | None = None
    ) -> BlockDialog | None:
        if not self._manager or self._model.plan is None or not self._model.slots:
            return None
        dialog = BlockDialog(self._ops, self._model, table_id, self._parent, span=span)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.blocked.connect(self._blocked)
        self.dialog = dialog
        dialog.open()
        return dialog

    def unblock(self, block: TableBlock, *, confirm: bool = True) -> None:
        """Put the table back in service (after a yes, unless ``confirm`` is False)."""
        if not self._manager:
            return
        table = self._model.table(block.table_id)
        name = table.name if table else "The table"
        if confirm:
            answer = QMessageBox.question(
                self._parent,
                "Unblock table",
                f"Put {name} back in service? ({block.reason})",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        plan = self._model.plan
        night = plan.night if plan else None
        venue = plan.venue_id if plan else None
        self._ops.mutate(
            partial(_unblock, block.id),
            owner=self,
            changes=lambda _r: (
                Change(venue, night, frozenset({block.table_id}), kinds=frozenset({"unblocked"}))
                if venue is not None
                else None
            ),
            done=lambda _r: self.message.emit(f"{name} is back in service."),
            failed=lambda exc: self.message.emit(
                f"Not unblocked: {exc.message if isinstance(exc, Refused) else exc}"
            ),
        )

    def _blocked(self, _block_id: UUID) -> None:
        self.message.emit("Table blocked.")
