"""``frontdesk db check``: a short proof that the engine on this server works.

A venue runs it after installing or upgrading its server.  Everything
happens inside one transaction that is rolled back at the end, on a scratch
venue of its own, so the venue's data is never touched: take and release the
phone lock, check availability, book, be refused an overlap, get a table
combination, and see each of the validation trigger's rules refuse a plain
SQL write.  Each check is a savepoint of its own, so one failing check does
not hide the others.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row

Conn = psycopg.Connection[dict[str, Any]]


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str = ""

    def line(self) -> str:
        mark = "✓" if self.ok else "✗"
        return f"{mark} {self.name}" + (f": {self.detail}" if self.detail else "")


@dataclass(frozen=True)
class _Scratch:
    venue: Any
    tables: dict[str, Any]
    adult: Any
    minor: Any
    night: date


def run_checks(url: str) -> list[CheckResult]:
    """Every check's result, in order.  Writes nothing that stays."""
    results: list[CheckResult] = []
    with psycopg.connect(url, row_factory=dict_row) as conn:
        try:
            scratch = _scratch_venue(conn)
            for name, check in _CHECKS:
                results.append(_run(conn, name, check, scratch))
        finally:
            conn.rollback()
            conn.execute("SELECT pg_advisory_unlock_all()")
    return results


def _run(conn: Conn, name: str, check: Callable[[Conn, _Scratch], str], s: _Scratch) -> CheckResult:
    try:
        with conn.transaction():  # a savepoint: rolled back whatever happens
            detail = check(conn, s)
            raise _Undo(detail)
    except _Undo as undo:
        return CheckResult(name, True, undo.detail)
    except _Failed as failed:
        return CheckResult(name, False, failed.why)
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return CheckResult(name, False, first)


