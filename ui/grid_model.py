"""The night grid's model: tables by floor down, 15-minute slots across.

Rows are a header row per floor followed by that floor's tables; columns are
the night's slots (``ui.timeline``), so a clock-change night has the right
number of columns.  The model holds one ``NightPlan``; ``set_plan`` swaps it
and tells views in one signal: ``dataChanged`` over the rows that differ when
the layout is the same, a reset when the tables, floors or hours changed.
Views and delegates only draw what the roles give them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)

from frontdesk.plan import Booking, NightPlan, TableRow
from ui import text
from ui.grid_layout import (
    Block,
    GridRow,
    HoldBlock,
    OutOfService,
    Role,
    RowKind,
    layout_rows,
    out_of_service_label,
    out_of_service_tooltip,
    table_tooltip,
)
from ui.timeline import Slot, column_at, last_column, night_slots, position

# The placed blocks and roles live in ui.grid_layout; importable from here too.
__all__ = [
    "HOLD_RECHECK_MS",
    "Block",
    "GridRow",
    "HoldBlock",
    "NightGridModel",
    "OutOfService",
    "Role",
    "RowKind",
    "out_of_service_label",
]

Index = QModelIndex | QPersistentModelIndex


#: How often holds are looked at again: one that expires writes nothing to
#: the feed, so nothing else would take its "being booked" off the grid.
HOLD_RECHECK_MS = 30_000


def _utc_now() -> datetime:
    return datetime.now(UTC)


class NightGridModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None, *, own_terminal: str = "") -> None:
        super().__init__(parent)
        #: The time holds are compared with (replaceable in tests).
        self.clock: Callable[[], datetime] = _utc_now
        self._hold_timer = QTimer(self)
        self._hold_timer.setInterval(HOLD_RECHECK_MS)
        self._hold_timer.timeout.connect(self.recheck_holds)  # runs while holds show
        self._own_terminal = own_terminal
        self._plan: NightPlan | None = None
        self._zone = ZoneInfo("Europe/London")
        self._rows: tuple[GridRow, ...] = ()
        self._slots: tuple[Slot, ...] = ()
        self._row_of_table: dict[UUID, int] = {}
        self._bookings: dict[UUID, Booking] = {}
        self._blocks: tuple[Block, ...] = ()
        self._holds: tuple[HoldBlock, ...] = ()
        self._booking_cells: dict[tuple[int, int], Block] = {}
        self._hold_cells: dict[tuple[int, int], HoldBlock] = {}
        self._out: tuple[OutOfService, ...] = ()
        self._out_cells: dict[tuple[int, int], OutOfService] = {}
        self._row_content: dict[int, frozenset[object]] = {}
        self._spans: dict[tuple[datetime, datetime], tuple[int, int, float, float]] = {}
        self._spans_for: tuple[Slot, ...] = ()

    # ---- the plan ---------------------------------------------------------

    @property
    def plan(self) -> NightPlan | None:
        return self._plan

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    @property
    def slots(self) -> tuple[Slot, ...]:
        return self._slots

    def set_plan(self, plan: NightPlan | None) -> None:
        """Show ``plan``: one dataChanged for the rows that differ, or one reset."""
        zone = ZoneInfo(plan.time_zone) if plan else self._zone
        rows = layout_rows(plan) if plan else ()
        slots: tuple[Slot, ...] = ()
        if plan and not plan.is_closed and plan.opens_at and plan.closes_at:
            slots = night_slots(plan.opens_at, plan.closes_at, zone)
        same_layout = (
            self._plan is not None
            and plan is not None
            and plan.night == self._plan.night
            and rows == self._rows
            and slots == self._slots
        )
        if not same_layout:
            self.beginResetModel()
        old_content = self._row_content
        self._plan, self._zone, self._rows, self._slots = plan, zone, rows, slots
        self._index()
        if not same_layout:
            self.endResetModel()
            return
        changed = [
            r
            for r in range(len(rows))
            if old_content.get(r, frozenset()) != self._row_content.get(r, frozenset())
        ]
        if changed and slots:
            self.dataChanged.emit(
                self.index(min(changed), 0), self.index(max(changed), len(slots) - 1)
            )

    def recheck_holds(self) -> None:
        """Drop holds that have expired since the plan was read (one dataChanged)."""
        if self._plan is not None and self._holds:
            self.set_plan(self._plan)

    def _index(self) -> None:
        plan, slots = self._plan, self._slots
        now = self.clock()
        self._row_of_table = {
            r.table.id: i for i, r in enumerate(self._rows) if r.table is not None
        }
        self._bookings = {b.id: b for b in plan.bookings} if plan else {}
        blocks: list[Block] = []
        holds: list[HoldBlock] = []
        content: dict[int, set[object]] = {}
        if self._spans_for is not slots:
            self._spans, self._spans_for = {}, slots
        if plan and slots:
            for b in plan.bookings:
                if not b.status.holds_table:
                    continue
                first, last, x0, x1 = self._span(b.starts_at, b.ends_at)
                for table_id in b.table_ids:
                    row = self._row_of_table.get(table_id)
                    if row is not None:
                        blocks.append(Block(b, table_id, row, first, last, x0, x1))
                        content.setdefault(row, set()).add(b)
            for h in plan.holds:
                row = self._row_of_table.get(h.table_id)
                if row is None or h.terminal == self._own_terminal or h.expires_at <= now:
                    continue
                holds.append(
                    HoldBlock(
                        h,
                        row,
                        column_at(slots, h.starts_at),
                        last_column(slots, h.ends_at),
                        position(slots, h.starts_at),
                        position(slots, h.ends_at),
                    )
                )
                content.setdefault(row, set()).add(h)
        out = self._out_of_service(plan) if plan and slots else []
        for o in out:
            content.setdefault(o.row, set()).add(o.block)
        self._out = tuple(out)
        self._out_cells = {(o.row, c): o for o in out for c in range(o.first, o.last + 1)}
        self._blocks, self._holds = tuple(blocks), tuple(holds)
        self._booking_cells = {
            (blk.row, c): blk for blk in blocks for c in range(blk.first, blk.last + 1)
        }
        self._hold_cells = {(h.row, c): h for h in holds for c in range(h.first, h.last + 1)}
        if holds and not self._hold_timer.isActive():
            self._hold_timer.start()
        elif not holds:
            self._hold_timer.stop()
        self._row_content = {r: frozenset(items) for r, items in content.items()}

    def _out_of_service(self, plan: NightPlan) -> list[OutOfService]:
        out = []
        for k in plan.blocks:
            row = self._row_of_table.get(k.table_id)
            starts_at = k.starts_at or plan.opens_at
            ends_at = k.ends_at or plan.closes_at
            if row is None or starts_at is None or ends_at is None:
                continue
            first, last, x0, x1 = self._span(starts_at, ends_at)
            out.append(OutOfService(k, row, first, last, x0, x1))
        return out

    def _span(self, starts_at: datetime, ends_at: datetime) -> tuple[int, int, float, float]:
        """Columns and drawing positions of a span; remembered, as a reload
        brings mostly the same bookings back."""
        key = (starts_at, ends_at)
        span = self._spans.get(key)
        if span is None:
            slots = self._slots
            span = (
                column_at(slots, starts_at),
                last_column(slots, ends_at),
                position(slots, starts_at),
                position(slots, ends_at),
            )
            self._spans[key] = span
        return span

    # ---- lookups for the view and the controllers -------------------------

    def grid_row(self, row: int) -> GridRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def table_at(self, row: int) -> TableRow | None:
        grid_row = self.grid_row(row)
        return grid_row.table if grid_row else None

    def row_for_table(self, table_id: UUID) -> int:
        return self._row_of_table.get(table_id, -1)

    def table(self, table_id: UUID) -> TableRow | None:
        return self.table_at(self.row_for_table(table_id))

    def table_names(self, table_ids: tuple[UUID, ...] | frozenset[UUID]) -> list[str]:
        return [t.name for t in (self.table(i) for i in table_ids) if t is not None]

    def booking(self, booking_id: UUID) -> Booking | None:
        return self._bookings.get(booking_id)

    def blocks(self) -> tuple[Block, ...]:
        return self._blocks

    def hold_blocks(self) -> tuple[HoldBlock, ...]:
        return self._holds

    def block_at(self, row: int, column: int) -> Block | None:
        return self._booking_cells.get((row, column))

    def booking_at(self, row: int, column: int) -> Booking | None:
        block = self.block_at(row, column)
        return block.booking if block else None

    def hold_at(self, row: int, column: int) -> HoldBlock | None:
        return self._hold_cells.get((row, column))

    def out_of_service(self) -> tuple[OutOfService, ...]:
        """The night's table blocks, placed on their rows."""
        return self._out

    def out_of_service_at(self, row: int, column: int) -> OutOfService | None:
        return self._out_cells.get((row, column))

    def blocks_of(self, booking_id: UUID) -> list[Block]:
        return [b for b in self._blocks if b.booking.id == booking_id]

    def slot(self, column: int) -> Slot | None:
        return self._slots[column] if 0 <= column < len(self._slots) else None

    def column_for(self, instant: datetime) -> int:
        return column_at(self._slots, instant)

    def is_free(self, row: int, first: int, last: int, ignore: UUID | None = None) -> bool:
        """No active booking (other than ``ignore``) and no table block on
        this row in these columns."""
        for c in range(first, last + 1):
            if (row, c) in self._out_cells:
                return False
            block = self._booking_cells.get((row, c))
            if block is not None and block.booking.id != ignore:
                return False
        return True

    def span_of(self, first: int, last: int) -> tuple[datetime, datetime]:
        """The instants from the start of column ``first`` to the end of ``last``."""
        return self._slots[first].starts_at, self._slots[last].ends_at

    # ---- QAbstractTableModel ---------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._slots)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._rows[index.row()].kind is RowKind.FLOOR:
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        grid_row = self._rows[row]
        if role == Role.ROW_KIND:
            return int(grid_row.kind)
        if role == Role.FLOOR:
            return grid_row.floor
        if role == Role.TABLE:
            return grid_row.table
        if role == Role.SLOT:
            return self._slots[col]
        if role == Role.STARTS_AT:
            return self._slots[col].starts_at
        if role == Role.ENDS_AT:
            return self._slots[col].ends_at
        if grid_row.kind is RowKind.FLOOR:
            if role == Qt.ItemDataRole.DisplayRole and col == 0:
                return grid_row.floor.name
            return None
        block = self._booking_cells.get((row, col))
        if role == Role.BOOKING:
            return block.booking if block else None
        if role == Role.BLOCK_START:
            return block is not None and block.first == col
        hold = self._hold_cells.get((row, col))
        if role == Role.HOLD:
            return hold.hold if hold else None
        out = self._out_cells.get((row, col))
        if role == Role.OUT_OF_SERVICE:
            return out.block if out else None
        if role == Qt.ItemDataRole.DisplayRole:
            if block and block.first == col:
                b = block.booking
                return f"{b.customer_name} · {b.party_size} · {b.status.label}"
            if hold and hold.first == col:
                return "Being booked"
            if out and out.first == col:
                return out_of_service_label(out.block)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if out and not block:
                return out_of_service_tooltip(self._rows[out.row].table, out.block, self._zone)
            return self._tooltip(row, col, block, hold)
        return None

    def _tooltip(self, row: int, col: int, block: Block | None, hold: HoldBlock | None) -> str:
        if block:
            names = self.table_names(block.booking.table_ids)
            return text.booking_tooltip(block.booking, self._zone, names)
        if hold:
            return text.hold_tooltip(hold.hold, self._zone)
        table = self._rows[row].table
        slot = self._slots[col]
        name = table.name if table else ""
        return f"{name} · {slot.full_label} · free"

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal:
            if not 0 <= section < len(self._slots):
                return None
            slot = self._slots[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return slot.full_label
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{slot.full_label} – {slot.ends_at:%H:%M}"
            if role == Role.SLOT:
                return slot
            return None
        if not 0 <= section < len(self._rows):
            return None
        grid_row = self._rows[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return grid_row.table.name if grid_row.table else grid_row.floor.name
        if role == Role.ROW_KIND:
            return int(grid_row.kind)
        if role == Role.TABLE:
            return grid_row.table
        if role == Role.FLOOR:
            return grid_row.floor
        if role == Qt.ItemDataRole.ToolTipRole and grid_row.table:
            return table_tooltip(grid_row.table)
        return None
