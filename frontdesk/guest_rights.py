"""Guests' rights (UK GDPR): one guest's data as JSON, and erasing a guest.

    frontdesk guest export (--phone P | --email E | --name N | --reference R | --id UUID)
                           [--venue NAME] --out FILE
    frontdesk guest erase  (the same selectors) [--venue NAME] [--yes]

The rules live in the engine (sql/engine/46_guest_rights.sql): what an
export holds, what an erasure removes and keeps, and its one audit entry.
This module wraps them twice:

- for the window, ``export_guest`` and ``erase_guest`` call the public
  functions through the desk's ``Database`` (a manager's session; a refusal
  raises ``Refused``);
- for the command line, which runs as the database's owner like ``frontdesk
  staff`` (no sign-in), ``find_guest``, ``export`` and ``erase`` call the
  private helpers on a psycopg connection.

An export file is written whole or not at all, UTF-8, indented, readable by
its owner only (it is personal data).  Problems a person can fix are one
line and exit 1 (SetupProblem).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import psycopg

from frontdesk import migrations
from frontdesk.database import Database
from frontdesk.errors import Refused
from frontdesk.plan import Change
from frontdesk.problems import SetupProblem, explain_connection_error, redact
from frontdesk.settings import Settings
from frontdesk.staff import find_venue

Conn = psycopg.Connection[tuple[Any, ...]]
GuestData = dict[str, Any]
_R = TypeVar("_R")

#: Who the audit says erased a guest from the command line.
AUDIT_NAME = "frontdesk guest (command line)"

#: What an erased guest is called (the engine's private.fd_erased_name()).
ERASED_NAME = "Erased guest"

#: What an erasure removes and what it keeps, for the person about to do it.
REMOVED = (
    "the guest's name, phone, email, date of birth and notes; their bookings' special "
    "requests and occasions; and every copy of these in the audit log"
)
KEPT = (
    "their bookings (reference, night, times, party size, status, tables, deposit, minimum "
    "spend, payment reference) and the audit's record of who changed what and when"
)


# ---------------------------------------------------------------------------
# For the window: the public functions, as the signed-in manager.


@dataclass(frozen=True)
class _ExportRow:
    success: bool
    error_code: str | None
    error_message: str | None
    data: GuestData | None


@dataclass(frozen=True)
class _EraseRow:
    success: bool
    error_code: str | None
    error_message: str | None


def export_guest(db: Database, venue_id: UUID, customer_id: UUID) -> GuestData:
    """Everything held about one guest (see sql/engine/46_guest_rights.sql).

    Refused: NOT_SIGNED_IN, NOT_ALLOWED (not a manager of the venue),
    UNKNOWN_CUSTOMER.  Blocks: call it off the UI thread."""
    rows = db.call_rows(
        "SELECT * FROM export_guest(%(venue_id)s, %(customer_id)s)",
        {"venue_id": venue_id, "customer_id": customer_id},
        row=_ExportRow,
        what="export_guest",
    )
    row = _one(rows, "export_guest")
    _refuse_unless(row.success, row.error_code, row.error_message)
    if row.data is None:
        raise RuntimeError("export_guest succeeded with data NULL")
    return row.data


def erase_guest(db: Database, venue_id: UUID, customer_id: UUID) -> None:
    """Erase one guest's personal data (done already counts as done).

    Refused: NOT_SIGNED_IN, NOT_ALLOWED, UNKNOWN_CUSTOMER, BUSY (the guest
    is being changed at another desk; nothing changed).  Blocks."""
    rows = db.call_rows(
        "SELECT * FROM erase_guest(%(venue_id)s, %(customer_id)s)",
        {"venue_id": venue_id, "customer_id": customer_id},
        row=_EraseRow,
        what="erase_guest",
    )
    row = _one(rows, "erase_guest")
    _refuse_unless(row.success, row.error_code, row.error_message)


def _one(rows: list[_R], what: str) -> _R:
    if not rows:
        raise RuntimeError(f"{what} returned no row")
    return rows[0]


def _refuse_unless(success: bool, code: str | None, message: str | None) -> None:
    if not success:
        raise Refused(code or "REFUSED", message or "Refused.")


# ---------------------------------------------------------------------------
# Reading an export.


@dataclass(frozen=True)
class Held:
    """What an export says is held about a guest, for a person to read."""

    customer_id: UUID
    name: str
    phone: str | None
    email: str | None
    date_of_birth: date | None
    notes: str | None
    erased_at: datetime | None
    bookings: int
    first_night: date | None
    last_night: date | None
    with_free_text: int  # bookings with special requests or an occasion
    audit_entries: int
    tags: tuple[str, ...] = ()  # the guest's tags' names (VIP, Banned...)
    waitlist_entries: int = 0  # at the door, by their phone or seated as theirs
    spend_notes: int = 0  # words typed with spend on their bookings


def held(data: Mapping[str, Any]) -> Held:
    """The summary of an export (``export_guest``'s or ``export``'s data)."""
    profile = data["profile"]
    nights = sorted(date.fromisoformat(b["night"]) for b in data["bookings"])
    return Held(
        customer_id=UUID(profile["id"]),
        name=profile["name"],
        phone=profile["phone"],
        email=profile["email"],
        date_of_birth=_maybe(date.fromisoformat, profile["date_of_birth"]),
        notes=profile["notes"],
        erased_at=_maybe(datetime.fromisoformat, profile["erased_at"]),
        bookings=len(data["bookings"]),
        first_night=nights[0] if nights else None,
        last_night=nights[-1] if nights else None,
        with_free_text=sum(1 for b in data["bookings"] if b["special_requests"] or b["occasion"]),
        audit_entries=len(data["audit"]),
        # (an export written before guests had tags has none)
        tags=tuple(t["name"] for t in data.get("tags", ())),
        # (nor, before the export held them, waitlist entries or spend)
        waitlist_entries=len(data.get("waitlist", ())),
        spend_notes=sum(1 for s in data.get("spend", ()) if s["note"]),
    )


def _maybe(parse: Any, text: str | None) -> Any:
    return None if text is None else parse(text)


def erasure_changes(data: Mapping[str, Any]) -> list[Change]:
    """What erasing the guest of this export changes on the grid: each
    night of their bookings, with those bookings and their tables."""
    venue_id = UUID(data["venue"]["id"])
    by_night: dict[date, tuple[set[UUID], set[UUID]]] = {}
    for b in data["bookings"]:
        tables, bookings = by_night.setdefault(date.fromisoformat(b["night"]), (set(), set()))
        tables.update(UUID(t) for t in b["table_ids"])
        bookings.add(UUID(b["id"]))
    return [
        Change(
            venue_id=venue_id,
            night=night,
            table_ids=frozenset(tables),
            booking_ids=frozenset(bookings),
            kinds=frozenset({"updated"}),
        )
        for night, (tables, bookings) in sorted(by_night.items())
    ]


def write_export(path: Path, data: Mapping[str, Any]) -> None:
    """Write an export to ``path`` as indented UTF-8 JSON, replaced whole
    (never left half-written), readable by its owner only.  Raises OSError."""
    path = Path(path)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.write("\n")
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------
# For the command line: the private helpers, as the database's owner.


@dataclass(frozen=True)
class Guest:
    id: UUID
    name: str
    phone: str | None
    email: str | None
    erased_at: datetime | None


#: How each selector finds the guest ({venue} and {value} are parameters).
_FIND = {
    "phone": "c.phone = private.fd_normalise_phone(%(value)s, v.phone_country)",
    "email": "c.email = private.fd_normalise_email(%(value)s)",
    "name": "lower(c.name) = lower(regexp_replace(btrim(%(value)s), '\\s+', ' ', 'g'))",
    "reference": "c.id IN (SELECT b.customer_id FROM bookings b WHERE b.venue_id = v.id "
    "AND b.reference = upper(btrim(%(value)s)))",
    "customer_id": "c.id = %(value)s",
}


def find_guest(conn: Conn, venue_id: UUID, by: str, value: str | UUID) -> Guest:
    """The venue's guest with this phone (as typed), email, name, booking
    reference or id (``by``).  SetupProblem when there is none, or several
    of that name."""
    rows = conn.execute(
        (
            "SELECT c.id, c.name, c.phone, c.email, c.erased_at"
            "  FROM customers c JOIN venues v ON v.id = c.venue_id"
            f" WHERE v.id = %(venue)s AND {_FIND[by]}"
            " ORDER BY c.created_at, c.id LIMIT 10"
        ).encode(),
        {"venue": venue_id, "value": value},
    ).fetchall()
    if not rows:
        what = {"customer_id": "id", "reference": "booking reference"}.get(by, by)
        raise SetupProblem(f"No guest here has the {what} {str(value).strip()!r}.")
    if len(rows) > 1:
        raise SetupProblem(
            f"{len(rows)} guests are called {str(value).strip()!r}: choose one with --phone, "
            "--email, --reference or --id."
        )
    return Guest(*rows[0])


def export(conn: Conn, venue_id: UUID, customer_id: UUID) -> GuestData:
    """Everything held about a guest, as the owner."""
    row = conn.execute("SELECT private.fd_guest_export(%s, %s)", [venue_id, customer_id]).fetchone()
    if row is None or row[0] is None:
        raise SetupProblem("There is no such customer.")
    data: GuestData = row[0]
    return data


def erase(conn: Conn, venue_id: UUID, customer_id: UUID) -> None:
    """Erase a guest's personal data, as the owner.  SetupProblem for a
    refusal (UNKNOWN_CUSTOMER, BUSY)."""
    row = conn.execute(
        "SELECT (r).code, (r).message FROM private.fd_guest_erase(%s, %s) AS r",
        [venue_id, customer_id],
    ).fetchone()
    if row is not None and row[0] is not None:
        raise SetupProblem(row[1] or row[0])


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Register ``guest`` and its tasks on the CLI's subcommands."""
    guest: argparse.ArgumentParser = commands.add_parser(
        "guest",
        help="export or erase one guest's data (UK GDPR)",
        description="One guest's data, as the database's owner (no sign-in needed): export "
        "it as JSON, or erase it.",
    )
    tasks = guest.add_subparsers(dest="guest_command", metavar="TASK", required=True)

    def task(name: str, help_text: str) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = tasks.add_parser(name, help=help_text, description=help_text)
        which = p.add_mutually_exclusive_group(required=True)
        which.add_argument("--phone", metavar="PHONE", help="the guest's phone, as dialled")
        which.add_argument("--email", metavar="EMAIL", help="the guest's email address")
        which.add_argument("--name", metavar="NAME", help="the guest's full name")
        which.add_argument("--reference", metavar="REF", help="a booking's reference: its guest")
        which.add_argument("--id", metavar="UUID", type=UUID, dest="customer_id")
        p.add_argument(
            "--venue", metavar="NAME", help="the venue (needed when the database has several)"
        )
        return p

    out = task("export", "write everything held about a guest to a JSON file")
    out.add_argument("--out", metavar="FILE", type=Path, required=True)
    wipe = task(
        "erase",
        "erase a guest's personal data; their bookings are kept without it",
    )
    wipe.add_argument("--yes", action="store_true", help="do not ask to confirm")
    return guest


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """``frontdesk guest TASK``: 0 when done; SetupProblem for what a person must fix."""
    from frontdesk.cli import database_url  # the CLI imports this module

    by = next(k for k in ("phone", "email", "name", "reference", "customer_id") if getattr(args, k))
    url = database_url(settings)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            _require_current_schema(conn)
            venue = find_venue(conn, args.venue)
            guest = find_guest(conn, venue.id, by, getattr(args, by))
            if args.guest_command == "export":
                _export_to(conn, venue.id, guest, args.out)
            else:
                _erase_asking(conn, venue.id, guest, settings, confirmed=args.yes)
    except psycopg.OperationalError as exc:
        raise explain_connection_error(exc, redact(url)) from exc
    return 0


