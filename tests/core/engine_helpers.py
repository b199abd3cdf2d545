"""A small venue of our own for engine tests, and ways to call and observe the engine.

``make_venue`` builds a venue with known tables, joins and customers, open
every day (21:00-04:00 unless told otherwise) and bookable 400 days ahead, so
that tests can pick any night, clock-change nights included.  Reusable by
anyone testing against the engine (part B, the data layer).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.rows import dict_row

Conn = psycopg.Connection[Any]
Row = dict[str, Any]

#: name: (capacity, min_spend, deposit, is_premium).  Joins: T1-T2-T3-T4 in a
#: line; T5 stands alone.
TABLES: dict[str, tuple[int, int, int, bool]] = {
    "T1": (2, 50, 10, False),
    "T2": (4, 100, 20, False),
    "T3": (4, 100, 20, False),
    "T4": (6, 200, 50, True),
    "T5": (8, 300, 60, False),
}
JOINS: tuple[tuple[str, str], ...] = (("T1", "T2"), ("T2", "T3"), ("T3", "T4"))

ADULT_EMAIL = "adult@example.com"
ADULT_PHONE = "+447700900001"
TEEN_EMAIL = "teen@example.com"


@dataclass
class Venue:
    id: uuid.UUID
    tables: dict[str, uuid.UUID]
    adult: uuid.UUID  # born 1990
    teen: uuid.UUID  # 17 until a year after today
    today: date  # the venue-local date when it was made, by the engine's clock
    extra: dict[str, uuid.UUID] = field(default_factory=dict)

    def t(self, *names: str) -> list[uuid.UUID]:
        return [self.tables[n] for n in names]


def connect(url: str, *, autocommit: bool = True) -> Conn:
    return psycopg.connect(url, autocommit=autocommit, row_factory=dict_row)


def make_venue(
    conn: Conn,
    *,
    name: str = "Engine Test Venue",
    opens: str | None = "21:00",
    closes: str | None = "04:00",
    max_days_ahead: int = 400,
    tables: dict[str, tuple[int, int, int, bool]] | None = None,
    joins: Iterable[tuple[str, str]] | None = None,
) -> Venue:
    """A venue open every day from ``opens`` to ``closes`` (None: never open)."""
    tables = TABLES if tables is None else tables
    joins = JOINS if joins is None else joins
    row = conn.execute(
        "INSERT INTO venues (name, max_days_ahead) VALUES (%s, %s) RETURNING id, "
        "(private.fd_now() AT TIME ZONE time_zone)::date AS today",
        [name, max_days_ahead],
    ).fetchone()
    assert row is not None
    vid, today = _pick(row, "id"), _pick(row, "today")
    if opens is not None and closes is not None:
        conn.execute(
            "INSERT INTO opening_hours (venue_id, weekday, opens, closes) "
            "SELECT %s, d, %s, %s FROM generate_series(1, 7) d",
            [vid, opens, closes],
        )
    floor = _pick(
        _one(conn, "INSERT INTO floors (venue_id, name) VALUES (%s, 'Main') RETURNING id", [vid]),
        "id",
    )
    ids: dict[str, uuid.UUID] = {}
    for order, (tname, (cap, spend, dep, prem)) in enumerate(tables.items(), start=1):
        ids[tname] = _pick(
            _one(
                conn,
                "INSERT INTO venue_tables (venue_id, floor_id, name, capacity, min_spend, deposit, "
                "is_premium, grid_order) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
                [vid, floor, tname, cap, spend, dep, prem, order],
            ),
            "id",
        )
    for a, b in joins:
        conn.execute(
            "INSERT INTO table_joins (venue_id, table_a, table_b) "
            "VALUES (%s, least(%s::uuid, %s::uuid), greatest(%s::uuid, %s::uuid))",
            [vid, ids[a], ids[b], ids[a], ids[b]],
        )
    adult = _pick(
        _one(
            conn,
            "INSERT INTO customers (venue_id, name, email, phone, date_of_birth) "
            "VALUES (%s, 'Ada Adult', %s, %s, '1990-05-05') RETURNING id",
            [vid, ADULT_EMAIL, ADULT_PHONE],
        ),
        "id",
    )
    teen = _pick(
        _one(
            conn,
            "INSERT INTO customers (venue_id, name, email, date_of_birth) "
            "VALUES (%s, 'Tim Teen', %s, %s::date - interval '17 years') RETURNING id",
            [vid, TEEN_EMAIL, today],
        ),
        "id",
    )
    return Venue(id=vid, tables=ids, adult=adult, teen=teen, today=today)


def _one(conn: Conn, query: str, params: Sequence[Any]) -> Any:
    row = conn.execute(query.encode(), params).fetchone()
    assert row is not None
    return row


def _pick(row: Any, key: str) -> Any:
    return row[key] if isinstance(row, dict) else row[0]


def night_ahead(venue: Venue, days: int = 14) -> date:
    """A night ``days`` after the venue-local today (open every day)."""
    return date.fromordinal(venue.today.toordinal() + days)


def instant(conn: Conn, venue: Venue, night: date, local: str) -> datetime:
    """fd_night_instant: a local time on a night, after midnight when before opening."""
    row = _one(
        conn, "SELECT private.fd_night_instant(%s, %s, %s::time) AS at", [venue.id, night, local]
    )
    at: datetime = _pick(row, "at")
    return at


# ---------------------------------------------------------------------------
# Calling the engine.

CREATE_SQL = (
    "SELECT * FROM create_booking_atomic(%(venue)s::uuid, %(email)s::text, %(phone)s::text, "
    "%(name)s::text, %(tables)s::uuid[], %(night)s::date, %(start)s::time, %(end)s::time, "
    "%(party)s::int, %(customer)s::uuid, %(requests)s::text, %(occasion)s::text, %(payment)s::text)"
)


def create_booking(conn: Conn, venue: Venue | uuid.UUID | None, /, **kw: Any) -> Row:
    """create_booking_atomic with defaults: the adult's email, T2, 22:00-00:30, party of 2."""
    params: dict[str, Any] = {
        "venue": venue.id if isinstance(venue, Venue) else venue,
        "email": ADULT_EMAIL,
        "phone": None,
        "name": "Ada Adult",
        "tables": None,
        "night": None,
        "start": "22:00",
        "end": "00:30",
        "party": 2,
        "customer": None,
        "requests": None,
        "occasion": None,
        "payment": None,
    }
    if isinstance(venue, Venue):
        params["tables"] = venue.t("T2")
        params["night"] = night_ahead(venue)
    params.update(kw)
    return _row(conn, CREATE_SQL, params)


