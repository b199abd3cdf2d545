"""What the night grid places: its rows (a header per floor, then that
floor's tables), the roles its model answers, and the bookings, other desks'
holds and table blocks placed on rows and columns.

Plain values, no model state: ``ui.grid_model`` builds them from a
``NightPlan`` and the views draw them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from uuid import UUID
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt

from frontdesk.plan import Booking, Floor, Hold, NightPlan, TableBlock, TableRow
from ui import text


class RowKind(IntEnum):
    FLOOR = 0
    TABLE = 1


class Role(IntEnum):
    ROW_KIND = Qt.ItemDataRole.UserRole + 1
    FLOOR = Qt.ItemDataRole.UserRole + 2
    TABLE = Qt.ItemDataRole.UserRole + 3
    BOOKING = Qt.ItemDataRole.UserRole + 4  # the active booking covering the cell
    HOLD = Qt.ItemDataRole.UserRole + 5  # another desk's hold covering the cell
    SLOT = Qt.ItemDataRole.UserRole + 6
    BLOCK_START = Qt.ItemDataRole.UserRole + 7  # this cell starts a booking block
    STARTS_AT = Qt.ItemDataRole.UserRole + 8
    ENDS_AT = Qt.ItemDataRole.UserRole + 9
    OUT_OF_SERVICE = Qt.ItemDataRole.UserRole + 10  # a manager's TableBlock over the cell


@dataclass(frozen=True)
class GridRow:
    kind: RowKind
    floor: Floor
    table: TableRow | None = None


@dataclass(frozen=True)
class Block:
    """One booking on one table row, from column ``first`` to ``last``."""

    booking: Booking
    table_id: UUID
    row: int
    first: int
    last: int
    start_x: float = 0.0  # in columns, for drawing (see timeline.position)
    end_x: float = 0.0


@dataclass(frozen=True)
class HoldBlock:
    hold: Hold
    row: int
    first: int
    last: int
    start_x: float = 0.0
    end_x: float = 0.0


@dataclass(frozen=True)
class OutOfService:
    """A table block (out of service) on its row, drawn as a band."""

    block: TableBlock
    row: int
    first: int
    last: int
    start_x: float = 0.0
    end_x: float = 0.0


def layout_rows(plan: NightPlan) -> tuple[GridRow, ...]:
    """The grid's rows: each floor with tables (in their order), then its tables."""
    rows: list[GridRow] = []
    for floor in sorted(plan.floors, key=lambda f: (f.sort_order, f.name)):
        tables = sorted(
            (t for t in plan.tables if t.floor_id == floor.id), key=lambda t: (t.grid_order, t.name)
        )
        if not tables:
            continue
        rows.append(GridRow(RowKind.FLOOR, floor))
        rows.extend(GridRow(RowKind.TABLE, floor, t) for t in tables)
    return tuple(rows)


def out_of_service_label(block: TableBlock) -> str:
    """What a table block says on the grid."""
    return f"Out of service · {block.reason}"


def out_of_service_tooltip(table: TableRow | None, block: TableBlock, zone: ZoneInfo) -> str:
    """A table block's tooltip: the table, when, why and who blocked it."""
    when = (
        "all night"
        if block.whole_night or block.starts_at is None or block.ends_at is None
        else text.span(block.starts_at, block.ends_at, zone)
    )
    by = f" (blocked by {block.blocked_by})" if block.blocked_by else ""
    return f"{table.name if table else ''} out of service {when}: {block.reason}{by}"


def table_tooltip(table: TableRow) -> str:
    """A table row header's tooltip: seats, minimum spend, deposit, premium."""
    star = " ★ premium" if table.is_premium else ""
    return (
        f"{table.name}: {table.capacity} seats · minimum spend {text.money(table.min_spend)}"
        f" · deposit {text.money(table.deposit)}{star}"
    )
