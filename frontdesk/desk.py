"""The desk's services for one venue: what the window asks the database.

Every method blocks (call it from a worker thread, never the UI thread) and
either returns plain frozen values or raises by kind: ``Refused`` (the
engine said no; its message is for the host), ``InvalidInput`` (something
typed is unusable), ``ServerUnavailable`` (try again later).  The booking
rules live in ``sql/``; this module only wraps the engine's functions.

Money is Decimal; instants are aware datetimes in the venue's zone.  A naive
datetime passed in is read as the venue's wall-clock time.

Rows are read by name: each engine function's result is mapped onto a
private dataclass below (``Database.call_rows``), so a column the SQL no
longer sends, or sends under another name, fails at once with
``ColumnMismatch`` naming it, never becoming a silent default.  The same goes
for the keys of the night plan's JSON and the monitoring alerts.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from psycopg.types.json import Jsonb

from frontdesk import contacts
from frontdesk.database import ColumnMismatch, D, Database
from frontdesk.errors import Refused, ServerUnavailable
from frontdesk.plan import (
    Booking,
    BookingTag,
    DepositStatus,
    Floor,
    FloorSummary,
    Hold,
    NightPlan,
    NightSummary,
    Status,
    TableBlock,
    TableRow,
)
from frontdesk.venue_setup import (
    SavedSetup,
    SetupRefused,
    VenueChoice,
    stranded_bookings,
)

log = logging.getLogger(__name__)

#: "Being booked at another desk" is tried again this often, this many times.
BEING_BOOKED_RETRIES = 5
BEING_BOOKED_DELAY_S = 1.0

ALL_FLOORS = "All floors"


@dataclass(frozen=True)
class BookingRequest:
    night: date
    starts_at: datetime
    ends_at: datetime
    party_size: int
    table_ids: tuple[UUID, ...]
    customer_id: UUID | None = None
    customer_name: str | None = None
    phone: str | None = None
    email: str | None = None
    date_of_birth: date | None = None
    special_requests: str | None = None
    occasion: str | None = None
    payment_ref: str | None = None
    #: Where it came from: "phone", "desk" (in person) or "walk_in".
    source: str = "desk"


@dataclass(frozen=True)
class BookingResult:
    booking_id: UUID
    reference: str
    deposit: Decimal


@dataclass(frozen=True)
class BookingDetails:
    """What "Change booking" edits besides tables and times: the guest's
    details and the booking's own, as stored."""

    customer_id: UUID
    name: str
    phone: str | None
    email: str | None
    date_of_birth: date | None
    notes: str | None
    special_requests: str | None
    occasion: str | None
    payment_ref: str | None
    source: str


@dataclass(frozen=True)
class HoldResult:
    hold_ids: tuple[UUID, ...]
    expires_at: datetime


@dataclass(frozen=True)
class Suggestion:
    rank: int
    table_ids: tuple[UUID, ...]
    table_names: tuple[str, ...]
    capacity: int
    min_spend: Decimal
    deposit: Decimal
    is_optimal: bool
    kind: str  # "single" or "combination"
    includes_premium: bool


@dataclass(frozen=True)
class StaffMember:
    """Somebody who can sign in at this venue's desks."""

    name: str
    role: str  # "host" or "manager"


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in at this desk, as the database proved it."""

    staff_id: UUID
    staff_name: str
    role: str
    expires_at: datetime

    @property
    def is_manager(self) -> bool:
        return self.role in {"manager", "admin"}


@dataclass(frozen=True)
class Customer:
    id: UUID
    name: str
    phone: str | None
    email: str | None
    date_of_birth: date | None
    notes: str | None


@dataclass(frozen=True)
class BookingMatch:
    booking_id: UUID
    reference: str
    night: date
    starts_at: datetime
    customer_name: str
    party_size: int
    status: Status
    table_names: tuple[str, ...]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    changed_at: datetime
    table_name: str
    operation: str  # INSERT, UPDATE, DELETE
    record_id: UUID | None
    staff_id: UUID | None
    staff_name: str | None
    terminal: str | None
    old_values: Mapping[str, Any] | None
    new_values: Mapping[str, Any] | None


@dataclass(frozen=True)
class MonitoringFigure:
    name: str  # stable key: "lock_failure_rate", "booking_fn_p95_ms"...
    label: str  # for a manager
    value: Decimal  # rates are fractions (0.05 = 5%)
    unit: str  # "", "rate" or "ms"
    threshold: Decimal | None  # the seed's alert threshold, if it has one
    alert: bool  # over the threshold


#: The figures a manager sees, in order: (name, label, unit, alert name).
MONITORING = (
    ("conflicts_prevented_today", "Conflicts prevented today", "", None),
    ("attempts_today", "Booking attempts today", "", None),
    ("lock_busy_rate", "Lock failure rate", "rate", "lock_failure_rate"),
    ("conflict_rate", "Conflict rate", "rate", "conflict_rate"),
    ("booking_fn_avg_ms", "Booking function, average", "ms", None),
    ("booking_fn_p95_ms", "Booking function, 95th percentile", "ms", "booking_fn_p95_ms"),
    ("connections_in_use", "Connections to this database", "", None),
    ("server_connections", "Connections to the server", "", None),
    ("connections_used", "Share of the server's connections in use", "rate", "connections_used"),
)


RetryCallback = Callable[[int, Refused], None]


# --- the engine's rows, by column name (see sql/README.md) ---------------------
#
# Each class's fields are exactly the columns its query returns; a field is
# ``X | None`` only where the engine may send NULL (refusals leave everything
# after the error message NULL).


@dataclass(frozen=True)
class _VenueRow:
    name: str
    time_zone: str
    default_booking_minutes: int
    phone_country: str
    idle_lock_minutes: int


@dataclass(frozen=True)
class _IdRow:
    id: UUID


@dataclass(frozen=True)
class _NightRow:
    night: date


@dataclass(frozen=True)
class _PlanRow:
    plan: dict[str, Any] | None  # NULL: no such venue


@dataclass(frozen=True)
class _SummaryRow:
    floor_name: str
    bookings: int
    covers: int
    deposits: Decimal
    min_spend: Decimal
    min_spend_achieved: Decimal
    spend: Decimal
    event_name: str | None


@dataclass(frozen=True)
class _SuggestionRow:
    combination_id: int
    table_ids: list[UUID]
    table_names: list[str]
    total_capacity: int
    total_min_spend: Decimal
    total_deposit: Decimal
    is_optimal: bool
    combination_type: str
    includes_premium: bool


def _suggestion(r: _SuggestionRow) -> Suggestion:
    """A row of get_optimal_table_combinations' shape as the desk shows it."""
    return Suggestion(
        rank=r.combination_id,
        table_ids=tuple(r.table_ids),
        table_names=tuple(r.table_names),
        capacity=r.total_capacity,
        min_spend=r.total_min_spend,
        deposit=r.total_deposit,
        is_optimal=r.is_optimal,
        kind=r.combination_type,
        includes_premium=r.includes_premium,
    )


