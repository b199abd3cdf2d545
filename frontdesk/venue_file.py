"""A venue as a file: ``frontdesk venue export`` and ``frontdesk venue import``.

    frontdesk venue export PATH [--venue NAME]
    frontdesk venue import PATH [--dry-run]

The file is TOML (docs/venue-file.md): the venue's name, time zone and
policy, its floors, tables and joins, opening hours, nights (closures and
events) and table blocks.  It is the engine's setup document
(sql/engine/58_setup.sql) written as TOML: importing parses the file,
turns it into the same JSON document the Setup window sends, and calls the
same function (``save_venue_setup``), so the checks and the guards (nothing
stranded) live once, in the database.  Import creates the venue when no
venue has the file's name, else updates that one, in one transaction; a
refusal changes nothing.

Like ``frontdesk staff`` it runs as the database's owner (the URL in
``FRONTDESK_DATABASE_URL``, else the built-in server), so it needs nobody
signed in; the audit names it ``frontdesk venue (command line)``.  Problems
are one line, ``PATH:LINE: key: what is wrong``, and exit 1
(SetupProblem); a refusal over bookings lists them.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from psycopg.types.json import Jsonb

from frontdesk import logins
from frontdesk.problems import SetupProblem, explain_connection_error, redact
from frontdesk.settings import Settings
from frontdesk.staff import find_venue

Conn = psycopg.Connection[tuple[Any, ...]]

#: Who the audit says made a change from the command line.
AUDIT_NAME = "frontdesk venue (command line)"

#: Sections written as arrays of tables, in this order.
ARRAY_SECTIONS = ("tables", "nights", "blocks")

#: Keys of each item, in the order a file lists them.
TABLE_KEYS = (
    "name",
    "floor",
    "capacity",
    "min_spend",
    "deposit",
    "premium",
    "grid_order",
    "retired",
    "joins",
)
NIGHT_KEYS = (
    "date",
    "closed",
    "reason",
    "event",
    "opens",
    "closes",
    "min_spend_factor",
    "deposit_factor",
    "notes",
)
BLOCK_KEYS = ("table", "night", "from", "until", "reason")
POLICY_KEYS = (
    "max_days_ahead",
    "min_party_size",
    "max_party_size",
    "min_age",
    "default_booking_minutes",
    "hold_minutes",
    "idle_lock_minutes",
    "no_show_deposit",
    "late_cancel_deposit",
    "free_cancel_hours",
    "spend_flag_minutes",
)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Values written as bare TOML numbers although the document carries them as
#: strings (money and price factors are exact decimals).
NUMBERS = frozenset({"min_spend", "deposit", "min_spend_factor", "deposit_factor"})
#: Values written as bare TOML dates.
DATES = frozenset({"date", "night"})

HEADER = (
    "# A venue for frontdesk (docs/venue-file.md).  `frontdesk venue import PATH` applies\n"
    "# it: a venue of this name is updated, else created.  Sections left out stay as\n"
    "# they are; a section given is the whole of it.\n"
)


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Register ``venue`` and its tasks on the CLI's subcommands."""
    venue: argparse.ArgumentParser = commands.add_parser(
        "venue",
        help="export or import a venue's setup as a TOML file",
        description="A venue's setup (floors, tables, joins, hours, nights, policy, table "
        "blocks) as a TOML file, as the database's owner.  See docs/venue-file.md.",
    )
    tasks = venue.add_subparsers(dest="venue_command", metavar="TASK", required=True)
    export = tasks.add_parser(
        "export",
        help="write a venue's setup to a file",
        description="Write a venue's setup to PATH ('-': standard output).",
    )
    export.add_argument("path", metavar="PATH")
    export.add_argument(
        "--venue", metavar="NAME", help="the venue (needed when the database has several)"
    )
    imp = tasks.add_parser(
        "import",
        help="create or update a venue from a file",
        description="Create the venue named in PATH, or update it, in one transaction.  "
        "Refused (exit 1, nothing changed) when the file is malformed or the change would "
        "strand bookings.",
    )
    imp.add_argument("path", metavar="PATH", help="the file ('-': standard input)")
    imp.add_argument(
        "--dry-run", action="store_true", help="check the file and say what would change"
    )
    return venue


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """``frontdesk venue TASK``: 0 when done; SetupProblem for what a person must fix."""
    from frontdesk.cli import database_url

    text = _read_text(args.path) if args.venue_command == "import" else ""
    document = parse(text, args.path) if args.venue_command == "import" else {}
    url = database_url(settings)
    logins.require_current_schema(url)
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            if args.venue_command == "export":
                venue = find_venue(conn, args.venue)
                _write_text(args.path, to_toml(export_document(conn, venue.id)))
                if args.path != "-":
                    print(f"Wrote {venue.name} to {args.path}.")
                return 0
            result = import_document(
                conn, document, terminal=settings.terminal, dry_run=args.dry_run
            )
    except psycopg.OperationalError as exc:
        raise explain_connection_error(exc, redact(url)) from exc
    if not result.ok:
        raise SetupProblem(result.problem(text, args.path))
    print(result.summary(dry_run=args.dry_run))
    return 0


