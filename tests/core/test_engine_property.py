"""Random sequences of book / move / cancel / hold / release against a plain model.

The model is a few lines of Python saying who holds which table when: active
bookings (tables, [start, end)) and each desk's live holds.  For every call
it predicts success or the refusal code; the engine must agree, and after
each sequence the database must hold exactly what the model holds, with no
two active bookings of one table overlapping.

Only availability is in play: every call is otherwise valid (open night,
joinable tables, party of one), so the codes are TABLE_UNAVAILABLE,
TABLE_BEING_BOOKED and INVALID_TRANSITION.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core import engine_helpers as eh

DESKS = ("DESK-1", "DESK-2")
#: Tables a party may take: each alone, or two neighbours (T1-T2-T3-T4; T5 alone).
CHOICES = (("T1",), ("T2",), ("T3",), ("T4",), ("T5",), ("T1", "T2"), ("T2", "T3"), ("T3", "T4"))
SLOTS = 28  # 15-minute steps from 21:00 to 04:00


@dataclass
class Booked:
    id: UUID
    tables: frozenset[str]
    start: int
    end: int
    active: bool = True


@dataclass
class Held:
    tables: frozenset[str]
    start: int
    end: int


class Model:
    def __init__(self) -> None:
        self.bookings: list[Booked] = []
        self.holds: dict[str, Held] = {}

    def clash(
        self, desk: str, tables: frozenset[str], start: int, end: int, exclude: Booked | None = None
    ) -> str | None:
        for b in self.bookings:
            if (
                b.active
                and b is not exclude
                and b.tables & tables
                and b.start < end
                and start < b.end
            ):
                return "TABLE_UNAVAILABLE"
        for other, h in self.holds.items():
            if other != desk and h.tables & tables and h.start < end and start < h.end:
                return "TABLE_BEING_BOOKED"
        return None

    def consume(self, desk: str, tables: frozenset[str]) -> None:
        """A desk's booking onto tables it holds ends its hold on them."""
        h = self.holds.get(desk)
        if h and h.tables & tables:
            rest = h.tables - tables
            if rest:
                self.holds[desk] = Held(rest, h.start, h.end)
            else:
                del self.holds[desk]


def _span(start: int, length: int) -> tuple[int, int]:
    start = min(start, SLOTS - length)
    return start, start + length


tables_st = st.sampled_from(CHOICES).map(frozenset)
# Starts bunched in the early evening so that calls collide often.
span_st = st.tuples(st.integers(0, 12), st.integers(1, 10))
desk_st = st.sampled_from(DESKS)
op_st = st.one_of(
    st.tuples(st.just("book"), desk_st, tables_st, span_st),
    st.tuples(
        st.just("move"), desk_st, st.integers(0, 20), st.one_of(st.none(), tables_st), span_st
    ),
    st.tuples(st.just("cancel"), desk_st, st.integers(0, 20)),
    st.tuples(st.just("hold"), desk_st, tables_st, span_st),
    st.tuples(st.just("release"), desk_st),
)


@pytest.fixture
def server(db_url: str) -> Iterator[dict[str, eh.Conn]]:
    """An admin connection and one session per desk, on one database for every example."""
    with (
        eh.connect(db_url) as admin,
        psycopg.connect(db_url, autocommit=True) as d1,
        psycopg.connect(db_url, autocommit=True) as d2,
    ):
        for conn, desk in ((d1, DESKS[0]), (d2, DESKS[1])):
            conn.execute("SELECT set_config('frontdesk.terminal', %s, false)", [desk])
        yield {"admin": admin, DESKS[0]: d1, DESKS[1]: d2}


def _call(conn: eh.Conn, query: str, params: list[Any]) -> tuple[Any, ...]:
    row = conn.execute(query, params).fetchone()
    assert row is not None
    return tuple(row)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(op_st, min_size=8, max_size=30))
