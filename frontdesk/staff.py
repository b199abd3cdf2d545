"""``frontdesk staff``: the venue's staff and their PINs, from the command line.

    frontdesk staff add NAME --role host|manager [--venue NAME] [--pin-stdin]
    frontdesk staff list [--venue NAME]
    frontdesk staff disable NAME [--venue NAME]
    frontdesk staff reset-pin NAME [--venue NAME] [--pin-stdin]

Like ``frontdesk db upgrade`` it runs as the database's owner (the URL in
``FRONTDESK_DATABASE_URL``, else the built-in server), so it needs nobody
signed in: it calls the engine's private helpers (sql/engine/16_staff.sql),
which check the PIN (4 to 8 digits), hash it and audit the change, as the
manager's functions in the app do.  A PIN is asked twice without echo, or
read as one line from standard input with ``--pin-stdin``.  Problems are
one line and exit 1 (SetupProblem).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import psycopg

from frontdesk import migrations
from frontdesk.problems import SetupProblem, explain_connection_error, redact
from frontdesk.settings import Settings

Conn = psycopg.Connection[tuple[Any, ...]]

#: Who the audit says made a change from the command line.
AUDIT_NAME = "frontdesk staff (command line)"


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Register ``staff`` and its tasks on the CLI's subcommands."""
    staff: argparse.ArgumentParser = commands.add_parser(
        "staff",
        help="add, list and disable staff, reset PINs",
        description="The venue's staff and their PINs, as the database's owner (no sign-in "
        "needed).  A PIN is 4 to 8 digits.",
    )
    tasks = staff.add_subparsers(dest="staff_command", metavar="TASK", required=True)

    def task(name: str, help_text: str, *, named: bool = True) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = tasks.add_parser(name, help=help_text, description=help_text)
        if named:
            p.add_argument("name", metavar="NAME", help="the person's name, as they sign in")
        p.add_argument(
            "--venue", metavar="NAME", help="the venue (needed when the database has several)"
        )
        return p

    add = task("add", "add a member of staff with a PIN")
    add.add_argument("--role", choices=("host", "manager"), required=True)
    add.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    task("list", "list the staff: name, role, active, locked until", named=False)
    task("disable", "stop a person signing in (ends their sessions)")
    reset = task("reset-pin", "give a person a new PIN (also lifts a lockout)")
    reset.add_argument("--pin-stdin", action="store_true", help="read the PIN from standard input")
    return staff


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """``frontdesk staff TASK``: 0 when done; SetupProblem for what a person must fix."""
    from frontdesk.cli import database_url

    url = database_url(settings)
    pin = _read_pin(args) if args.staff_command in ("add", "reset-pin") else None
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            _require_current_schema(conn)
            venue = find_venue(conn, args.venue)
            if args.staff_command == "list":
                print_staff(list_staff(conn, venue.id))
                return 0
            with conn.transaction():
                _say_who(conn, settings)
                if args.staff_command == "add":
                    assert pin is not None
                    add(conn, venue.id, args.name, args.role, pin)
                    print(f"Added {args.name.strip()} ({args.role}) at {venue.name}.")
                elif args.staff_command == "disable":
                    disable(conn, venue.id, args.name)
                    print(f"{args.name.strip()} can no longer sign in at {venue.name}.")
                elif args.staff_command == "reset-pin":
                    assert pin is not None
                    reset_pin(conn, venue.id, args.name, pin)
                    print(f"{args.name.strip()} has a new PIN.")
    except psycopg.OperationalError as exc:
        raise explain_connection_error(exc, redact(url)) from exc
    return 0


# ---------------------------------------------------------------------------
# The database side (usable from Python as well as from the command line).


@dataclass(frozen=True)
class Venue:
    id: UUID
    name: str


@dataclass(frozen=True)
class StaffMember:
    name: str
    role: str
    is_active: bool
    has_pin: bool
    locked_until: datetime | None  # venue-local wall-clock time, while locked


def _require_current_schema(conn: Conn) -> None:
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


