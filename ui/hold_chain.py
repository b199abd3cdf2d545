"""One dialog's holds on its chosen tables, and their release.

While a booking is being taken the chosen tables are held, so other desks
see them as "being booked"; the hold follows the host's choice and is let
go when the dialog closes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID

from PySide6.QtCore import QObject, Signal

from frontdesk.desk import Desk, HoldResult
from ui.ops import Ops


class HoldChain(QObject):
    """One dialog's holds and releases, one call at a time, in order.

    On the shared worker pool two calls from one dialog could overtake each
    other (a release finishing before the hold it should undo).  Here the
    next call is only sent when the previous has finished, and only the
    latest wanted one: a hold wanted while another is in flight replaces any
    call still waiting.  Parented to ``Ops``: the release a closing dialog
    asks for still runs after the dialog has gone; then the chain goes too.
    """

    held = Signal(object)  # HoldResult, of the latest hold (none is waiting)
    hold_failed = Signal(object)  # Exception, likewise

    def __init__(self, ops: Ops) -> None:
        super().__init__(ops)
        self._ops = ops
        self._in_flight = False
        self._next: Callable[[Desk], object] | None = None
        self._closing = False

    @property
    def idle(self) -> bool:
        return not self._in_flight and self._next is None

    def want(self, call: Callable[[Desk], object]) -> None:
        if self._in_flight:
            self._next = call
        else:
            self._send(call)

    def close(self) -> None:
        """No more calls will be wanted; go once the last one has finished."""
        self._closing = True
        if self.idle:
            self.deleteLater()

    def _send(self, call: Callable[[Desk], object]) -> None:
        self._in_flight = True
        self._ops.mutate(call, owner=self, done=self._done, failed=self._failed)

    def _done(self, result: object) -> None:
        self._in_flight = False
        if self._next is None and isinstance(result, HoldResult) and not self._closing:
            self.held.emit(result)
        self._advance()

    def _failed(self, exc: Exception) -> None:
        self._in_flight = False
        if self._next is None and not self._closing:
            self.hold_failed.emit(exc)
        self._advance()

    def _advance(self) -> None:
        call, self._next = self._next, None
        if call is not None:
            self._send(call)
        elif self._closing:
            self.deleteLater()


def hold_call(
    tables: tuple[UUID, ...], night: date, starts_at: datetime, ends_at: datetime
) -> Callable[[Desk], HoldResult]:
    """The desk call that holds ``tables`` (replacing this terminal's holds)."""

    def hold(desk: Desk) -> HoldResult:
        return desk.hold(tables, night, starts_at, ends_at)

    return hold


def release_call(desk: Desk) -> int:
    """The desk call that lets go of every hold of this terminal."""
    return desk.release_holds()
