"""The door's waitlist (sql/engine/66_waitlist.sql): parties waiting for a
table tonight, seen live on every desk.

Add a party; list the night's entries with the average wait; suggest the
tables free now for an entry's party; seat it (a walk-in booking on the
tables chosen, and the entry ended, in one transaction: a second desk
seating the same party is refused WAITLIST_ALREADY_SEATED); or mark that it
left.  Every function blocks (call it off the UI thread) and raises as
``frontdesk.desk`` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from frontdesk import contacts
from frontdesk.desk import (
    BookingResult,
    Desk,
    Suggestion,
    _blank_to_none,
    _BookedRow,
    _booking_result,
    _json_keys,
    _Outcome,
    _suggestion,
)
from frontdesk.desk import _SuggestionRow as _DeskSuggestionRow
from frontdesk.errors import Refused

WAITING = "waiting"
SEATED = "seated"
LEFT = "left"

ALREADY_SEATED = "WAITLIST_ALREADY_SEATED"
ALREADY_LEFT = "WAITLIST_ALREADY_LEFT"


@dataclass(frozen=True)
class WaitlistEntry:
    id: UUID
    name: str
    party_size: int
    phone: str | None
    quoted_minutes: int | None
    notes: str | None
    added_at: datetime
    state: str
    ended_at: datetime | None
    booking_id: UUID | None

    @property
    def is_waiting(self) -> bool:
        return self.state == WAITING

    def waited(self, now: datetime) -> timedelta:
        """How long the party has waited (until now, or until it ended)."""
        return max((self.ended_at or now) - self.added_at, timedelta(0))

    def over_quote(self, now: datetime) -> bool:
        """Still waiting, longer than the wait quoted."""
        return (
            self.is_waiting
            and self.quoted_minutes is not None
            and self.waited(now) > timedelta(minutes=self.quoted_minutes)
        )


@dataclass(frozen=True)
class WaitlistNight:
    night: date
    now: datetime  # the engine's, when read
    average_wait_minutes: int | None
    entries: tuple[WaitlistEntry, ...]

    @property
    def waiting(self) -> tuple[WaitlistEntry, ...]:
        return tuple(e for e in self.entries if e.is_waiting)


@dataclass(frozen=True)
class _AddedRow(_Outcome):
    entry_id: UUID | None


@dataclass(frozen=True)
class _NightRow:
    waitlist: dict[str, Any] | None


@dataclass(frozen=True)
class _SuggestionRow(_DeskSuggestionRow):  # and when the tables are free
    starts_at: datetime
    ends_at: datetime


def add(
    desk: Desk,
    name: str,
    party_size: int,
    *,
    phone: str | None = None,
    quoted_minutes: int | None = None,
    notes: str | None = None,
) -> UUID:
    """Put a party on tonight's waitlist; its entry's id.  InvalidInput for
    an unusable phone; Refused: INVALID_INPUT, PARTY_SIZE, NOT_SIGNED_IN."""
    row = desk._outcome(
        "SELECT * FROM add_to_waitlist(%(venue_id)s, %(name)s, %(party_size)s, %(phone)s, "
        "%(quoted)s, %(notes)s)",
        {
            "name": contacts.normalise_name(name) if name.strip() else "",
            "party_size": party_size,
            "phone": contacts.normalise_phone(phone, desk.phone_country),
            "quoted": quoted_minutes,
            "notes": _blank_to_none(notes),
        },
        _AddedRow,
        "add_to_waitlist",
    )
    if row.entry_id is None:
        raise RuntimeError("add_to_waitlist succeeded without an entry")
    return row.entry_id


def night(desk: Desk, which: date | None = None) -> WaitlistNight:
    """A night's waitlist (None: the night in progress)."""
    rows = desk._rows(
        "SELECT waitlist_night(%(venue_id)s, %(night)s) AS waitlist",
        {"night": which},
        _NightRow,
        "waitlist_night",
    )
    data = rows[0].waitlist if rows else None
    if data is None:
        raise RuntimeError("waitlist_night returned nothing")
    return parse_night(data, desk)


def parse_night(data: Mapping[str, Any], desk: Desk) -> WaitlistNight:
    def at(text: str | None) -> datetime | None:
        return desk._local(datetime.fromisoformat(text)) if text else None

    with _json_keys("waitlist_night"):
        return WaitlistNight(
            night=date.fromisoformat(data["night"]),
            now=desk._local(datetime.fromisoformat(data["now"])),
            average_wait_minutes=data["average_wait_minutes"],
            entries=tuple(
                WaitlistEntry(
                    id=UUID(e["id"]),
                    name=e["name"],
                    party_size=int(e["party_size"]),
                    phone=e["phone"],
                    quoted_minutes=e["quoted_minutes"],
                    notes=e["notes"],
                    added_at=desk._local(datetime.fromisoformat(e["added_at"])),
                    state=e["state"],
                    ended_at=at(e["ended_at"]),
                    booking_id=UUID(e["booking_id"]) if e["booking_id"] else None,
                )
                for e in data["entries"]
            ),
        )


def suggestions(desk: Desk, entry_id: UUID) -> list[Suggestion]:
    """Tables free now for the entry's party, best first (none when it is
    not waiting or nothing fits)."""
    rows = desk._rows(
        "SELECT * FROM waitlist_suggestions(%(venue_id)s, %(entry_id)s)",
        {"entry_id": entry_id},
        _SuggestionRow,
        "waitlist_suggestions",
    )
    return [_suggestion(r) for r in rows]


def seat(desk: Desk, entry_id: UUID, table_ids: Sequence[UUID]) -> BookingResult:
    """Seat the party now on these tables (a walk-in booking).  Refused:
    WAITLIST_ALREADY_SEATED, WAITLIST_ALREADY_LEFT, UNKNOWN_ENTRY, BUSY, and
    the booking's refusals (TABLE_UNAVAILABLE...: the party still waits)."""
    row = desk._outcome(
        "SELECT * FROM seat_from_waitlist(%(venue_id)s, %(entry_id)s, %(table_ids)s::uuid[])",
        {"entry_id": entry_id, "table_ids": list(table_ids)},
        _BookedRow,
        "seat_from_waitlist",
    )
    return _booking_result(row, "seat_from_waitlist")


def left(desk: Desk, entry_id: UUID) -> None:
    """The party has gone.  Refused: WAITLIST_ALREADY_SEATED,
    WAITLIST_ALREADY_LEFT, UNKNOWN_ENTRY."""
    desk._outcome(
        "SELECT * FROM waitlist_left(%(venue_id)s, %(entry_id)s)",
        {"entry_id": entry_id},
        _Outcome,
        "waitlist_left",
    )


__all__ = [
    "ALREADY_LEFT",
    "ALREADY_SEATED",
    "Refused",
    "WaitlistEntry",
    "WaitlistNight",
    "add",
    "left",
    "night",
    "seat",
    "suggestions",
]