DESK_BOOK_SQL = (
    "SELECT * FROM desk_book(%(venue)s::uuid, %(customer)s::uuid, %(tables)s::uuid[], "
    "%(night)s::date, %(starts)s::timestamptz, %(ends)s::timestamptz, %(party)s::int, "
    "%(requests)s::text, %(occasion)s::text, %(payment)s::text, %(source)s::text)"
)


def desk_book(
    conn: Conn, venue: Venue, night: date | None, starts: Any, ends: Any, /, **kw: Any
) -> Row:
    """desk_book for the adult on T2, party of 2, unless told otherwise."""
    params: dict[str, Any] = {
        "venue": venue.id,
        "customer": venue.adult,
        "tables": venue.t("T2"),
        "night": night,
        "starts": starts,
        "ends": ends,
        "party": 2,
        "requests": None,
        "occasion": None,
        "payment": None,
        "source": "desk",
    }
    params.update(kw)
    return _row(conn, DESK_BOOK_SQL, params)


def move_booking(
    conn: Conn, booking_id: Any, tables: Any, starts: Any, ends: Any, party: int | None = None
) -> Row:
    return _row(
        conn,
        "SELECT * FROM move_booking(%s::uuid, %s::uuid[], %s::timestamptz, %s::timestamptz, "
        "%s::int)",
        [booking_id, tables, starts, ends, party],
    )


def walk_in(
    conn: Conn,
    venue: Venue | uuid.UUID | None,
    tables: Any,
    party: Any,
    name: str | None = "Walk-in",
    minutes: int | None = None,
) -> Row:
    vid = venue.id if isinstance(venue, Venue) else venue
    return _row(
        conn,
        "SELECT * FROM walk_in(%s::uuid, %s::uuid[], %s::int, %s::text, %s::int)",
        [vid, tables, party, name, minutes],
    )


def _row(conn: Conn, query: str, params: Any) -> Row:
    cur = conn.cursor(row_factory=dict_row)
    rows = cur.execute(query.encode(), params).fetchall()
    assert len(rows) == 1, rows
    return rows[0]


# ---------------------------------------------------------------------------
# Observing.


def snapshot(conn: Conn) -> dict[str, Any]:
    """What the engine may write, to prove a refusal wrote nothing."""
    row = _one(
        conn,
        """
        SELECT (SELECT count(*) FROM bookings) AS bookings,
               (SELECT count(*) FROM booking_tables) AS booking_tables,
               (SELECT count(*) FROM customers) AS customers,
               (SELECT count(*) FROM holds) AS holds,
               (SELECT md5(coalesce(string_agg(b::text, '|' ORDER BY b.id), '')) FROM bookings b)
                   AS bookings_md5,
               (SELECT md5(coalesce(string_agg(bt::text, '|'
                                               ORDER BY bt.booking_id, bt.table_id), ''))
                  FROM booking_tables bt) AS tables_md5
        """,
        [],
    )
    return dict(row)


def last_attempt(conn: Conn) -> Row:
    """The last booking or move call counted: an attempt row (a refusal, a
    move) or a booking made (its duration on the booking, 0011)."""
    row = _one(
        conn,
        "SELECT venue_id, success, error_code, source, duration_ms FROM private.fd_booking_calls "
        "ORDER BY attempted_at DESC LIMIT 1",
        [],
    )
    return dict(row)


def attempt_count(conn: Conn) -> int:
    return int(_pick(_one(conn, "SELECT count(*) AS n FROM private.fd_booking_calls", []), "n"))


def overlapping_active_pairs(conn: Conn) -> int:
    """Pairs of active booking_tables rows on one table at overlapping instants."""
    row = _one(
        conn,
        """
        SELECT count(*) AS n
          FROM booking_tables a
          JOIN booking_tables b ON a.venue_id = b.venue_id AND a.table_id = b.table_id
                               AND a.booking_id < b.booking_id AND a.period && b.period
         WHERE a.is_active AND b.is_active
        """,
        [],
    )
    return int(_pick(row, "n"))


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, what: str = "") -> None:
    """Poll ``predicate`` until true; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        pause.wait(0.005)


def waits_on_lock(monitor: Conn, pid: int) -> bool:
    """Whether backend ``pid`` is waiting for a heavyweight lock (advisory or row)."""
    row = monitor.execute(
        "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid]
    ).fetchone()
    return row is not None and _pick(row, "wait_event_type") == "Lock"


def money(value: Any) -> Decimal:
    return Decimal(str(value))