# ---------------------------------------------------------------------------
# The database side.


@dataclass(frozen=True)
class ImportResult:
    """What ``save_venue_setup`` answered for a file."""

    ok: bool
    created: bool
    venue_name: str
    error_code: str | None = None
    error_message: str | None = None
    error_path: tuple[str, ...] = ()
    stranded: tuple[Mapping[str, Any], ...] = ()
    changes: Mapping[str, int] | None = None

    def problem(self, text: str, file: str) -> str:
        """The refusal as the command line says it: ``FILE:LINE: key: message``
        for a mistake in the file; the message, then one line per booking
        when more are in the way than it names."""
        message = self.error_message or self.error_code or "refused"
        if self.error_path:
            line = line_of(text, self.error_path)
            where = f"{file}:{line}" if line else file
            return f"{where}: {key_name(self.error_path)}: {message}"
        if len(self.stranded) > 3:
            rows = [
                f"  {b['reference']}  {b['guest']}, {_night_words(b['night'])} {b['times']}, "
                f"{', '.join(b['tables'])}"
                for b in self.stranded
            ]
            return "\n".join([message, *rows])
        return message

    def summary(self, *, dry_run: bool) -> str:
        counts = {k: int(v) for k, v in (self.changes or {}).items()}
        parts = [
            text
            for key, one, many in (
                ("venue", "the venue's settings", "the venue's settings"),
                ("floors", "1 floor", "{n} floors"),
                ("tables", "1 table", "{n} tables"),
                ("joins", "1 join", "{n} joins"),
                ("hours", "1 weekday's hours", "{n} weekdays' hours"),
                ("nights", "1 night", "{n} nights"),
                ("blocks", "1 table block", "{n} table blocks"),
            )
            if (n := counts.get(key, 0))
            for text in [one if n == 1 else many.format(n=n)]
        ]
        if self.created:
            verb = "Would create" if dry_run else "Created"
            return f"{verb} {self.venue_name}."
        if not parts:
            return f"{self.venue_name}: nothing to change."
        verb = "Would change" if dry_run else "Changed"
        return f"{self.venue_name}: {verb.lower()} {_and(parts)}."


def export_document(conn: Conn, venue_id: UUID) -> dict[str, Any]:
    """The venue's setup document, as a file holds it (names, no ids)."""
    row = conn.execute("SELECT private.fd_setup_json(%s)", [venue_id]).fetchone()
    if row is None or row[0] is None:
        raise SetupProblem("There is no such venue.")
    document: dict[str, Any] = row[0]
    document["floors"] = [floor["name"] for floor in document["floors"]]
    for section in ("tables", "blocks"):
        for item in document[section]:
            item.pop("id", None)
    return document


def import_document(
    conn: Conn, document: Mapping[str, Any], *, terminal: str, dry_run: bool = False
) -> ImportResult:
    """Save ``document`` to the venue of its name (created when there is none)
    in one transaction, rolled back when ``dry_run``."""
    name = document.get("name")
    venue_id = None
    if isinstance(name, str):
        rows = conn.execute(
            "SELECT id FROM venues WHERE name = %s",
            [re.sub(r"\s+", " ", name).strip()],
        ).fetchall()
        if len(rows) > 1:
            raise SetupProblem(f"There are several venues called {name.strip()}.")
        venue_id = rows[0][0] if rows else None
    with conn.transaction(force_rollback=dry_run):
        conn.execute(
            "SELECT set_config('frontdesk.staff_name', %s, true), "
            "set_config('frontdesk.terminal', %s, true)",
            [AUDIT_NAME, terminal],
        )
        row = conn.execute(
            "SELECT success, error_code, error_message, error_path, stranded, saved_venue_id,"
            " changes FROM save_venue_setup(%s, %s)",
            [venue_id, Jsonb(document)],
        ).fetchone()
    assert row is not None
    ok, code, message, path, stranded, _saved, changes = row
    return ImportResult(
        ok=bool(ok),
        created=venue_id is None,
        venue_name=str(name).strip() if isinstance(name, str) else "",
        error_code=code,
        error_message=message,
        error_path=tuple(path or ()),
        stranded=tuple(stranded or ()),
        changes=changes,
    )


# ---------------------------------------------------------------------------
# Reading a file.


def parse(text: str, file: str) -> dict[str, Any]:
    """The file's setup document (JSON-ready).  A file that is not TOML is
    SetupProblem ``FILE:LINE: what``; its values are checked by the engine."""
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        where = f"{file}:{found.group(1)}" if found else file
        what = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise SetupProblem(f"{where}: this is not TOML: {what}.") from exc
    if "name" not in data:
        raise SetupProblem(f'{file}:1: name: the file needs the venue\'s name (name = "...").')
    document: dict[str, Any] = _json_ready(data)
    return document


def _json_ready(value: Any) -> Any:
    """TOML values as the document carries them: decimals as strings (exact),
    dates as YYYY-MM-DD, times as HH:MM; the rest as they are."""
    if isinstance(value, Mapping):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    return value


