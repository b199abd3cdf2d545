"""A status change as an undoable command: undo puts it back through the
engine's correction (``revert_status``), redo sets it again.

The engine decides whether the undo may happen (the same person within
minutes, or a manager); a refusal drops the command (``BookingActions``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID

from frontdesk.desk import Desk
from frontdesk.plan import Status
from ui.commands import DeskCommand

if TYPE_CHECKING:
    from ui.actions import BookingActions


class StatusCommand(DeskCommand):
    kind = "status"

    def __init__(
        self,
        actions: BookingActions,
        text: str,
        booking_id: UUID,
        night: date,
        status: Status,
        table_ids: frozenset[UUID],
    ) -> None:
        super().__init__(actions, text, booking_id, night)
        self.status = status
        self._tables = table_ids

    def call(self, forward: bool) -> Callable[[Desk], object]:
        booking_id, status = self.booking_id, self.status

        def set_again(desk: Desk) -> object:
            return desk.set_status(booking_id, status)

        def put_back(desk: Desk) -> object:
            return desk.revert_status(booking_id)

        return set_again if forward else put_back

    def tables(self) -> frozenset[UUID]:
        return self._tables