def find_venue(conn: Conn, name: str | None) -> Venue:
    """The venue called ``name``, or the only one when no name is given."""
    rows = conn.execute("SELECT id, name FROM venues ORDER BY name").fetchall()
    if name is not None:
        rows = [r for r in rows if r[1] == name.strip()]
        if not rows:
            raise SetupProblem(f"There is no venue called {name.strip()!r}.")
    if not rows:
        raise SetupProblem(
            "There is no venue in this database yet: set one up first "
            "(`frontdesk db upgrade --demo` loads the demo venue)."
        )
    if len(rows) > 1:
        names = ", ".join(str(r[1]) for r in rows)
        raise SetupProblem(f"There are several venues ({names}): name one with --venue.")
    return Venue(id=rows[0][0], name=rows[0][1])


def list_staff(conn: Conn, venue_id: UUID) -> list[StaffMember]:
    rows = conn.execute(
        "SELECT s.name, s.role, s.is_active, s.pin_hash IS NOT NULL,"
        "       CASE WHEN s.locked_until > private.fd_now()"
        "            THEN s.locked_until AT TIME ZONE v.time_zone END"
        "  FROM staff s JOIN venues v ON v.id = s.venue_id"
        " WHERE s.venue_id = %s ORDER BY lower(s.name), s.name",
        [venue_id],
    ).fetchall()
    return [StaffMember(*row) for row in rows]


def print_staff(staff: list[StaffMember]) -> None:
    table = [("NAME", "ROLE", "ACTIVE", "PIN", "LOCKED UNTIL")]
    for s in staff:
        table.append(
            (
                s.name,
                s.role,
                "yes" if s.is_active else "no",
                "set" if s.has_pin else "none",
                s.locked_until.strftime("%Y-%m-%d %H:%M") if s.locked_until else "-",
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def add(conn: Conn, venue_id: UUID, name: str, role: str, pin: str) -> UUID:
    row = conn.execute(
        "SELECT code, message, new_staff_id FROM private.fd_add_staff(%s, %s, %s, %s)",
        [venue_id, name, role, pin],
    ).fetchone()
    assert row is not None
    _refused(row[0], row[1])
    staff_id: UUID = row[2]
    return staff_id


def disable(conn: Conn, venue_id: UUID, name: str) -> None:
    _refusal(conn, "SELECT * FROM private.fd_set_staff_active(%s, %s, false)", [venue_id, name])


def reset_pin(conn: Conn, venue_id: UUID, name: str, pin: str) -> None:
    _refusal(conn, "SELECT * FROM private.fd_set_staff_pin(%s, %s, %s)", [venue_id, name, pin])


def _refusal(conn: Conn, query: str, params: list[Any]) -> None:
    row = conn.execute(query.encode(), params).fetchone()
    assert row is not None
    _refused(row[0], row[1])


def _refused(code: str | None, message: str | None) -> None:
    if code is not None:
        raise SetupProblem(message or code)


def _say_who(conn: Conn, settings: Settings) -> None:
    """Name the command line and this machine in the audit of what it changes."""
    conn.execute(
        "SELECT set_config('frontdesk.staff_name', %s, true), "
        "set_config('frontdesk.terminal', %s, true)",
        [AUDIT_NAME, settings.terminal],
    )


# ---------------------------------------------------------------------------
# The PIN, from the person at the terminal.


def _read_pin(args: argparse.Namespace) -> str:
    if args.pin_stdin:
        line = sys.stdin.readline()
        pin = line.rstrip("\r\n")
        if not pin:
            raise SetupProblem("No PIN on standard input.")
        return pin
    who = args.name.strip()
    try:
        first = getpass.getpass(f"New PIN for {who} (4 to 8 digits): ")
        second = getpass.getpass("The same PIN again: ")
    except (EOFError, KeyboardInterrupt) as exc:
        raise SetupProblem("No PIN given: nothing changed.") from exc
    if first != second:
        raise SetupProblem("The two PINs differ: nothing changed.")
    return first
