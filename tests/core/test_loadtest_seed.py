"""The seed's design beside ours: its lock is keyed on table + date + start
time, so two overlapping bookings of one table that start at different
times never wait for each other, both pass the check and both are written.
Ours, under the very same load, double books nothing."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from frontdesk.loadtest import pgbench, scenarios, seed, venue
from frontdesk.loadtest.progress import Progress

Conn = psycopg.Connection[tuple[object, ...]]


@pytest.fixture
def plain_conn(db_url: str) -> Iterator[Conn]:
    with psycopg.connect(db_url, autocommit=True) as c:
        yield c


def test_two_start_times_on_one_table_pass_the_seed_check_together(
    db_url: str, plain_conn: Conn
) -> None:
    lt = venue.create_venue(plain_conn, 4, "Seed", tables=2, max_days_ahead=60)
    seed.install(plain_conn)
    call = "SELECT * FROM seed_copy.create_booking_atomic(%s, %s, %s, current_date + 7, %s, %s, 2)"
    table = lt.table_id(1)
    with psycopg.connect(db_url) as first, psycopg.connect(db_url) as second:
        # 20:00-22:00 and 21:00-23:00: the same table, other lock keys
        assert first.execute(
            call, [lt.id, lt.customer_email(1), table, "20:00", "22:00"]
        ).fetchone() == (True, None)
        assert second.execute(
            call, [lt.id, lt.customer_email(2), table, "21:00", "23:00"]
        ).fetchone() == (True, None)  # did not wait: the first still holds its lock
        first.commit()
        second.commit()
    assert seed.double_bookings(plain_conn) == 1
    # the same start time does share the lock, and the check then sees the first
    assert plain_conn.execute(
        call, [lt.id, lt.customer_email(3), table, "20:00", "22:00"]
    ).fetchone() == (False, "TABLE_UNAVAILABLE")


@pytest.mark.slow
def test_under_load_the_seed_copy_double_books_and_ours_does_not(
    db_url: str, plain_conn: Conn
) -> None:
    # A tiny venue (3 tables x 2 nights), so every client races for the same
    # few tables from the first moment.  Whether two different start times
    # meet inside each other's check is up to the scheduler, so the load is
    # run again on a fresh venue (at most four times) until the hole shows;
    # ours must never show one.
    seed.install(plain_conn)
    ctx = scenarios.Context(
        url=db_url,
        conn=plain_conn,
        progress=Progress(quiet=True),
        seconds=2,
        pgbench_binary=pgbench.find_pgbench(),
    )
    for round_ in range(4):
        lt = venue.create_venue(
            plain_conn, 4 + round_, f"Seed {round_}", tables=3, max_days_ahead=60
        )
        result = seed.run(ctx, lt, nights=2, clients=8)
        assert result["attempts"] > 0 and result["ours_attempts"] > 0
        assert result["booked"] >= 3 * 2 * 2  # at least two a table a night fit
        assert result["ours_double_bookings"] == 0
        if result["double_bookings"] > 0:
            break
    assert result["double_bookings"] > 0
    assert scenarios.double_bookings(plain_conn) == 0