def test_the_engine_agrees_with_the_model(
    server: dict[str, eh.Conn], ops: list[tuple[Any, ...]]
) -> None:
    admin = server["admin"]
    venue = eh.make_venue(admin, name="Property venue")  # a fresh venue per example
    night = eh.night_ahead(venue, 20)
    opens = eh.instant(admin, venue, night, "21:00")
    model = Model()

    def at(slot: int) -> datetime:
        return opens + timedelta(minutes=15 * slot)

    def ids(tables: frozenset[str]) -> list[UUID]:
        return venue.t(*sorted(tables))

    for op in ops:
        kind, desk = op[0], op[1]
        conn = server[desk]
        if kind == "book":
            tables, (start, end) = op[2], _span(*op[3])
            expected = model.clash(desk, tables, start, end)
            ok, code, message, booking_id, *_ = _call(
                conn,
                "SELECT * FROM desk_book(%s, %s, %s, %s, %s, %s, 1)",
                [venue.id, venue.adult, ids(tables), night, at(start), at(end)],
            )
            assert (ok, code) == (expected is None, expected), (op, message)
            if ok:
                model.bookings.append(Booked(booking_id, tables, start, end))
                model.consume(desk, tables)
        elif kind == "move":
            if not model.bookings:
                continue
            b = model.bookings[op[2] % len(model.bookings)]
            tables = op[3] if op[3] is not None else b.tables
            start, end = _span(*op[4])
            expected = (
                "INVALID_TRANSITION"
                if not b.active
                else model.clash(desk, tables, start, end, exclude=b)
            )
            ok, code, message = _call(
                conn,
                "SELECT * FROM move_booking(%s, %s, %s, %s)",
                [b.id, None if op[3] is None else ids(tables), at(start), at(end)],
            )
            assert (ok, code) == (expected is None, expected), (op, message)
            if ok:
                b.tables, b.start, b.end = tables, start, end
                model.consume(desk, tables)
        elif kind == "cancel":
            if not model.bookings:
                continue
            b = model.bookings[op[2] % len(model.bookings)]
            expected = None if b.active else "INVALID_TRANSITION"
            ok, code, message, _ = _call(
                conn, "SELECT * FROM set_booking_status(%s, 'cancelled')", [b.id]
            )
            assert (ok, code) == (expected is None, expected), (op, message)
            b.active = False
        elif kind == "hold":
            tables, (start, end) = op[2], _span(*op[3])
            expected = model.clash(desk, tables, start, end)
            ok, code, message, *_ = _call(
                conn,
                "SELECT * FROM hold_tables(%s, %s, %s, %s, %s)",
                [venue.id, ids(tables), night, at(start), at(end)],
            )
            assert (ok, code) == (expected is None, expected), (op, message)
            if ok:
                model.holds[desk] = Held(tables, start, end)  # replaces the desk's earlier hold
        else:
            ok, code, message, released = _call(conn, "SELECT * FROM release_holds(%s)", [venue.id])
            assert ok and released == len(model.holds.pop(desk, Held(frozenset(), 0, 0)).tables)

    # The database holds what the model holds, and never an overlap.
    names = {v: k for k, v in venue.tables.items()}
    db_bookings = {
        (r["id"], frozenset(names[t] for t in r["tables"]), r["starts_at"], r["ends_at"])
        for r in admin.execute(
            "SELECT b.id, array_agg(bt.table_id) AS tables, b.starts_at, b.ends_at "
            "FROM bookings b JOIN booking_tables bt ON bt.booking_id = b.id "
            "WHERE b.venue_id = %s AND bt.is_active GROUP BY b.id",
            [venue.id],
        ).fetchall()
    }
    assert db_bookings == {
        (b.id, b.tables, at(b.start), at(b.end)) for b in model.bookings if b.active
    }
    db_holds = {
        (r["terminal"], names[r["table_id"]], r["lower"], r["upper"])
        for r in admin.execute(
            "SELECT terminal, table_id, lower(period), upper(period) FROM holds "
            "WHERE venue_id = %s AND expires_at > now()",
            [venue.id],
        ).fetchall()
    }
    assert db_holds == {
        (desk, t, at(h.start), at(h.end)) for desk, h in model.holds.items() for t in h.tables
    }
    assert eh.overlapping_active_pairs(admin) == 0