@dataclass(frozen=True)
class _SignInRow:
    success: bool
    error_code: str | None
    error_message: str | None
    session_token: str | None
    staff_id: UUID | None
    staff_role: str | None
    expires_at: datetime | None


@dataclass(frozen=True)
class _StaffNameRow:
    name: str
    role: str


@dataclass(frozen=True)
class _Outcome:
    """The first three columns of every engine function that may refuse."""

    success: bool
    error_code: str | None
    error_message: str | None


@dataclass(frozen=True)
class _BookedRow(_Outcome):
    """desk_book and walk_in."""

    booking_id: UUID | None
    booking_reference: str | None
    total_deposit: Decimal | None
    starts_at: datetime | None  # the instants booked
    ends_at: datetime | None


@dataclass(frozen=True)
class _StatusRow(_Outcome):
    old_status: str | None


@dataclass(frozen=True)
class _HeldRow(_Outcome):
    hold_ids: list[UUID] | None
    expires_at: datetime | None


@dataclass(frozen=True)
class _ReleasedRow(_Outcome):
    released: int


@dataclass(frozen=True)
class _CustomerRow(_Outcome):
    """create_customer and update_customer."""

    id: UUID | None
    name: str | None
    phone: str | None
    email: str | None
    date_of_birth: date | None
    notes: str | None


@dataclass(frozen=True)
class _BookingMatchRow:
    booking_id: UUID
    reference: str
    night: date
    starts_at: datetime
    customer_name: str
    party_size: int
    status: str
    table_names: list[str]


@dataclass(frozen=True)
class _MonitoringRow:
    """The figures of ``monitoring_figures`` shown as they are; the others
    come with their thresholds from ``alerts`` (monitoring_alerts as JSON:
    figure -> [value, threshold, alert])."""

    conflicts_prevented_today: int
    attempts_today: int
    booking_fn_avg_ms: Decimal | None  # NULL: no attempts yet today
    connections_in_use: int
    server_connections: int
    alerts: dict[str, list[Any]] | None  # NULL: no such venue


@dataclass(frozen=True)
class _VenueChoiceRow:
    id: UUID
    name: str


@dataclass(frozen=True)
class _SetupRow:
    setup: dict[str, Any] | None  # NULL: no such venue


@dataclass(frozen=True)
class _SavedSetupRow(_Outcome):
    error_path: list[str] | None
    stranded: list[dict[str, Any]] | None
    saved_venue_id: UUID | None
    changes: dict[str, Any] | None


@dataclass(frozen=True)
class _BlockedRow(_Outcome):
    block_id: UUID | None
    stranded: list[dict[str, Any]] | None


_O = TypeVar("_O", bound=_Outcome)
_T = TypeVar("_T")


