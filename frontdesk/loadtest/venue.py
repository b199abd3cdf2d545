"""Synthetic venues for the load test, made with set-based SQL.

Every venue is open every night 18:00–06:00 (Europe/London) and books far
enough ahead to spread bookings over many nights.  Ids are deterministic so
that pgbench scripts can name a table from integers:
``lt_uuid(kind, venue, n)`` = ``KKKKKKKK-VVVV-4000-8000-NNNNNNNNNNNN`` (hex).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import psycopg

KIND_VENUE = 1
KIND_FLOOR = 2
KIND_TABLE = 3
KIND_CUSTOMER = 4

OPENS_HOUR = 18
HOURS_OPEN = 12  # until 06:00
TIME_ZONE = "Europe/London"
#: 30-minute start steps for a 2-hour booking: 18:00 … 04:00 (ends 06:00)
START_STEPS = (HOURS_OPEN - 2) * 2 + 1
#: unambiguous reference alphabet (the references' check allows A–Z and 2–9)
_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

Conn = psycopg.Connection[tuple[Any, ...]]


def lt_uuid(kind: int, venue: int, n: int) -> str:
    return f"{kind:08x}-{venue:04x}-4000-8000-{n:012x}"


def table_prefix(venue: int) -> str:
    """The first 24 characters of the venue's table ids (pgbench appends 12 hex)."""
    return lt_uuid(KIND_TABLE, venue, 0)[:24]


@dataclass(frozen=True)
class Venue:
    number: int
    id: str
    name: str
    tables: int
    customers: int
    max_days_ahead: int

    def table_id(self, n: int) -> str:
        """Table ``n`` (1-based)."""
        return lt_uuid(KIND_TABLE, self.number, n)

    def customer_email(self, n: int) -> str:
        return f"guest{n}@loadtest.example"


def create_venue(
    conn: Conn,
    number: int,
    name: str,
    *,
    tables: int,
    customers: int = 1000,
    max_days_ahead: int = 3650,
    tables_per_floor: int = 25,
) -> Venue:
    """A venue with ``tables`` tables (capacity 6, on floors of 25), open every
    night 18:00–06:00, and ``customers`` customers ``guest<n>@loadtest.example``."""
    venue = Venue(
        number=number,
        id=lt_uuid(KIND_VENUE, number, 0),
        name=name,
        tables=tables,
        customers=customers,
        max_days_ahead=max_days_ahead,
    )
    p = {
        "v": venue.id,
        "num": number,
        "name": name,
        "tz": TIME_ZONE,
        "ahead": max_days_ahead,
        "tables": tables,
        "per_floor": tables_per_floor,
        "customers": customers,
        "opens": f"{OPENS_HOUR:02d}:00",
        "closes": f"{(OPENS_HOUR + HOURS_OPEN) % 24:02d}:00",
    }
    with conn.transaction():
        conn.execute(
            "INSERT INTO venues (id, name, time_zone, max_days_ahead, default_booking_minutes)"
            " VALUES (%(v)s, %(name)s, %(tz)s, %(ahead)s, 120)",
            p,
        )
        conn.execute(
            "INSERT INTO opening_hours (venue_id, weekday, opens, closes)"
            " SELECT %(v)s, d, %(opens)s::time, %(closes)s::time FROM generate_series(1, 7) d",
            p,
        )
        conn.execute(
            f"""
            INSERT INTO floors (id, venue_id, name, sort_order)
            SELECT {_id_sql(KIND_FLOOR, "f")}, %(v)s, 'Floor ' || f, f
              FROM generate_series(1, (%(tables)s + %(per_floor)s - 1) / %(per_floor)s) f
            """,
            p,
        )
        conn.execute(
            f"""
            INSERT INTO venue_tables (id, venue_id, floor_id, name, capacity, min_spend,
                                      deposit, is_premium, grid_order)
            SELECT {_id_sql(KIND_TABLE, "t")}, %(v)s,
                   {_id_sql(KIND_FLOOR, "(t - 1) / %(per_floor)s + 1")},
                   'Table ' || t, 6, 200, 50, t %% 10 = 0, t
              FROM generate_series(1, %(tables)s) t
            """,
            p,
        )
        conn.execute(
            f"""
            INSERT INTO customers (id, venue_id, name, email)
            SELECT {_id_sql(KIND_CUSTOMER, "c")}, %(v)s, 'Guest ' || c,
                   'guest' || c || '@loadtest.example'
              FROM generate_series(1, %(customers)s) c
            """,
            p,
        )
    return venue


