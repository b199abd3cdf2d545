"""A venue's setup as the desk sees it: the document, what a save said, and
the bookings a refused save would have stranded.  The ``Desk`` reads and
saves (``venue_setup``, ``save_venue_setup``); the first run of an empty
private database creates a venue and its first manager here, as the
database's owner (``create_venue``), or loads the demo (``open_demo``).

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

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from frontdesk import migrations
from frontdesk.errors import Refused, ServerUnavailable
from frontdesk.problems import SetupProblem

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


#: Who the audit says created a venue at a desk's first run.
FIRST_RUN_NAME = "frontdesk first run"


@dataclass(frozen=True)
class NewVenue:
    """What the first run asks: the venue, and who manages it."""

    name: str
    time_zone: str
    currency: str
    phone_country: str
    manager_name: str
    manager_pin: str


def create_venue(owner_url: str, new: NewVenue, *, terminal: str) -> UUID:
    """Create a venue and its first manager in one transaction, as the
    database's owner (the first run on the private server).  Raises
    SetupRefused (the venue's fields: INVALID_SETUP with its path,
    DUPLICATE_VENUE), Refused (the manager's name or PIN) or
    ServerUnavailable; nothing is written then."""
    document = {
        "name": new.name,
        "time_zone": new.time_zone,
        "currency": new.currency,
        "phone_country": new.phone_country,
    }
    try:
        with psycopg.connect(owner_url, row_factory=dict_row) as conn, conn.transaction():
            conn.execute(
                "SELECT set_config('frontdesk.staff_name', %s, true), "
                "set_config('frontdesk.terminal', %s, true)",
                [FIRST_RUN_NAME, terminal],
            )
            row = conn.execute(
                "SELECT * FROM save_venue_setup(NULL, %s)", [Jsonb(document)]
            ).fetchone()
            assert row is not None
            if not row["success"]:
                raise SetupRefused(
                    row["error_code"] or "REFUSED",
                    row["error_message"] or "The venue was not created.",
                    path=row["error_path"] or (),
                )
            venue_id: UUID = row["saved_venue_id"]
            staff = conn.execute(
                "SELECT code, message FROM private.fd_add_staff(%s, %s, 'manager', %s)",
                [venue_id, new.manager_name, new.manager_pin],
            ).fetchone()
            assert staff is not None
            if staff["code"] is not None:
                raise Refused(staff["code"], staff["message"] or staff["code"])
            return venue_id
    except psycopg.OperationalError as exc:
        raise ServerUnavailable() from exc


def open_demo(owner_url: str) -> UUID:
    """Load the demo venue (The Backroom Leeds) as the owner; its id.
    Raises ServerUnavailable, or SetupProblem when loading fails."""
    try:
        migrations.load_demo(owner_url)
        with psycopg.connect(owner_url) as conn:
            row = conn.execute("SELECT id FROM venues ORDER BY created_at, name LIMIT 1").fetchone()
    except psycopg.OperationalError as exc:
        raise ServerUnavailable() from exc
    if row is None:
        raise SetupProblem("The demo venue did not load.")
    venue_id: UUID = row[0]
    return venue_id