class Desk:
    """Services for one venue.  Thread-safe: share one per app."""

    def __init__(
        self, db: Database, venue_id: UUID, *, wait: Callable[[float], None] = time.sleep
    ) -> None:
        """Reads the venue.  Raises Refused("UNKNOWN_VENUE") when there is no
        such venue, ServerUnavailable when the server cannot be reached.
        ``wait`` is how a retry pauses (tests pass their own)."""
        self.db = db
        self.venue_id = venue_id
        self._wait = wait
        rows = db.call_rows(
            "SELECT name, time_zone, default_booking_minutes, phone_country, idle_lock_minutes"
            " FROM venues WHERE id = %(venue_id)s",
            {"venue_id": venue_id},
            row=_VenueRow,
            what="venue",
        )
        if not rows:
            raise Refused("UNKNOWN_VENUE", "There is no such venue in this database.")
        # The venue's fields as last read (see "the venue's setup" below):
        # a manager's save changes them while the desk runs.
        self._venue: _VenueRow = rows[0]
        self._signed_in: SignedIn | None = None

    @classmethod
    def first_venue(cls, db: Database, *, wait: Callable[[float], None] = time.sleep) -> Desk:
        """The desk for the database's first venue (the one most set-ups have)."""
        rows = db.call_rows(
            "SELECT id FROM venues ORDER BY created_at, name LIMIT 1", row=_IdRow, what="venues"
        )
        if not rows:
            raise Refused("UNKNOWN_VENUE", "This database has no venue yet: load one first.")
        return cls(db, rows[0].id, wait=wait)

    # --- the venue's setup (a manager's) --------------------------------------
    #
    # The venue's fields are not fixed for the desk's life: a manager's save
    # (at this desk or another) changes them.  They follow every night plan
    # read, and ``refresh_venue`` after a layout change.

    @property
    def venue_name(self) -> str:
        return self._venue.name

    @property
    def time_zone(self) -> ZoneInfo:
        return ZoneInfo(self._venue.time_zone)

    @property
    def default_booking_minutes(self) -> int:
        return self._venue.default_booking_minutes

    @property
    def phone_country(self) -> str:
        """Phones typed without a country code are read in this country."""
        return self._venue.phone_country

    @property
    def idle_lock_minutes(self) -> int:
        """A desk left alone this long locks behind a PIN prompt."""
        return self._venue.idle_lock_minutes

    def refresh_venue(self) -> None:
        """Read the venue's fields again (after a setup was saved anywhere)."""
        rows = self._rows(
            "SELECT name, time_zone, default_booking_minutes, phone_country, idle_lock_minutes"
            " FROM venues WHERE id = %(venue_id)s",
            {},
            _VenueRow,
            "venue",
        )
        if rows:
            self._venue = rows[0]

    def _note_plan(self, plan: NightPlan) -> None:
        # One reference swapped: a reader on another thread sees the old or
        # the new fields, never a mix.
        self._venue = replace(
            self._venue,
            name=plan.venue_name,
            time_zone=plan.time_zone,
            default_booking_minutes=plan.default_booking_minutes,
            phone_country=plan.phone_country,
        )

    @staticmethod
    def venues(db: Database) -> list[VenueChoice]:
        """The venues in this database, oldest first (the picker at sign-in)."""
        rows = db.call_rows(
            "SELECT id, name FROM venues ORDER BY created_at, name",
            row=_VenueChoiceRow,
            what="venues",
        )
        return [VenueChoice(r.id, r.name) for r in rows]

    def venue_setup(self) -> dict[str, Any]:
        """The whole setup document (sql/engine/58_setup.sql) with its
        ``version``: a manager's (Refused NOT_ALLOWED for a host,
        NOT_SIGNED_IN for nobody)."""
        rows = self._rows("SELECT venue_setup(%(venue_id)s) AS setup", {}, _SetupRow, "venue_setup")
        if not rows or rows[0].setup is None:
            raise Refused("UNKNOWN_VENUE", "There is no such venue in this database.")
        return rows[0].setup

    def save_venue_setup(self, setup: Mapping[str, Any]) -> SavedSetup:
        """Save a setup document (whole, or some sections) in one transaction.
        Raises SetupRefused (nothing changed): INVALID_SETUP with its path,
        STRANDED_BOOKINGS with the bookings, SETUP_CHANGED when another desk
        saved since ``setup["version"]``, NOT_ALLOWED, BUSY...  The venue's
        fields are read again after a save."""
        rows = self._rows(
            "SELECT * FROM save_venue_setup(%(venue_id)s, %(setup)s)",
            {"setup": Jsonb(dict(setup))},
            _SavedSetupRow,
            "save_venue_setup",
        )
        if not rows:
            raise RuntimeError("save_venue_setup returned no row")
        row = rows[0]
        if not row.success:
            with _json_keys("save_venue_setup"):
                stranded = stranded_bookings(row.stranded)
            raise SetupRefused(
                row.error_code or "REFUSED",
                row.error_message or "The setup was not saved.",
                path=row.error_path or (),
                stranded=stranded,
            )
        self.refresh_venue()
        return SavedSetup(
            venue_id=_filled(row.saved_venue_id, "saved_venue_id", "save_venue_setup"),
            changes={k: int(v) for k, v in (row.changes or {}).items()},
        )

    def block_table(
        self,
        table_id: UUID,
        night: date,
        starts_at: datetime | None = None,
        ends_at: datetime | None = None,
        reason: str = "",
    ) -> UUID:
        """Take a table out of service for a night (no ends: the whole night)
        or part of it; a manager's.  Returns the block's id.  Raises
        SetupRefused (STRANDED_BOOKINGS with the bookings in the way,
        ALREADY_BLOCKED, INVALID_TIME, PAST_DATE, NOT_ALLOWED...)."""
        rows = self._rows(
            "SELECT * FROM block_table(%(venue_id)s, %(table_id)s, %(night)s, %(starts_at)s, "
            "%(ends_at)s, %(reason)s)",
            {
                "table_id": table_id,
                "night": night,
                "starts_at": self._aware(starts_at) if starts_at else None,
                "ends_at": self._aware(ends_at) if ends_at else None,
                "reason": " ".join(reason.split()),
            },
            _BlockedRow,
            "block_table",
        )
        if not rows:
            raise RuntimeError("block_table returned no row")
        row = rows[0]
        if not row.success:
            with _json_keys("block_table"):
                stranded = stranded_bookings(row.stranded)
            raise SetupRefused(
                row.error_code or "REFUSED",
                row.error_message or "The table was not blocked.",
                stranded=stranded,
            )
        return _filled(row.block_id, "block_id", "block_table")

    def unblock_table(self, block_id: UUID) -> None:
        """Put a blocked table back in service; a manager's.  Raises Refused
        (UNKNOWN_BLOCK, NOT_ALLOWED...)."""
        self._outcome(
            "SELECT * FROM unblock_table(%(block_id)s)",
            {"block_id": block_id},
            _Outcome,
            "unblock_table",
        )

    # --- the night ----------------------------------------------------------

    def current_night(self) -> date:
        """The night in progress now, else today (in the venue's zone)."""
        (row,) = self._rows(
            "SELECT current_night(%(venue_id)s) AS night", {}, _NightRow, "current_night"
        )
        return row.night

    def night_plan(self, night: date) -> NightPlan:
        """Everything the grid needs for one night."""
        rows = self._rows(
            "SELECT night_plan(%(venue_id)s, %(night)s) AS plan",
            {"night": night},
            _PlanRow,
            "night_plan",
        )
        data = rows[0].plan if rows else None
        if data is None:
            raise Refused("UNKNOWN_VENUE", "There is no such venue in this database.")
        with _json_keys("night_plan"):
            plan = parse_night_plan(data)
        self._note_plan(plan)
        return plan

    def night_summary(self, night: date) -> NightSummary:
        """Bookings, covers, deposits and minimum spend by floor, and in all."""
        rows = self._rows(
            "SELECT s.floor_name, s.bookings, s.covers, s.deposits, s.min_spend, "
            "s.min_spend_achieved, s.spend, "
            "(SELECT n.event_name FROM nights n WHERE n.venue_id = %(venue_id)s "
            "AND n.night = %(night)s) AS event_name "
            "FROM night_summary(%(venue_id)s, %(night)s) s",
            {"night": night},
            _SummaryRow,
            "night_summary",
        )
        floors = [
            FloorSummary(
                floor_name=r.floor_name,
                bookings=r.bookings,
                covers=r.covers,
                deposits=r.deposits,
                min_spend=r.min_spend,
                min_spend_achieved=r.min_spend_achieved,
                spend=r.spend,
            )
            for r in rows
        ]
        total = next(
            (f for f in floors if f.floor_name == ALL_FLOORS),
            FloorSummary(ALL_FLOORS, 0, 0, Decimal(0), Decimal(0)),
        )
        return NightSummary(
            night=night,
            event_name=rows[0].event_name if rows else None,
            floors=tuple(f for f in floors if f is not total),
            total=total,
        )

    def suggestions(
        self, night: date, starts_at: datetime, ends_at: datetime, party_size: int
    ) -> list[Suggestion]:
        """Free tables and joinable combinations for a party, best first."""
        rows = self._rows(
            "SELECT * FROM desk_suggestions(%(venue_id)s, %(night)s, %(starts_at)s, "
            "%(ends_at)s, %(party_size)s)",
            {
                "night": night,
                "starts_at": self._aware(starts_at),
                "ends_at": self._aware(ends_at),
                "party_size": party_size,
            },
            _SuggestionRow,
            "desk_suggestions",
        )
        # A request the rules refuse (closed, past, party size) has no rows.
        return [_suggestion(r) for r in rows]

    # --- bookings -----------------------------------------------------------

    def book(
        self, request: BookingRequest, *, on_retry: RetryCallback | None = None
    ) -> BookingResult:
        """Book tables for a party in one step; all or nothing.

        The customer is ``request.customer_id``, else the guest typed in the
        request: matched by email or phone, else created, by the engine in
        the booking's own transaction (InvalidInput, before the database,
        when the name, phone or email is unusable).  A refusal writes
        nothing: no new customer, no change to a matched one.  A phone or
        email that is another guest's is refused (CONTACT_BELONGS_TO_OTHER).
        When another desk is booking one of the tables (TABLE_BEING_BOOKED)
        it tries again every second, five times, calling
        ``on_retry(attempt, refusal)`` before each wait; then raises that
        Refused.  Other refusals raise at once.
        """
        params = {
            "customer_id": request.customer_id,
            **self._guest_for(request),
            "table_ids": list(request.table_ids),
            "night": request.night,
            "starts_at": self._aware(request.starts_at),
            "ends_at": self._aware(request.ends_at),
            "party_size": request.party_size,
            "special_requests": _blank_to_none(request.special_requests),
            "occasion": _blank_to_none(request.occasion),
            "payment_ref": _blank_to_none(request.payment_ref),
            "source": request.source,
        }
        attempt = 0
        while True:
            try:
                row = self._outcome(
                    "SELECT * FROM desk_book(%(venue_id)s, %(customer_id)s, %(table_ids)s::uuid[], "
                    "%(night)s, %(starts_at)s, %(ends_at)s, %(party_size)s, %(special_requests)s, "
                    "%(occasion)s, %(payment_ref)s, %(source)s, %(name)s, %(phone)s, %(email)s, "
                    "%(date_of_birth)s)",
                    params,
                    _BookedRow,
                    "desk_book",
                )
            except Refused as refusal:
                if refusal.code != "TABLE_BEING_BOOKED" or attempt >= BEING_BOOKED_RETRIES:
                    raise
                attempt += 1
                if on_retry is not None:
                    on_retry(attempt, refusal)
                self._wait(BEING_BOOKED_DELAY_S)
                continue
            return _booking_result(row, "desk_book")

    def move(
        self,
        booking_id: UUID,
        *,
        table_ids: Sequence[UUID],
        starts_at: datetime,
        ends_at: datetime,
        party_size: int | None = None,
    ) -> None:
        """Move, resize and re-table a booking in one step, on its night."""
        self._outcome(
            "SELECT * FROM move_booking(%(booking_id)s, %(table_ids)s::uuid[], %(starts_at)s, "
            "%(ends_at)s, %(party_size)s)",
            {
                "booking_id": booking_id,
                "table_ids": list(table_ids),
                "starts_at": self._aware(starts_at),
                "ends_at": self._aware(ends_at),
                "party_size": party_size,
            },
            _Outcome,
            "move_booking",
        )

    def set_status(self, booking_id: UUID, status: Status) -> Status:
        """Arrive, seat, complete, cancel or mark a no-show; the old status.
        Refused("INVALID_TRANSITION") when the booking cannot go there."""
        row = self._outcome(
            "SELECT * FROM set_booking_status(%(booking_id)s, %(status)s)",
            {"booking_id": booking_id, "status": Status(status).value},
            _StatusRow,
            "set_booking_status",
        )
        return Status(_filled(row.old_status, "old_status", "set_booking_status"))

    def walk_in(
        self,
        table_ids: Sequence[UUID],
        party_size: int,
        name: str = "Walk-in",
        minutes: int | None = None,
    ) -> BookingResult:
        """Seat a party now on these tables, on the current night; its
        deposit is the tables' (as a booking's)."""
        row = self._outcome(
            "SELECT * FROM walk_in(%(venue_id)s, %(table_ids)s::uuid[], %(party_size)s, "
            "%(name)s, %(minutes)s)",
            {
                "table_ids": list(table_ids),
                "party_size": party_size,
                "name": contacts.normalise_name(name) if name.strip() else "Walk-in",
                "minutes": minutes,
            },
            _BookedRow,
            "walk_in",
        )
        return _booking_result(row, "walk_in")

    def revert_status(self, booking_id: UUID) -> Status:
        """Put a mistaken status back (a correction, audited); the status the
        booking has again.  Refused: NOTHING_TO_REVERT (no status change to
        put back, or it was put back already), NOT_ALLOWED (another person's
        change, or over 10 minutes old, for a host), TABLE_UNAVAILABLE (a
        freed table taken since)."""
        row = self._outcome(
            "SELECT success, error_code, error_message, status AS old_status "
            "FROM revert_status(%(booking_id)s)",
            {"booking_id": booking_id},
            _StatusRow,
            "revert_status",
        )
        return Status(_filled(row.old_status, "status", "revert_status"))

    # --- a booking's details, after it is made --------------------------------

    def booking_details(self, booking_id: UUID) -> BookingDetails:
        """The booking's and its guest's details, fresh.  Refused
        ("UNKNOWN_BOOKING") when there is no such booking."""
        rows = self._rows(
            "SELECT * FROM booking_details(%(booking_id)s)",
            {"booking_id": booking_id},
            BookingDetails,
            "booking_details",
        )
        if not rows:
            raise Refused("UNKNOWN_BOOKING", "There is no such booking.")
        return rows[0]

    def update_booking_details(
        self,
        booking_id: UUID,
        *,
        special_requests: str | None,
        occasion: str | None,
        payment_ref: str | None,
        source: str | None = None,
    ) -> None:
        """Replace a booking's requests, occasion and payment reference (blank
        clears one); ``source`` None keeps it.  Refused: INVALID_INPUT (too
        long, an unknown source), UNKNOWN_BOOKING, BUSY, NOT_SIGNED_IN."""
        self._outcome(
            "SELECT * FROM update_booking_details(%(booking_id)s, %(special_requests)s, "
            "%(occasion)s, %(payment_ref)s, %(source)s)",
            {
                "booking_id": booking_id,
                "special_requests": _blank_to_none(special_requests),
                "occasion": _blank_to_none(occasion),
                "payment_ref": _blank_to_none(payment_ref),
                "source": source,
            },
            _Outcome,
            "update_booking_details",
        )

    # --- holds --------------------------------------------------------------

    def hold(
        self, table_ids: Sequence[UUID], night: date, starts_at: datetime, ends_at: datetime
    ) -> HoldResult:
        """Hold tables while taking a booking; replaces this terminal's holds.
        Other desks see them as "being booked" until they expire."""
        row = self._outcome(
            "SELECT * FROM hold_tables(%(venue_id)s, %(table_ids)s::uuid[], %(night)s, "
            "%(starts_at)s, %(ends_at)s)",
            {
                "table_ids": list(table_ids),
                "night": night,
                "starts_at": self._aware(starts_at),
                "ends_at": self._aware(ends_at),
            },
            _HeldRow,
            "hold_tables",
        )
        return HoldResult(
            hold_ids=tuple(_filled(row.hold_ids, "hold_ids", "hold_tables")),
            expires_at=self._local(_filled(row.expires_at, "expires_at", "hold_tables")),
        )

    def release_holds(self) -> int:
        """Release every hold of this terminal; how many there were."""
        row = self._outcome(
            "SELECT * FROM release_holds(%(venue_id)s)", {}, _ReleasedRow, "release_holds"
        )
        return row.released

    # --- customers ----------------------------------------------------------

    def search_customers(self, text: str, limit: int = 20) -> list[Customer]:
        """Customers whose name has a word starting with ``text`` (every word
        typed must match), or whose phone or email starts with it.  Phones
        may be typed as dialled ("0770 09"). Empty text finds nobody."""
        query = customer_query(text, self.phone_country)
        if query is None:
            return []
        return self._rows(
            "SELECT * FROM search_customers(%(venue_id)s, %(words)s::text[], %(phone_prefix)s, "
            "%(email_prefix)s, %(limit)s)",
            {**query, "limit": limit},
            Customer,
            "search_customers",
        )

    def create_customer(
        self,
        name: str,
        *,
        phone: str | None = None,
        email: str | None = None,
        date_of_birth: date | None = None,
        notes: str | None = None,
    ) -> Customer:
        """A new customer.  InvalidInput for unusable typing; Refused
        ("DUPLICATE_CUSTOMER") when the phone or email is someone else's."""
        row = self._outcome(
            "SELECT * FROM create_customer(%(venue_id)s, %(name)s, %(phone)s, %(email)s, "
            "%(date_of_birth)s, %(notes)s)",
            _customer_params(name, phone, email, date_of_birth, notes, self.phone_country),
            _CustomerRow,
            "create_customer",
        )
        return _customer(row, "create_customer")

    def update_customer(
        self,
        customer_id: UUID,
        *,
        name: str,
        phone: str | None,
        email: str | None,
        date_of_birth: date | None,
        notes: str | None,
    ) -> Customer:
        """Replace a customer's details (every field, as the form shows them)."""
        row = self._outcome(
            "SELECT * FROM update_customer(%(venue_id)s, %(customer_id)s, %(name)s, %(phone)s, "
            "%(email)s, %(date_of_birth)s, %(notes)s)",
            {
                "customer_id": customer_id,
                **_customer_params(name, phone, email, date_of_birth, notes, self.phone_country),
            },
            _CustomerRow,
            "update_customer",
        )
        return _customer(row, "update_customer")

    def _guest_for(self, request: BookingRequest) -> dict[str, Any]:
        """The typed guest's details for desk_book, normalised (InvalidInput
        when unusable); all NULL for a customer the desk chose, whose stored
        details the engine uses."""
        if request.customer_id is not None:
            return {"name": None, "phone": None, "email": None, "date_of_birth": None}
        params = _customer_params(
            request.customer_name or "",
            request.phone,
            request.email,
            request.date_of_birth,
            None,
            self.phone_country,
        )
        del params["notes"]
        return params

    def find_bookings(self, text: str, *, from_night: date, limit: int = 50) -> list[BookingMatch]:
        """Bookings from ``from_night`` on whose guest matches ``text`` (as
        ``search_customers``) or whose reference starts with it."""
        query = customer_query(text, self.phone_country)
        if query is None:
            return []
        rows = self._rows(
            "SELECT * FROM find_bookings(%(venue_id)s, %(words)s::text[], %(phone_prefix)s, "
            "%(email_prefix)s, %(reference_prefix)s, %(from_night)s, %(limit)s)",
            {
                **query,
                "reference_prefix": _reference_prefix(text),
                "from_night": from_night,
                "limit": limit,
            },
            _BookingMatchRow,
            "find_bookings",
        )
        return [
            BookingMatch(
                booking_id=r.booking_id,
                reference=r.reference,
                night=r.night,
                starts_at=self._local(r.starts_at),
                customer_name=r.customer_name,
                party_size=r.party_size,
                status=Status(r.status),
                table_names=tuple(r.table_names),
            )
            for r in rows
        ]

    # --- the manager's screens ----------------------------------------------

    def audit(
        self,
        *,
        since: datetime,
        until: datetime,
        table_name: str | None = None,
        staff_name: str | None = None,
        booking_id: UUID | None = None,
        limit: int = 500,
    ) -> list[AuditEntry]:
        """Who changed what between two instants, newest first."""
        rows = self._rows(
            "SELECT * FROM audit_entries(%(venue_id)s, %(since)s, %(until)s, %(table_name)s, "
            "%(staff_name)s, %(booking_id)s, %(limit)s)",
            {
                "since": self._aware(since),
                "until": self._aware(until),
                "table_name": table_name,
                "staff_name": staff_name,
                "booking_id": booking_id,
                "limit": limit,
            },
            AuditEntry,
            "audit_entries",
        )
        return [replace(r, changed_at=self._local(r.changed_at)) for r in rows]

    def monitoring(self) -> list[MonitoringFigure]:
        """The seed's monitoring figures for today, with their alert thresholds
        (a manager's: Refused NOT_ALLOWED for a host).  The series for a chart
        comes with ``frontdesk.monitoring.monitoring_now``."""
        rows = self._rows(
            "SELECT conflicts_prevented_today, attempts_today, booking_fn_avg_ms, "
            "connections_in_use, server_connections, alerts "
            "FROM monitoring_now(%(venue_id)s)",
            {},
            _MonitoringRow,
            "monitoring",
        )
        if not rows:
            raise Refused("UNKNOWN_VENUE", "There is no such venue in this database.")
        with _json_keys("monitoring_alerts"):
            return monitoring_figures(rows[0])

    # --- who is at the desk ---------------------------------------------------

    def staff_list(self) -> list[StaffMember]:
        """Who can sign in here (active staff with a PIN), by name."""
        rows = self._rows(
            "SELECT name, role FROM sign_in_names(%(venue_id)s)", {}, _StaffNameRow, "sign_in_names"
        )
        return [StaffMember(r.name, r.role) for r in rows]

    @property
    def signed_in(self) -> SignedIn | None:
        return self._signed_in

    def sign_in(self, name: str, pin: str) -> SignedIn:
        """Sign ``name`` in at this desk with their PIN; from now on every
        call carries their session.  Whoever was signed in here before is
        signed out.  Raises Refused: WRONG_PIN, LOCKED_OUT, UNKNOWN_STAFF,
        BUSY, NO_TERMINAL."""
        rows = self._rows(
            "SELECT * FROM sign_in(%(venue_id)s, %(name)s, %(pin)s)",
            {"name": name, "pin": pin},
            _SignInRow,
            "sign_in",
        )
        if not rows:
            raise RuntimeError("sign_in returned no row")
        row = rows[0]
        if not row.success:
            raise Refused(row.error_code or "REFUSED", row.error_message or "Not signed in.")
        token = _filled(row.session_token, "session_token", "sign_in")
        who = SignedIn(
            staff_id=_filled(row.staff_id, "staff_id", "sign_in"),
            staff_name=" ".join(name.split()),
            role=_filled(row.staff_role, "staff_role", "sign_in"),
            expires_at=self._local(_filled(row.expires_at, "expires_at", "sign_in")),
        )
        previous = self.db.staff.session
        self.db.set_session(token, staff_name=who.staff_name, staff_id=who.staff_id)
        self._signed_in = who
        if previous and previous != token:
            self._end_session(previous)
        return who

    def sign_out(self) -> None:
        """End this desk's session (nothing to do when nobody is signed in).
        The desk forgets it even when the server cannot be reached; the
        session then ends at its expiry."""
        token = self.db.staff.session
        self.db.set_session(None)
        self._signed_in = None
        if token:
            self._end_session(token)

    def forget_session(self) -> None:
        """The engine said the session has ended (NOT_SIGNED_IN): forget it."""
        self.db.set_session(None)
        self._signed_in = None

    def _end_session(self, token: str) -> None:
        try:
            with self.db.transaction("sign_out") as cur:
                cur.execute(
                    "SELECT set_config('frontdesk.session', %(token)s, true); "
                    "SELECT * FROM sign_out()",
                    {"token": token},
                )
        except (ServerUnavailable, Refused):  # an old session left to expire is no harm
            log.info("could not end a previous session; it ends at its expiry", exc_info=True)

    # --- plumbing -----------------------------------------------------------

    def _rows(self, query: str, params: Mapping[str, Any], row: type[D], what: str) -> list[D]:
        """The rows of ``query`` (run for this venue) as ``row``s, by column name."""
        return self.db.call_rows(query, {"venue_id": self.venue_id, **params}, row=row, what=what)

    def _outcome(self, query: str, params: Mapping[str, Any], row: type[_O], what: str) -> _O:
        """The one row of an engine function; Refused when it says success=false."""
        rows = self._rows(query, params, row, what)
        if not rows:
            raise RuntimeError(f"{what} returned no row")
        _refuse_unless_success(rows[0])
        return rows[0]

    def _aware(self, at: datetime) -> datetime:
        if at.tzinfo is None:
            return at.replace(tzinfo=self.time_zone)
        return at

    def _local(self, at: datetime) -> datetime:
        return at.astimezone(self.time_zone)


