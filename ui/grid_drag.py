"""Dragging a booking on the night grid: where it would land, and what then.

A press on a block starts nothing; moving past the drag distance makes a
``Ghost`` (the block on its way somewhere), which follows the mouse snapped
to 15-minute columns and table rows.  While it is dragged it says what the
drop would mean: the times, a new minimum spend when the tables change
("min £300, was £150"), or why it cannot land (``BLOCKED``: another booking,
a table being booked at another desk or out of service, too few seats).
On release:

    DRAGGING ─ release ─▶ MOVING ─ settle_move ─▶ SETTLED ─ model shows it ─▶ (gone)
        │                  ▲   └─ spring_back ─▶ RETURNING ─ slid home ─▶ (gone)
        │   (minimum changes)
        └─▶ ASKING ─ yes ──┘   no ─▶ RETURNING
    BLOCKED ─ release ─▶ RETURNING (no call: ``blocked`` says why)

Only ``MOVING`` asks the engine (``move_wanted``); whoever carries the move
out answers with ``settle_move`` or ``spring_back``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Protocol
from uuid import UUID

from PySide6.QtCore import QEasingCurve, QObject, QPoint, QRectF, QTimer, QVariantAnimation, Signal
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QAbstractButton, QApplication, QMessageBox, QWidget

from frontdesk.plan import Booking
from ui import text
from ui.grid_model import Block, NightGridModel
from ui.timeline import after, elapsed, last_column


class DragState(Enum):
    DRAGGING = "dragging"  # following the mouse; it could land here
    BLOCKED = "blocked"  # following the mouse; it cannot land here (``Ghost.blocked``)
    ASKING = "asking"  # dropped; the host is asked about the new minimum spend
    MOVING = "moving"  # dropped; the engine is moving it
    SETTLED = "settled"  # moved; kept where it landed until the model shows it there
    RETURNING = "returning"  # refused or dropped on a clash: sliding home


@dataclass
class Press:
    block: Block
    pos: QPoint
    resize: bool
    grab: int  # columns between the pressed cell and the block's first column


@dataclass
class Ghost:
    """A block on its way somewhere."""

    booking: Booking
    origin: Block
    row: int
    table_ids: tuple[UUID, ...]
    starts_at: datetime
    ends_at: datetime
    state: DragState = DragState.DRAGGING
    blocked: str | None = None  # why it cannot land where it is
    min_spend: Decimal = Decimal(0)  # the minimum spend where it is
    rect: QRectF | None = None  # set while springing back
    animation: QVariantAnimation | None = field(default=None, repr=False)

    @property
    def unchanged(self) -> bool:
        b = self.booking
        return (self.table_ids, self.starts_at, self.ends_at) == (
            b.table_ids,
            b.starts_at,
            b.ends_at,
        )

    @property
    def min_spend_changes(self) -> bool:
        return self.table_ids != self.booking.table_ids and self.min_spend != self.booking.min_spend

    @property
    def in_flight(self) -> bool:
        """Dropped: the block shows where it is landing."""
        return self.state in (DragState.ASKING, DragState.MOVING, DragState.SETTLED)


def tables_min_spend(model: NightGridModel, table_ids: tuple[UUID, ...]) -> Decimal:
    """What a booking on these tables commits to: their minimum spends that
    night (the plan sends the night's prices; the engine charges the same)."""
    return sum(
        (t.min_spend for t in (model.table(i) for i in table_ids) if t is not None), Decimal(0)
    )


def why_blocked(model: NightGridModel, ghost: Ghost) -> str | None:
    """Why the ghost cannot land where it is, in a host's words; None when it can."""
    zone = model.zone
    first = model.column_for(ghost.starts_at)
    last = max(first, last_column(model.slots, ghost.ends_at))
    seats = 0
    for table_id in ghost.table_ids:
        table = model.table(table_id)
        row = model.row_for_table(table_id)
        if table is None or row < 0:
            continue
        seats += table.capacity
        for col in range(first, last + 1):
            other = model.block_at(row, col)
            if other is not None and other.booking.id != ghost.booking.id:
                b = other.booking
                return f"{table.name} is booked {text.span(b.starts_at, b.ends_at, zone)}"
            hold = model.hold_at(row, col)
            if hold is not None:
                return f"{table.name} is being booked at {hold.hold.terminal}"
            out = model.out_of_service_at(row, col)
            if out is not None:
                return f"{table.name} is out of service ({out.block.reason})"
    if seats and seats < ghost.booking.party_size:
        return f"{text.party(ghost.booking.party_size)} won't fit: {seats} seats"
    return None


class DragController(QObject):
    """The drag state machine of one grid view (see the module's docstring).

    The view hands it presses, moves and releases in its own coordinates
    and asks it what to draw; it never touches the database."""

    move_wanted = Signal(object, object, object, object)  # booking id, table ids, starts, ends
    blocked = Signal(object, str)  # booking id, why: dropped where it cannot land
    changed = Signal()  # something to repaint

    SETTLE_MS = 3000  # a settled ghost waits this long at most for the model

    def __init__(
        self,
        model: Callable[[], NightGridModel],
        geometry: GridGeometry,
        dialog_parent: QWidget,
    ) -> None:
        super().__init__(dialog_parent)
        self._model = model
        self._geometry = geometry
        self._dialog_parent = dialog_parent
        self.press: Press | None = None
        self.ghosts: dict[UUID, Ghost] = {}
        self.question: QMessageBox | None = None  # the minimum-spend question, while open
        self._settle_timer = QTimer(self)
        self._settle_timer.setSingleShot(True)
        self._settle_timer.setInterval(self.SETTLE_MS)
        self._settle_timer.timeout.connect(self.drop_settled)

    # ---- the gesture ------------------------------------------------------

    def start(self, block: Block, pos: QPoint, resize: bool, grab: int) -> bool:
        """A press on ``block``; False when it is already on its way somewhere."""
        if block.booking.id in self.ghosts:
            return False
        self.press = Press(block, pos, resize, grab)
        return True

    def cancel_press(self) -> None:
        self.press = None

    def move_to(self, pos: QPoint) -> bool:
        """The mouse moved with the button down; True when a drag handles it."""
        press = self.press
        if press is None:
            return False
        booking = press.block.booking
        ghost = self.ghosts.get(booking.id)
        if ghost is None:
            if (pos - press.pos).manhattanLength() < QApplication.startDragDistance():
                return True
            ghost = Ghost(
                booking, press.block, press.block.row, booking.table_ids, booking.starts_at,
                booking.ends_at, min_spend=booking.min_spend,
            )  # fmt: skip
            self.ghosts[booking.id] = ghost
        self._place(ghost, press, pos)
        self.changed.emit()
        return True

    def _place(self, ghost: Ghost, press: Press, pos: QPoint) -> None:
        model, geometry = self._model(), self._geometry
        slots = model.slots
        booking = press.block.booking
        if press.resize:
            last = max(press.block.first, geometry.column_at(pos.x()))
            ghost.ends_at = slots[last].ends_at
        else:
            row = geometry.row_at(pos.y())
            table = model.table_at(row)
            if table is not None:
                ghost.row = row
                origin_table = press.block.table_id
                ids = [table.id if t == origin_table else t for t in booking.table_ids]
                ghost.table_ids = tuple(dict.fromkeys(ids))
            col = max(0, min(len(slots) - 1, geometry.column_at(pos.x()) - press.grab))
            if col == press.block.first:
                ghost.starts_at, ghost.ends_at = booking.starts_at, booking.ends_at
            else:
                closes = slots[-1].ends_at
                length = elapsed(booking.starts_at, booking.ends_at)
                while col > 0 and after(slots[col].starts_at, length) > closes:
                    col -= 1
                ghost.starts_at = slots[col].starts_at
                ghost.ends_at = after(ghost.starts_at, length)
        ghost.min_spend = (
            booking.min_spend
            if ghost.table_ids == booking.table_ids
            else tables_min_spend(model, ghost.table_ids)
        )
        ghost.blocked = why_blocked(model, ghost)
        ghost.state = DragState.BLOCKED if ghost.blocked else DragState.DRAGGING

    def release(self) -> bool:
        """The button went up; True when a press on a block handles it."""
        press, self.press = self.press, None
        if press is None:
            return False
        ghost = self.ghosts.get(press.block.booking.id)
        if ghost is None:
            return True
        if ghost.state is DragState.BLOCKED:
            why = ghost.blocked or "it can't go there"
            self.spring_back(ghost.booking.id)
            self.blocked.emit(ghost.booking.id, why)
        elif ghost.state is DragState.DRAGGING:
            if ghost.unchanged:
                del self.ghosts[ghost.booking.id]
            elif ghost.min_spend_changes:
                self._ask(ghost)
            else:
                self._send(ghost)
        self.changed.emit()
        return True

    def _send(self, ghost: Ghost) -> None:
        ghost.state = DragState.MOVING
        self.move_wanted.emit(ghost.booking.id, ghost.table_ids, ghost.starts_at, ghost.ends_at)

    def _ask(self, ghost: Ghost) -> None:
        """The tables' minimum spend differs from the booking's: ask first."""
        ghost.state = DragState.ASKING
        model = self._model()
        b = ghost.booking
        where = ", ".join(model.table_names(ghost.table_ids))
        box = QMessageBox(self._dialog_parent)
        box.setIcon(QMessageBox.Icon.Question)
        box.setWindowTitle("Minimum spend changes")
        box.setText(
            f"Move {b.customer_name} to {where}? The minimum spend changes from "
            f"{text.money(b.min_spend)} to {text.money(ghost.min_spend)}."
        )
        box.setInformativeText("Tell the guest before you move them.")
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        move = box.button(QMessageBox.StandardButton.Yes)
        move.setText(f"Move — minimum {text.money(ghost.min_spend)}")
        keep = box.button(QMessageBox.StandardButton.No)
        keep.setText("Keep it where it was")
        for button in (move, keep):
            _room_for_bold(button)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setProperty("booking_id", str(b.id))
        box.finished.connect(self._answered)
        self.question = box
        box.open()

    def _answered(self, result: int) -> None:
        box = self.sender()
        if not isinstance(box, QMessageBox):
            return
        self.question = None
        box.deleteLater()
        ghost = self.ghosts.get(UUID(str(box.property("booking_id"))))
        if ghost is None or ghost.state is not DragState.ASKING:
            return
        if result == QMessageBox.StandardButton.Yes:
            self._send(ghost)
        else:
            self.spring_back(ghost.booking.id)
        self.changed.emit()

    # ---- answers from whoever carried the move out --------------------------

    def settle(self, booking_id: UUID) -> None:
        ghost = self.ghosts.get(booking_id)
        if ghost is not None:
            ghost.state = DragState.SETTLED
            self._settle_timer.start()
            self.drop_settled(only_matching=True)

    def spring_back(self, booking_id: UUID) -> None:
        ghost = self.ghosts.get(booking_id)
        if ghost is None:
            return
        ghost.state = DragState.RETURNING
        geometry = self._geometry
        start = geometry.span_rect(ghost.row, ghost.starts_at, ghost.ends_at)
        animation = QVariantAnimation(self)
        animation.setDuration(220)
        animation.setEasingCurve(QEasingCurve.Type.OutCubic)
        animation.setStartValue(start)
        animation.setEndValue(geometry.block_rectf(ghost.origin))
        animation.setProperty("booking_id", str(booking_id))
        animation.valueChanged.connect(self._spring_frame)
        animation.finished.connect(self._spring_done)
        ghost.animation = animation
        ghost.rect = start
        animation.start()

    def _animation_ghost(self) -> tuple[UUID, Ghost] | None:
        sender = self.sender()
        if not isinstance(sender, QVariantAnimation):
            return None
        booking_id = UUID(str(sender.property("booking_id")))
        ghost = self.ghosts.get(booking_id)
        return (booking_id, ghost) if ghost else None

    def _spring_frame(self, value: object) -> None:
        found = self._animation_ghost()
        if found and isinstance(value, QRectF):
            found[1].rect = value
            self.changed.emit()

    def _spring_done(self) -> None:
        found = self._animation_ghost()
        if found:
            booking_id, ghost = found
            del self.ghosts[booking_id]
            if ghost.animation is not None:
                ghost.animation.deleteLater()
            self.changed.emit()

    def drop_settled(self, only_matching: bool = False) -> None:
        """Forget settled ghosts the model now shows where they landed (or all)."""
        model = self._model()
        dropped = False
        for booking_id, ghost in list(self.ghosts.items()):
            if ghost.state is not DragState.SETTLED:
                continue
            now = model.booking(booking_id)
            landed = now is not None and (now.table_ids, now.starts_at, now.ends_at) == (
                ghost.table_ids,
                ghost.starts_at,
                ghost.ends_at,
            )
            if landed or not only_matching:
                del self.ghosts[booking_id]
                dropped = True
        if dropped:
            self.changed.emit()

    def clear(self) -> None:
        """The layout changed: every ghost's place is gone."""
        self.ghosts.clear()
        if self.question is not None:
            self.question.reject()

    # ---- what to draw -------------------------------------------------------

    def caption(self, ghost: Ghost) -> str:
        zone = self._model().zone
        if ghost.state is DragState.RETURNING:
            return "Can't move there"
        if ghost.state is DragState.BLOCKED:
            return f"Can't go here: {ghost.blocked}"
        if ghost.state is DragState.ASKING:
            return f"Minimum {text.money(ghost.min_spend)}?"
        if ghost.in_flight:
            return "Moving…"
        when = text.span(ghost.starts_at, ghost.ends_at, zone)
        if ghost.min_spend_changes:
            return (
                f"{when} · min {text.money(ghost.min_spend)}, "
                f"was {text.money(ghost.booking.min_spend)}"
            )
        return when


class GridGeometry(Protocol):
    """What the drag needs to know of the view's geometry (the view is one)."""

    def column_at(self, x: int) -> int: ...

    def row_at(self, y: int) -> int: ...

    def span_rect(self, row: int, starts_at: datetime, ends_at: datetime) -> QRectF: ...

    def block_rectf(self, block: Block) -> QRectF: ...


def _room_for_bold(button: QAbstractButton) -> None:
    """The style sheet draws the default button in bold (and the default moves
    to the focused button): wide enough for its words in bold, not clipped."""
    bold = QFont(button.font())
    bold.setBold(True)
    button.setMinimumWidth(QFontMetrics(bold).horizontalAdvance(button.text()) + 56)
