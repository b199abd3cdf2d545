"""This desk's edits to bookings: moves, statuses, walk-ins, and their undo.

Each edit is one ``Ops.mutate`` call; when it succeeds it is announced as a
``Change`` (the grid reloads through the same path as for other desks) and
pushed on the undo stack: a move's undo moves it back; a status's undo is
the engine's correction (``revert_status``: the same person within minutes,
a manager at any time), and ``put_back`` asks for one directly.  A refusal comes back as a
message a host can read, and a refused move as ``move_refused`` so that the
grid puts the block back.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from uuid import UUID

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from frontdesk.desk import BookingResult, Desk
from frontdesk.errors import Refused, ServerUnavailable
from frontdesk.plan import Change, Status
from ui import text
from ui.commands import DeskCommand, MoveCommand, Placement
from ui.grid_model import NightGridModel
from ui.ops import Ops
from ui.status_command import StatusCommand

#: What the host asked for, in the words of the undo menu and the status bar.
STATUS_VERBS: dict[Status, str] = {
    Status.CONFIRMED: "Confirm",
    Status.ARRIVED: "Mark arrived",
    Status.SEATED: "Seat",
    Status.COMPLETED: "Complete",
    Status.CANCELLED: "Cancel",
    Status.NO_SHOW: "Mark no-show",
}


def reason(exc: Exception) -> str:
    if isinstance(exc, Refused):
        return exc.message
    if isinstance(exc, ServerUnavailable):
        return "the database can't be reached"
    return str(exc) or type(exc).__name__


class BookingActions(QObject):
    move_settled = Signal(object)  # booking id
    move_refused = Signal(object, str)  # booking id, why
    walked_in = Signal(object)  # BookingResult
    message = Signal(str)  # for the status bar
    busy_changed = Signal(bool)  # an undo, a redo or a move is on its way

    #: Why a move is refused while an undo or redo is in flight.
    WAIT_FOR_UNDO = "Wait for the undo to finish"

    def __init__(self, ops: Ops, model: NightGridModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._model = model
        self._busy = False  # an undo or redo is in flight
        self._moving = 0  # moves in flight (each will push onto the stack)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(50)

    @property
    def busy(self) -> bool:
        """Undo and redo must wait: one is in flight, or a move that will push is."""
        return self._busy or self._moving > 0

    def _change(self, night: date, tables: frozenset[UUID], booking_id: UUID, kind: str) -> Change:
        return Change(
            venue_id=self._ops.desk.venue_id,
            night=night,
            table_ids=tables,
            booking_ids=frozenset({booking_id}),
            kinds=frozenset({kind}),
        )

    # ---- moves ------------------------------------------------------------

    def move(
        self,
        booking_id: UUID,
        table_ids: tuple[UUID, ...],
        starts_at: datetime,
        ends_at: datetime,
        party_size: int | None = None,
    ) -> None:
        """Move, resize or re-table a booking on the night on screen."""
        booking, plan = self._model.booking(booking_id), self._model.plan
        if booking is None or plan is None:
            self.move_refused.emit(booking_id, "That booking is no longer on this night.")
            return
        if self._busy:
            # A push now would delete the command being undone (or make a
            # failed undo's recovery revert this move instead): refuse it.
            self.move_refused.emit(booking_id, self.WAIT_FOR_UNDO)
            self.message.emit(f"Not moved: {self.WAIT_FOR_UNDO}")
            return
        old = Placement(booking.table_ids, booking.starts_at, booking.ends_at, booking.party_size)
        new = Placement(tuple(table_ids), starts_at, ends_at, party_size or booking.party_size)
        where = ", ".join(self._model.table_names(new.table_ids))
        when = text.span(starts_at, ends_at, self._model.zone)
        label = f"Move {booking.customer_name} to {where} {when}"
        command = MoveCommand(self, label, booking_id, plan.night, old, new)
        self._moves_in_flight(+1)
        self._ops.mutate(
            command.call(forward=True),
            owner=self,
            changes=partial(self._command_change, command),
            done=partial(self._moved, command),
            failed=partial(self._move_failed, booking_id),
        )

    def _moved(self, command: MoveCommand, _result: object) -> None:
        self._moves_in_flight(-1)
        self.undo_stack.push(command)
        self.move_settled.emit(command.booking_id)
        self.message.emit(command.text())

    def _move_failed(self, booking_id: UUID, exc: Exception) -> None:
        self._moves_in_flight(-1)
        why = reason(exc)
        self.move_refused.emit(booking_id, why)
        self.message.emit(f"Not moved: {why}")

    # ---- statuses ---------------------------------------------------------

    def set_status(self, booking_id: UUID, status: Status) -> None:
        """Change a booking's status; undoable (see the module's docstring)."""
        booking, plan = self._model.booking(booking_id), self._model.plan
        if booking is None or plan is None:
            return
        verb = STATUS_VERBS.get(status, status.label)
        label = f"{verb}: {booking.customer_name}"
        tables = frozenset(booking.table_ids)
        command = StatusCommand(self, label, booking_id, plan.night, status, tables)
        self._moves_in_flight(+1)  # it will push: undo waits for it
        self._ops.mutate(
            command.call(forward=True),
            owner=self,
            changes=partial(self._command_change, command),
            done=partial(self._status_set, command),
            failed=partial(self._status_failed, label),
        )

    def _status_set(self, command: StatusCommand, _old: object) -> None:
        self._moves_in_flight(-1)
        self.undo_stack.push(command)
        self.message.emit(f"{command.text()} — Ctrl+Z puts it back")

    def _status_failed(self, label: str, exc: Exception) -> None:
        self._moves_in_flight(-1)
        self.message.emit(f"{label} — not done: {reason(exc)}")

    def put_back(self, booking_id: UUID) -> None:
        """Put a booking's last status back (a manager's correction, or the
        host's own within minutes); the engine decides and says why not."""
        booking, plan = self._model.booking(booking_id), self._model.plan
        if booking is None or plan is None:
            return
        night, tables = plan.night, frozenset(booking.table_ids)
        name = booking.customer_name

        def put_back(desk: Desk) -> Status:
            return desk.revert_status(booking_id)

        self._ops.mutate(
            put_back,
            owner=self,
            changes=lambda _now: self._change(night, tables, booking_id, "status"),
            done=partial(self._put_back, name),
            failed=partial(self._status_failed_quietly, f"Put back {name}'s status"),
        )

    def _put_back(self, name: str, status: Status) -> None:
        self.message.emit(f"{name}'s booking is {status.label.lower()} again")

    def _status_failed_quietly(self, label: str, exc: Exception) -> None:
        self.message.emit(f"{label} — not done: {reason(exc)}")

    # ---- walk-ins ---------------------------------------------------------

    def walk_in(self, table_ids: tuple[UUID, ...], party_size: int, name: str = "Walk-in") -> None:
        def seat_now(desk: Desk) -> tuple[BookingResult, date]:
            return desk.walk_in(table_ids, party_size, name=name), desk.current_night()

        self._ops.mutate(
            seat_now,
            owner=self,
            changes=partial(self._walk_in_change, frozenset(table_ids)),
            done=self._walked_in,
            failed=self._walk_in_failed,
        )

    def _walk_in_change(
        self, tables: frozenset[UUID], result: tuple[BookingResult, date]
    ) -> Change:
        booking, night = result
        return self._change(night, tables, booking.booking_id, "booked")

    def _walked_in(self, result: tuple[BookingResult, date]) -> None:
        self.walked_in.emit(result[0])
        self.message.emit(f"Walk-in seated — {result[0].reference}")

    def _walk_in_failed(self, exc: Exception) -> None:
        self.message.emit(f"Walk-in not seated: {reason(exc)}")

    # ---- undo and redo, as calls to the engine -------------------------------

    def undo(self) -> None:
        if not self.busy and self.undo_stack.canUndo():
            self.undo_stack.undo()

    def redo(self) -> None:
        if not self.busy and self.undo_stack.canRedo():
            self.undo_stack.redo()

    def run_command(self, command: DeskCommand, *, forward: bool) -> None:
        """Called by a command's undo/redo: make the call; on refusal drop the command."""
        self._set_busy(True)
        self._ops.mutate(
            command.call(forward),
            owner=self,
            changes=partial(self._command_change, command),
            done=partial(self._command_done, command, forward),
            failed=partial(self._command_failed, command, forward),
        )

    def _command_change(self, command: DeskCommand, _result: object) -> Change:
        return self._change(command.night, command.tables(), command.booking_id, command.kind)

    def _command_done(self, command: DeskCommand, forward: bool, _result: object) -> None:
        self._set_busy(False)
        self.message.emit(f"{'Redone' if forward else 'Undone'}: {command.text()}")

    def _command_failed(self, command: DeskCommand, forward: bool, exc: Exception) -> None:
        what = f"Can't {'redo' if forward else 'undo'} “{command.text()}”: {reason(exc)}"
        if isinstance(exc, ServerUnavailable):
            # Nothing happened; put the stack back as it was, without a call.
            command.skip_once = True
        else:
            # The engine said no: this step cannot be taken; forget it so the
            # stack matches the database.  The stack removes an obsolete
            # command without calling it again.
            command.setObsolete(True)
        if forward:
            self.undo_stack.undo()
        else:
            self.undo_stack.redo()
        self._set_busy(False)
        self.message.emit(what)

    def _set_busy(self, busy: bool) -> None:
        was = self.busy
        self._busy = busy
        if self.busy != was:
            self.busy_changed.emit(self.busy)

    def _moves_in_flight(self, delta: int) -> None:
        was = self.busy
        self._moving += delta
        if self.busy != was:
            self.busy_changed.emit(self.busy)