# --- parsing ------------------------------------------------------------------


def _refuse_unless_success(row: _Outcome) -> None:
    if not row.success:
        raise Refused(row.error_code or "REFUSED", row.error_message or "Refused.")


def _filled(value: _T | None, column: str, what: str) -> _T:
    """A column the engine always fills when it succeeds."""
    if value is None:
        log.error("database call %s succeeded with %s NULL", what, column)
        raise RuntimeError(f"{what} succeeded with {column} NULL")
    return value


def _booking_result(row: _BookedRow, what: str) -> BookingResult:
    return BookingResult(
        booking_id=_filled(row.booking_id, "booking_id", what),
        reference=_filled(row.booking_reference, "booking_reference", what),
        deposit=_filled(row.total_deposit, "total_deposit", what),
    )


@contextmanager
def _json_keys(what: str) -> Iterator[None]:
    """A key missing from ``what``'s JSON result: ColumnMismatch naming it,
    logged as a bug (as ``Database`` does for a missing column)."""
    try:
        yield
    except ZoneInfoNotFoundError:
        raise
    except KeyError as missing:
        error = ColumnMismatch(what, missing=[str(missing.args[0])], item="key")
        log.error("database call %s failed: %s", what, error)
        raise error from missing


def _blank_to_none(text: str | None) -> str | None:
    text = (text or "").strip()
    return text or None


