"""What a night looks like to the desk: plain, typed values, no database.

The data layer builds these from the engine's ``night_plan`` query; the grid
model shows them.  Money is Decimal; instants are aware datetimes in the
venue's zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID


class Status(StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    ARRIVED = "arrived"
    SEATED = "seated"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"

    @property
    def label(self) -> str:
        return "No-show" if self is Status.NO_SHOW else self.value.capitalize()

    @property
    def holds_table(self) -> bool:
        """Cancelled and no-show free their tables; everything else keeps them."""
        return self not in (Status.CANCELLED, Status.NO_SHOW)


#: Where each status may go next (the engine enforces the same).
@dataclass(frozen=True)
class Floor:
    id: UUID
    name: str
    sort_order: int


@dataclass(frozen=True)
class TableRow:
    id: UUID
    floor_id: UUID
    name: str
    capacity: int
    min_spend: Decimal
    deposit: Decimal
    is_premium: bool
    grid_order: int


class DepositStatus(StrEnum):
    """A booking's deposit: none (its tables ask none), due, paid (with its
    reference), refunded or forfeited (the venue's policy, or a manager)."""

    NONE = "none"
    DUE = "due"
    PAID = "paid"
    REFUNDED = "refunded"
    FORFEITED = "forfeited"

    @property
    def label(self) -> str:
        return "No deposit" if self is DepositStatus.NONE else self.value.capitalize()


@dataclass(frozen=True)
class BookingTag:
    """One of the guest's tags as the booking shows it (VIP, Allergy...)."""

    name: str
    kind: str  # vip, note, warning, banned


@dataclass(frozen=True)
class Booking:
    id: UUID
    reference: str
    table_ids: tuple[UUID, ...]
    starts_at: datetime
    ends_at: datetime
    party_size: int
    status: Status
    customer_id: UUID
    customer_name: str
    customer_phone: str | None
    customer_email: str | None
    deposit: Decimal
    min_spend: Decimal
    source: str
    occasion: str | None = None
    special_requests: str | None = None
    payment_ref: str | None = None
    #: The guest's own notes ("Allergic to nuts"), for the run sheet.
    customer_notes: str | None = None
    #: For the guest card (the minimum-age rule reads it in the engine).
    customer_date_of_birth: date | None = None
    #: Spend recorded against the minimum so far (desk and till).
    spend_total: Decimal = Decimal(0)
    deposit_status: DepositStatus = DepositStatus.DUE
    deposit_reference: str | None = None
    guest_tags: tuple[BookingTag, ...] = ()

    @property
    def counted_deposit(self) -> Decimal:
        """The deposit counted towards the minimum: a paid one only."""
        return self.deposit if self.deposit_status is DepositStatus.PAID else Decimal(0)

    @property
    def achieved(self) -> Decimal:
        """Towards the minimum so far: the paid deposit and the spend."""
        return self.counted_deposit + self.spend_total

    @property
    def balance(self) -> Decimal:
        """What is left to reach the minimum (never below nothing)."""
        return max(self.min_spend - self.achieved, Decimal(0))

    @property
    def progress(self) -> float | None:
        """How far towards the minimum, 0 to 1 (for drawing only; None
        when the booking has no minimum)."""
        if self.min_spend <= 0:
            return None
        return min(float(self.achieved / self.min_spend), 1.0)

    def below_minimum_at(self, instant: datetime, flag_from: datetime | None) -> bool:
        """Flagged: still short of its minimum in the venue's last stretch
        before closing (``flag_from`` on), while it holds its table."""
        if flag_from is None or instant < flag_from or self.balance <= 0:
            return False
        if self.status in (Status.ARRIVED, Status.SEATED):
            return True
        return self.status in (Status.PENDING, Status.CONFIRMED) and (
            self.starts_at <= instant < self.ends_at
        )

    @property
    def length(self) -> timedelta:
        # Subtracting datetimes that share a tzinfo is wall-clock arithmetic
        # in Python: on the fall-back night 00:30→02:30 would be 2 h, not 3.
        return self.ends_at.astimezone(UTC) - self.starts_at.astimezone(UTC)


@dataclass(frozen=True)
class Hold:
    """A table another desk is taking a booking for ("being booked")."""

    id: UUID
    table_id: UUID
    starts_at: datetime
    ends_at: datetime
    terminal: str
    expires_at: datetime


@dataclass(frozen=True)
class TableBlock:
    """A table out of service for the night or part of it (a manager's)."""

    id: UUID
    table_id: UUID
    #: The block's span; an open end is the night's opening or close (None
    #: on a closed night).
    starts_at: datetime | None
    ends_at: datetime | None
    whole_night: bool
    reason: str
    blocked_by: str | None


@dataclass(frozen=True)
class NightPlan:
    """Everything the night grid needs for one venue and night."""

    venue_id: UUID
    venue_name: str
    time_zone: str
    night: date
    is_closed: bool
    event_name: str | None
    #: The night's own note ("Closed to the public"), if any.
    night_notes: str | None
    opens_at: datetime | None
    closes_at: datetime | None
    default_booking_minutes: int
    #: The venue's policy, as the engine reads it (never a constant here).
    currency: str
    phone_country: str
    reference_prefix: str
    min_party_size: int
    max_party_size: int
    #: The engine's allowed status changes: status -> what it may become.
    status_transitions: Mapping[Status, tuple[Status, ...]]
    floors: tuple[Floor, ...]
    tables: tuple[TableRow, ...]
    bookings: tuple[Booking, ...]
    holds: tuple[Hold, ...]
    blocks: tuple[TableBlock, ...] = ()
    #: From this instant to closing, tables short of their minimum are flagged.
    spend_flag_from: datetime | None = None

    def next_statuses(self, status: Status) -> tuple[Status, ...]:
        """What a booking in this status may become, as the engine allows."""
        return self.status_transitions.get(status, ())


@dataclass(frozen=True)
class FloorSummary:
    floor_name: str  # "All floors" for the total
    bookings: int
    covers: int
    deposits: Decimal
    min_spend: Decimal
    #: Paid deposits and spend, each booking's capped at its minimum.
    min_spend_achieved: Decimal = Decimal(0)
    #: All spend recorded (uncapped).
    spend: Decimal = Decimal(0)


@dataclass(frozen=True)
class NightSummary:
    night: date
    event_name: str | None
    floors: tuple[FloorSummary, ...]
    total: FloorSummary


@dataclass(frozen=True)
class Change:
    """What changed, from this desk or any other: the grid applies these.

    ``kind`` is the engine's word: booked, moved, status, hold, released...
    ``night`` None is the venue's layout (tables, floors, hours, prices:
    a manager's setup): every night's grid is laid out again.
    """

    venue_id: UUID
    night: date | None
    table_ids: frozenset[UUID] = field(default_factory=frozenset)
    booking_ids: frozenset[UUID] = field(default_factory=frozenset)
    kinds: frozenset[str] = field(default_factory=frozenset)
    feed_id: int | None = None  # the last change-feed id this covers