def _id_sql(kind: int, n: str) -> str:
    """SQL for lt_uuid(kind, %(num)s, n) where ``n`` is an SQL integer expression."""
    return (
        f"(lpad(to_hex({kind}), 8, '0') || '-' || lpad(to_hex(%(num)s::int), 4, '0')"
        f" || '-4000-8000-' || lpad(to_hex({n}), 12, '0'))::uuid"
    )


def _reference_sql(night: str, n: str) -> str:
    """SQL for a unique reference: BR-<night YYMMDD>-<n in base 32, 6 letters>."""
    digits = " || ".join(
        f"substr('{_REF_ALPHABET}', (({n}) / {32**k} %% 32)::int + 1, 1)" for k in range(5, -1, -1)
    )
    return f"'BR-' || to_char({night}, 'YYMMDD') || '-' || {digits}"


def load_bookings(conn: Conn, venue: Venue, *, nights: int, per_table: int = 4) -> float:
    """Fill nights 1..``nights`` from today with ``per_table`` two-hour bookings
    per table per night (starts 3 hours apart from 18:00), fast.

    Set-based inserts with the user triggers of bookings and booking_tables
    disabled inside the transaction (validation, audit, change feed: the
    rows are known good, and the exclusion constraint still checks them);
    booking_tables' copied columns are written directly.  Returns seconds.
    """
    started = time.monotonic()
    p = {
        "v": venue.id,
        "nights": nights,
        "per": per_table,
        "tz": TIME_ZONE,
        "tables": venue.tables,
        "customers": venue.customers,
        "num": venue.number,
    }
    number = "((n - 1) * %(tables)s * %(per)s + (t - 1) * %(per)s + s)"
    with conn.transaction():
        conn.execute("ALTER TABLE bookings DISABLE TRIGGER USER")
        conn.execute("ALTER TABLE booking_tables DISABLE TRIGGER USER")
        conn.execute(
            f"""
            CREATE TEMP TABLE lt_load ON COMMIT DROP AS
            SELECT gen_random_uuid() AS id,
                   {_id_sql(KIND_TABLE, "t")} AS table_id,
                   {_id_sql(KIND_CUSTOMER, f"({number} %% %(customers)s) + 1")} AS customer_id,
                   current_date + n AS night,
                   {_reference_sql("current_date + n", number)} AS reference,
                   ((current_date + n) + make_interval(hours => {OPENS_HOUR} + 3 * s))
                       AT TIME ZONE %(tz)s AS starts_at,
                   ((current_date + n) + make_interval(hours => {OPENS_HOUR} + 3 * s + 2))
                       AT TIME ZONE %(tz)s AS ends_at,
                   1 + ({number} %% 6) AS party_size
              FROM generate_series(1, %(nights)s) n,
                   generate_series(1, %(tables)s) t,
                   generate_series(0, %(per)s - 1) s
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO bookings (id, venue_id, reference, customer_id, night, starts_at,
                                  ends_at, party_size, status, source, total_deposit,
                                  total_min_spend)
            SELECT id, %(v)s, reference, customer_id, night, starts_at, ends_at, party_size,
                   'confirmed', 'web', 50, 200
              FROM lt_load
            """,
            p,
        )
        conn.execute(
            """
            INSERT INTO booking_tables (venue_id, booking_id, table_id, night, period, is_active)
            SELECT %(v)s, id, table_id, night, tstzrange(starts_at, ends_at, '[)'), true
              FROM lt_load
            """,
            p,
        )
        conn.execute("ALTER TABLE bookings ENABLE TRIGGER USER")
        conn.execute("ALTER TABLE booking_tables ENABLE TRIGGER USER")
    conn.execute("ANALYZE bookings")
    conn.execute("ANALYZE booking_tables")
    return time.monotonic() - started