def _customer_params(
    name: str,
    phone: str | None,
    email: str | None,
    date_of_birth: date | None,
    notes: str | None,
    region: str,
) -> dict[str, Any]:
    return {
        "name": contacts.normalise_name(name),
        "phone": contacts.normalise_phone(phone, region),
        "email": contacts.normalise_email(email),
        "date_of_birth": date_of_birth,
        "notes": _blank_to_none(notes),
    }


def _customer(row: _CustomerRow, what: str) -> Customer:
    return Customer(
        id=_filled(row.id, "id", what),
        name=_filled(row.name, "name", what),
        phone=row.phone,
        email=row.email,
        date_of_birth=row.date_of_birth,
        notes=row.notes,
    )


def customer_query(text: str, region: str = contacts.DEFAULT_REGION) -> dict[str, Any] | None:
    """What a search box's text means: name words, and the phone or email
    prefix it could be.  None when there is nothing to search for."""
    typed = " ".join(text.split())
    if not typed:
        return None
    lowered = typed.lower()
    digits = sum(ch.isdigit() for ch in typed)
    phone_like = digits >= 2 and all(ch.isdigit() or ch in "+-() ." for ch in typed)
    words = [] if phone_like or "@" in typed else lowered.split(" ")
    return {
        "words": words or None,
        "phone_prefix": contacts.national_prefix_to_e164(typed, region) if phone_like else None,
        "email_prefix": lowered.replace(" ", "") if "@" in typed or len(words) == 1 else None,
    }