def _export_to(conn: Conn, venue_id: UUID, guest: Guest, path: Path) -> None:
    data = export(conn, venue_id, guest.id)
    try:
        write_export(path, data)
    except OSError as exc:
        raise SetupProblem(f"Couldn't write {path}: {exc.strerror or exc}") from exc
    summary = held(data)
    print(
        f"Wrote {guest.name}'s data to {path}: the profile, "
        f"{_count(summary.bookings, 'booking')} and {_count(summary.audit_entries, 'audit entry')}."
    )


def _erase_asking(
    conn: Conn, venue_id: UUID, guest: Guest, settings: Settings, *, confirmed: bool
) -> None:
    if guest.erased_at is None and not confirmed:
        print(f"Erasing removes {REMOVED}.")
        print(f"It keeps {KEPT}.")
        _confirm(guest.name)
    with conn.transaction():
        _say_who(conn, settings)
        erase(conn, venue_id, guest.id)
    if guest.erased_at is not None:
        print(f"That guest was erased on {guest.erased_at:%Y-%m-%d}; nothing personal is left.")
    else:
        print(f"Erased {guest.name} (customer {guest.id}); their bookings are kept without it.")


def _confirm(name: str) -> None:
    try:
        typed = input("Type the guest's name to confirm: ")
    except (EOFError, KeyboardInterrupt) as exc:
        raise SetupProblem("Not confirmed: nothing was erased.") from exc
    if not names_match(typed, name):
        raise SetupProblem("That is not the guest's name: nothing was erased.")


def names_match(typed: str, name: str) -> bool:
    """Is what was typed to confirm the guest's name (case and spacing aside)?"""
    return " ".join(typed.split()).casefold() == " ".join(name.split()).casefold() != ""


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


def _say_who(conn: Conn, settings: Settings) -> None:
    """Name the command line and this machine in the audit of the erasure."""
    conn.execute(
        "SELECT set_config('frontdesk.staff_name', %s, true), "
        "set_config('frontdesk.terminal', %s, true)",
        [AUDIT_NAME, settings.terminal],
    )


def _require_current_schema(conn: Conn) -> None:
    """SetupProblem unless the database is at the current schema (the same
    check as ``frontdesk staff``'s)."""
    found = conn.execute("SELECT to_regclass('alembic_version') IS NOT NULL").fetchone()
    row = (
        conn.execute("SELECT max(version_num) FROM alembic_version").fetchone()
        if found and found[0]
        else None
    )
    if row is None or row[0] != migrations.head_revision():
        raise SetupProblem(
            "The database is not at the current schema: run `frontdesk db upgrade` first."
        )
