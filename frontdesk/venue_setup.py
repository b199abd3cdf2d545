"""A venue's setup as the desk sees it: the document, what a save said, and
the bookings a refused save would have stranded.  No database here; the
``Desk`` reads and saves (``venue_setup``, ``save_venue_setup``).

The document itself stays the engine's JSON (sql/engine/58_setup.sql,
docs/venue-file.md): a dict the Setup window edits a copy of and sends back
whole, so the checks live once, in the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from uuid import UUID

from frontdesk.errors import Refused

#: The sections of the document, in the order the Setup window shows them.
SECTIONS = ("venue", "floors", "tables", "hours", "nights", "blocks", "policy")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class StrandedBooking:
    """A booking a save would leave without a place: move or cancel it first."""

    booking_id: UUID
    reference: str
    guest: str
    night: date
    #: As the engine words them: "Fri 4 Dec 22:00–00:30".
    times: str
    tables: tuple[str, ...]
    party_size: int
    status: str
    #: closed, hours, retired, capacity, floor, joins, blocked
    why: str

    @property
    def why_words(self) -> str:
        return WHY_WORDS.get(self.why, self.why)


WHY_WORDS = {
    "closed": "the night would be closed",
    "hours": "outside the new hours",
    "retired": "its table would be retired",
    "capacity": "its table would seat fewer",
    "floor": "its table would move floor",
    "joins": "its tables would no longer be joined",
    "blocked": "its table would be blocked",
}


class SetupRefused(Refused):
    """The engine refused a save (nothing was changed): ``path`` points at
    the place in the document (INVALID_SETUP), ``stranded`` lists the
    bookings in the way (STRANDED_BOOKINGS)."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        path: Sequence[str] = (),
        stranded: Sequence[StrandedBooking] = (),
    ) -> None:
        super().__init__(code, message)
        self.path = tuple(path)
        self.stranded = tuple(stranded)


@dataclass(frozen=True)
class SavedSetup:
    venue_id: UUID
    #: Rows changed by section (venue, floors, tables, joins, hours, nights, blocks).
    changes: Mapping[str, int] = field(default_factory=dict)

    @property
    def changed_anything(self) -> bool:
        return any(self.changes.values())


@dataclass(frozen=True)
class VenueChoice:
    """A venue in this database, for the picker at sign-in."""

    id: UUID
    name: str


def stranded_bookings(data: Sequence[Mapping[str, Any]] | None) -> tuple[StrandedBooking, ...]:
    """The engine's ``stranded`` JSON as values (KeyError naming a missing key)."""
    return tuple(
        StrandedBooking(
            booking_id=UUID(s["booking_id"]),
            reference=s["reference"],
            guest=s["guest"],
            night=date.fromisoformat(s["night"]),
            times=s["times"],
            tables=tuple(s["tables"]),
            party_size=int(s["party_size"]),
            status=s["status"],
            why=s["why"],
        )
        for s in data or ()
    )