_ARRAY_HEADER = re.compile(r"^\s*\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]\s*(#.*)?$")
_TABLE_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]\s*(#.*)?$")
_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*=""")


@dataclass
class _Segment:
    header: str  # "" for the top level
    occurrence: int  # for [[header]]: 1, 2, ...
    first: int  # 0-based line of the header (or 0)
    lines: list[tuple[int, str]]


def _segments(text: str) -> list[_Segment]:
    segments = [_Segment("", 0, 0, [])]
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines()):
        array = _ARRAY_HEADER.match(line)
        table = None if array else _TABLE_HEADER.match(line)
        if array or table:
            name = (array or table).group(1)  # type: ignore[union-attr]
            counts[name] = counts.get(name, 0) + 1 if array else 0
            segments.append(_Segment(name, counts[name], number, []))
        else:
            segments[-1].lines.append((number, line))
    return segments


def _key_line(segment: _Segment, key: str) -> int | None:
    for number, line in segment.lines:
        found = _KEY.match(line)
        if found and key in found.groups():
            return number
    return None


def line_of(text: str, path: Sequence[str]) -> int | None:
    """The 1-based line of the file where ``path`` (the engine's error_path,
    e.g. ``("tables", "3", "capacity")``) is written, or of the nearest
    thing that is (its table's header); None when nothing is found."""
    if not path:
        return None
    segments = _segments(text)
    head, rest = path[0], list(path[1:])
    found: int | None = None
    if head in ARRAY_SECTIONS and rest and rest[0].isdigit():
        index = int(rest[0])
        for segment in segments:
            if segment.header == head and segment.occurrence == index:
                found = _key_line(segment, rest[1]) if len(rest) > 1 else None
                found = segment.first if found is None else found
    elif rest:
        for segment in segments:
            if segment.header == head:
                found = _key_line(segment, rest[0])
                found = segment.first if found is None else found
            elif segment.header == f"{head}.{rest[0]}" and found is None:
                found = _key_line(segment, rest[1]) if len(rest) > 1 else None
                found = segment.first if found is None else found
    if found is None:
        found = _key_line(segments[0], head)
    return None if found is None else found + 1


def key_name(path: Sequence[str]) -> str:
    """``tables[3].capacity``, ``hours.fri.opens``, ``name``."""
    out = ""
    for part in path:
        out += f"[{part}]" if part.isdigit() else (f".{part}" if out else part)
    return out or "the file"


# ---------------------------------------------------------------------------
# Writing a file.


def to_toml(document: Mapping[str, Any]) -> str:
    """The setup document as the file ``frontdesk venue export`` writes."""
    out = [HEADER]
    for key in ("name", "time_zone", "currency", "phone_country", "reference_prefix"):
        out.append(f"{key} = {_value(key, document[key])}\n")
    out.append(f"floors = {_value('floors', document['floors'])}\n")
    for section in ARRAY_SECTIONS:
        if not document[section]:
            out.append(f"{section} = []\n")
    out.append("\n[policy]\n")
    for key in POLICY_KEYS:
        out.append(f"{key} = {_value(key, document['policy'][key])}\n")
    out.append("\n[hours]\n")
    for day in WEEKDAYS:
        hours = document["hours"].get(day)
        if hours:
            out.append(f"{day} = {{ opens = {_value('opens', hours['opens'])}, ")
            out.append(f"closes = {_value('closes', hours['closes'])} }}\n")
    for section, keys in (("tables", TABLE_KEYS), ("nights", NIGHT_KEYS), ("blocks", BLOCK_KEYS)):
        for item in document[section]:
            out.append(f"\n[[{section}]]\n")
            for key in keys:
                if key in item and item[key] is not None:
                    out.append(f"{key} = {_value(key, item[key])}\n")
    return "".join(out)


def _value(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(key, v) for v in value) + "]"
    if key in NUMBERS and re.fullmatch(r"[0-9]+(\.[0-9]+)?", str(value)):
        return str(value)
    if key in DATES and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", str(value)):
        return str(value)
    return _string(str(value))


def _string(text: str) -> str:
    """A TOML basic string."""
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
    escapes["\r"] = "\\r"
    out = []
    for ch in text:
        if ch in escapes:
            out.append(escapes[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


# ---------------------------------------------------------------------------


def _read_text(path: str) -> str:
    if path == "-":
        return sys.stdin.read()
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise SetupProblem(f"There is no file {path}.") from exc
    except UnicodeDecodeError as exc:
        raise SetupProblem(f"{path} is not UTF-8 text: is it a venue file?") from exc
    except OSError as exc:
        raise SetupProblem(f"Cannot read {path}: {exc.strerror or exc}.") from exc


def _write_text(path: str, text: str) -> None:
    if path == "-":
        sys.stdout.write(text)
        return
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise SetupProblem(f"Cannot write {path}: {exc.strerror or exc}.") from exc


def _night_words(night: str) -> str:
    day = date.fromisoformat(night)
    return f"{day:%a} {day.day} {day:%b}"


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
