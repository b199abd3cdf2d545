"""Edits as undoable commands (orange-canvas-core's commands.py).

A command does not change anything locally: its undo and redo are calls to
the engine, made through ``BookingActions``, which may refuse them (the old
slot was taken meanwhile, a seated party cannot be un-seated).  The first
``redo`` — Qt's, on push — does nothing: the edit has already happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from PySide6.QtGui import QUndoCommand

from frontdesk.desk import Desk

if TYPE_CHECKING:
    from ui.actions import BookingActions


@dataclass(frozen=True)
class Placement:
    """Where a booking sits: its tables, its times and its party."""

    table_ids: tuple[UUID, ...]
    starts_at: datetime
    ends_at: datetime
    party_size: int | None = None


class DeskCommand(QUndoCommand):
    def __init__(self, actions: BookingActions, text: str, booking_id: UUID, night: date) -> None:
        super().__init__(text)
        self._actions = actions
        # Qt calls redo() on push, but the edit has already been made.
        self.skip_once = True
        self.booking_id = booking_id
        self.night = night

    def redo(self) -> None:
        if self.skip_once:
            self.skip_once = False
            return
        self._actions.run_command(self, forward=True)

    def undo(self) -> None:
        if self.skip_once:
            self.skip_once = False
            return
        self._actions.run_command(self, forward=False)

    def call(self, forward: bool) -> Callable[[Desk], object]:
        raise NotImplementedError

    def tables(self) -> frozenset[UUID]:
        raise NotImplementedError

    kind = "changed"


class MoveCommand(DeskCommand):
    kind = "moved"

    def __init__(
        self,
        actions: BookingActions,
        text: str,
        booking_id: UUID,
        night: date,
        old: Placement,
        new: Placement,
    ) -> None:
        super().__init__(actions, text, booking_id, night)
        self.old, self.new = old, new

    def call(self, forward: bool) -> Callable[[Desk], object]:
        target = self.new if forward else self.old
        booking_id = self.booking_id

        def move(desk: Desk) -> None:
            desk.move(
                booking_id,
                table_ids=target.table_ids,
                starts_at=target.starts_at,
                ends_at=target.ends_at,
                party_size=target.party_size,
            )

        return move

    def tables(self) -> frozenset[UUID]:
        return frozenset(self.old.table_ids) | frozenset(self.new.table_ids)