class _Undo(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _Failed(Exception):
    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _expect(condition: bool, why: str) -> None:
    if not condition:
        raise _Failed(why)


def _one(conn: Conn, query: str, params: Any = None) -> dict[str, Any]:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return row


def _scratch_venue(conn: Conn) -> _Scratch:
    """A venue open every night 21:00-04:00 with three joinable tables."""
    v = _one(
        conn,
        "INSERT INTO venues (name) VALUES ('frontdesk self-check (rolled back)')"
        " RETURNING id, (private.fd_now() AT TIME ZONE time_zone)::date AS today",
    )
    conn.execute(
        "INSERT INTO opening_hours (venue_id, weekday, opens, closes)"
        " SELECT %s, d, '21:00', '04:00' FROM generate_series(1, 7) d",
        [v["id"]],
    )
    floor = _one(
        conn, "INSERT INTO floors (venue_id, name) VALUES (%s, 'Floor') RETURNING id", [v["id"]]
    )["id"]
    tables = {}
    for order, name in enumerate(("A", "B", "C"), start=1):
        tables[name] = _one(
            conn,
            "INSERT INTO venue_tables (venue_id, floor_id, name, capacity, min_spend, deposit,"
            " grid_order) VALUES (%s, %s, %s, 4, 100, 20, %s) RETURNING id",
            [v["id"], floor, name, order],
        )["id"]
    conn.execute(
        "INSERT INTO table_joins (venue_id, table_a, table_b)"
        " VALUES (%(v)s, least(%(a)s::uuid, %(b)s::uuid), greatest(%(a)s::uuid, %(b)s::uuid))",
        {"v": v["id"], "a": tables["A"], "b": tables["B"]},
    )
    adult = _one(
        conn,
        "INSERT INTO customers (venue_id, name, email, date_of_birth)"
        " VALUES (%s, 'Check Adult', 'adult@selfcheck.invalid', '1990-01-01') RETURNING id",
        [v["id"]],
    )["id"]
    minor = _one(
        conn,
        "INSERT INTO customers (venue_id, name, email, date_of_birth)"
        " VALUES (%s, 'Check Minor', 'minor@selfcheck.invalid', %s) RETURNING id",
        [v["id"], v["today"] - timedelta(days=365 * 15)],
    )["id"]
    return _Scratch(v["id"], tables, adult, minor, v["today"] + timedelta(days=7))


def _book(conn: Conn, s: _Scratch, table: str, start: str, end: str, party: int = 2) -> Any:
    return _one(
        conn,
        "SELECT * FROM create_booking_atomic(%s, 'guest@selfcheck.invalid', NULL,"
        " 'Check Guest', ARRAY[%s]::uuid[], %s, %s, %s, %s)",
        [s.venue, s.tables[table], s.night, start, end, party],
    )


def check_lock(conn: Conn, s: _Scratch) -> str:
    table, night = s.tables["A"], s.night
    got = _one(conn, "SELECT acquire_booking_lock(%s, %s, '22:00') AS ok", [table, night])
    _expect(got["ok"] is True, "acquire_booking_lock did not take the lock")
    refused = _book(conn, s, "A", "22:00", "23:00")  # our own session: the lock is ours
    gone = _one(conn, "SELECT release_booking_lock(%s, %s, '22:00') AS ok", [table, night])
    _expect(gone["ok"] is True, "release_booking_lock did not release it")
    again = _one(conn, "SELECT release_booking_lock(%s, %s, '22:00') AS ok", [table, night])
    _expect(again["ok"] is False, "released twice")
    _expect(refused["success"] is True, f"the lock's own desk was refused: {refused}")
    return "acquired, released once"


def check_availability(conn: Conn, s: _Scratch) -> str:
    free = _one(
        conn,
        "SELECT check_table_availability(%s, %s, '22:00', '23:00') AS ok",
        [s.tables["A"], s.night],
    )
    _expect(free["ok"] is True, "a free table reads as taken")
    _book(conn, s, "A", "22:00", "23:00")
    taken = _one(
        conn,
        "SELECT check_table_availability(%s, %s, '22:30', '23:30') AS ok",
        [s.tables["A"], s.night],
    )
    _expect(taken["ok"] is False, "a booked table reads as free")
    return "free, then taken"


def check_booking(conn: Conn, s: _Scratch) -> str:
    row = _book(conn, s, "A", "23:00", "01:00")
    _expect(row["success"] is True, f"refused: {row['error_code']} {row['error_message']}")
    return f"{row['booking_reference']}, deposit {row['total_deposit']}"


def check_overlap_refused(conn: Conn, s: _Scratch) -> str:
    first = _book(conn, s, "A", "23:00", "01:00")
    _expect(first["success"] is True, "the first booking was refused")
    second = _book(conn, s, "A", "00:00", "02:00")
    _expect(second["error_code"] == "TABLE_UNAVAILABLE", f"answered {second['error_code']}")
    return str(second["error_message"])


def check_combination(conn: Conn, s: _Scratch) -> str:
    rows = conn.execute(
        "SELECT table_names, is_optimal, combination_type FROM"
        " get_optimal_table_combinations(%s, %s, '22:00', '23:00', 7)",
        [s.venue, s.night],
    ).fetchall()
    _expect(bool(rows), "no combination for a party of 7 over two joinable tables of 4")
    best = rows[0]
    _expect(best["is_optimal"] and best["combination_type"] == "combination", f"got {best}")
    return " + ".join(best["table_names"])


def check_exclusion_constraint(conn: Conn, s: _Scratch) -> str:
    first = _book(conn, s, "B", "22:00", "23:00")
    _expect(first["success"] is True, "the first booking was refused")
    try:
        with conn.transaction():
            _plain_insert(conn, s, "B", "22:30", "23:30")
    except psycopg.errors.ExclusionViolation:
        return "a plain SQL overlap is refused (booking_tables_no_overlap)"
    raise _Failed("a plain SQL INSERT double booked a table")


def _plain_insert(
    conn: Conn,
    s: _Scratch,
    table: str,
    start: str,
    end: str,
    *,
    night: date | None = None,
    party: int = 2,
    customer: Any = None,
) -> None:
    night = night or s.night
    conn.execute(
        "WITH b AS (INSERT INTO bookings (venue_id, reference, customer_id, night, starts_at,"
        " ends_at, party_size) VALUES (%(v)s, 'BR-000000-CHECKS', %(c)s, %(n)s,"
        " private.fd_night_instant(%(v)s, %(n)s, %(s)s),"
        " private.fd_night_instant(%(v)s, %(n)s, %(e)s), %(p)s) RETURNING id)"
        " INSERT INTO booking_tables (booking_id, table_id) SELECT id, %(t)s FROM b",
        {
            "v": s.venue,
            "c": customer or s.adult,
            "n": night,
            "s": start,
            "e": end,
            "p": party,
            "t": s.tables[table],
        },
    )
    conn.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the capacity check runs at commit


def _trigger_refuses(code: str, **insert: Any) -> Callable[[Conn, _Scratch], str]:
    def check(conn: Conn, s: _Scratch) -> str:
        args = {"table": "C", "start": "22:00", "end": "23:00", **insert}
        night = args.pop("night_offset", None)
        try:
            with conn.transaction():
                if args.pop("closed", False):
                    conn.execute(
                        "INSERT INTO nights (venue_id, night, is_closed) VALUES (%s, %s, true)",
                        [s.venue, s.night],
                    )
                _plain_insert(
                    conn,
                    s,
                    args.pop("table"),
                    args.pop("start"),
                    args.pop("end"),
                    night=s.night + timedelta(days=night) if night is not None else None,
                    party=args.pop("party", 2),
                    customer=s.minor if args.pop("minor", False) else None,
                )
        except psycopg.errors.CheckViolation as exc:
            got = exc.diag.message_detail or ""
            _expect(got == code, f"refused with {got or 'no code'}, not {code}")
            return exc.diag.message_primary or code
        raise _Failed(f"a plain SQL INSERT that breaks {code} was accepted")

    return check


_CHECKS: list[tuple[str, Callable[[Conn, _Scratch], str]]] = [
    ("phone lock: acquire_booking_lock / release_booking_lock", check_lock),
    ("availability: check_table_availability", check_availability),
    ("a booking: create_booking_atomic", check_booking),
    ("an overlapping booking is refused", check_overlap_refused),
    ("a table combination: get_optimal_table_combinations", check_combination),
    ("the exclusion constraint holds for plain SQL", check_exclusion_constraint),
    ("trigger refuses a past night (PAST_DATE)", _trigger_refuses("PAST_DATE", night_offset=-30)),
    (
        "trigger refuses a night too far ahead (TOO_FAR_AHEAD)",
        _trigger_refuses("TOO_FAR_AHEAD", night_offset=400),
    ),
    (
        "trigger refuses outside the hours (OUTSIDE_HOURS)",
        _trigger_refuses("OUTSIDE_HOURS", start="12:00", end="13:00"),
    ),
    (
        "trigger refuses an end before the start (INVALID_TIME)",
        _trigger_refuses("INVALID_TIME", start="23:00", end="22:00"),
    ),
    (
        "trigger refuses a closed night (VENUE_CLOSED)",
        _trigger_refuses("VENUE_CLOSED", closed=True),
    ),
    ("trigger refuses a party of 0 (PARTY_SIZE)", _trigger_refuses("PARTY_SIZE", party=0)),
    (
        "trigger refuses more than the seats (OVER_CAPACITY)",
        _trigger_refuses("OVER_CAPACITY", party=9),
    ),
    ("trigger refuses an under-age guest (UNDER_AGE)", _trigger_refuses("UNDER_AGE", minor=True)),
]