def _reference_prefix(text: str) -> str | None:
    typed = text.strip().upper()
    return typed if typed.startswith("BR") else None


def parse_night_plan(data: Mapping[str, Any]) -> NightPlan:
    """The engine's night_plan JSON as a NightPlan (instants in its zone).

    Every key the engine sends is read with ``[...]``: one missing or
    renamed raises KeyError naming it.  Only values may be null, where the
    engine says so (event name, opening hours when closed, a guest's
    contacts, occasion, requests, payment).
    """
    zone = ZoneInfo(data["time_zone"])

    def at(text: str) -> datetime:
        return datetime.fromisoformat(text).astimezone(zone)

    def maybe_at(text: str | None) -> datetime | None:
        return at(text) if text else None

    return NightPlan(
        venue_id=UUID(data["venue_id"]),
        venue_name=data["venue_name"],
        time_zone=data["time_zone"],
        night=date.fromisoformat(data["night"]),
        is_closed=bool(data["is_closed"]),
        event_name=data["event_name"],
        night_notes=data["night_notes"],
        opens_at=maybe_at(data["opens_at"]),
        closes_at=maybe_at(data["closes_at"]),
        default_booking_minutes=int(data["default_booking_minutes"]),
        currency=data["currency"],
        phone_country=data["phone_country"],
        reference_prefix=data["reference_prefix"],
        min_party_size=int(data["min_party_size"]),
        max_party_size=int(data["max_party_size"]),
        spend_flag_from=maybe_at(data["spend_flag_from"]),
        status_transitions={
            Status(status): tuple(Status(s) for s in nexts)
            for status, nexts in data["status_transitions"].items()
        },
        floors=tuple(
            Floor(id=UUID(f["id"]), name=f["name"], sort_order=int(f["sort_order"]))
            for f in data["floors"]
        ),
        tables=tuple(
            TableRow(
                id=UUID(t["id"]),
                floor_id=UUID(t["floor_id"]),
                name=t["name"],
                capacity=int(t["capacity"]),
                min_spend=_money(t["min_spend"]),
                deposit=_money(t["deposit"]),
                is_premium=bool(t["is_premium"]),
                grid_order=int(t["grid_order"]),
            )
            for t in data["tables"]
        ),
        bookings=tuple(
            Booking(
                id=UUID(b["id"]),
                reference=b["reference"],
                table_ids=_uuids(b["table_ids"]),
                starts_at=at(b["starts_at"]),
                ends_at=at(b["ends_at"]),
                party_size=int(b["party_size"]),
                status=Status(b["status"]),
                customer_id=UUID(b["customer_id"]),
                customer_name=b["customer_name"],
                customer_phone=b["customer_phone"],
                customer_email=b["customer_email"],
                deposit=_money(b["deposit"]),
                min_spend=_money(b["min_spend"]),
                source=b["source"],
                occasion=b["occasion"],
                special_requests=b["special_requests"],
                payment_ref=b["payment_ref"],
                customer_notes=b["customer_notes"],
                customer_date_of_birth=(
                    date.fromisoformat(b["customer_date_of_birth"])
                    if b["customer_date_of_birth"]
                    else None
                ),
                spend_total=_money(b["spend_total"]),
                deposit_status=DepositStatus(b["deposit_status"]),
                deposit_reference=b["deposit_reference"],
                guest_tags=tuple(BookingTag(t["name"], t["kind"]) for t in b["guest_tags"]),
            )
            for b in data["bookings"]
        ),
        holds=tuple(
            Hold(
                id=UUID(h["id"]),
                table_id=UUID(h["table_id"]),
                starts_at=at(h["starts_at"]),
                ends_at=at(h["ends_at"]),
                terminal=h["terminal"],
                expires_at=at(h["expires_at"]),
            )
            for h in data["holds"]
        ),
        blocks=tuple(
            TableBlock(
                id=UUID(k["id"]),
                table_id=UUID(k["table_id"]),
                starts_at=maybe_at(k["starts_at"]),
                ends_at=maybe_at(k["ends_at"]),
                whole_night=bool(k["whole_night"]),
                reason=k["reason"],
                blocked_by=k["blocked_by"],
            )
            for k in data["blocks"]
        ),
    )


def _money(value: str | int | float | Decimal) -> Decimal:
    """Money as the engine sends it in JSON (a string; never null)."""
    return Decimal(str(value))


def _uuids(values: Iterable[str]) -> tuple[UUID, ...]:
    return tuple(UUID(v) for v in values)


def monitoring_figures(row: _MonitoringRow) -> list[MonitoringFigure]:
    """The monitoring row (with its alerts as JSON) as figures.  A figure
    with an alert takes value and threshold from ``alerts``, which has
    every alert (KeyError naming a missing one); a NULL value (no attempts
    yet today) reads as 0."""
    alerts: Mapping[str, list[Any]] = row.alerts or {}
    figures = []
    for name, label, unit, alert_name in MONITORING:
        if alert_name is None:
            value, threshold, alert = getattr(row, name), None, False
        else:
            value, threshold, alert = alerts[alert_name]
        figures.append(
            MonitoringFigure(
                name=name,
                label=label,
                value=Decimal(0) if value is None else Decimal(str(value)),
                unit=unit,
                threshold=None if threshold is None else Decimal(str(threshold)),
                alert=bool(alert),
            )
        )
    return figures
