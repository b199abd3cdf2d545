"""Schema v1 and its migrations, on a real server."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from psycopg.types.range import Range

from frontdesk import migrations
from tests import clock, pg
from tests.conftest import DEMO_VENUE_ID


def test_migrating_an_empty_database_creates_the_schema(admin_url: str) -> None:
    with pg.fresh_database(admin_url, "template1") as url:
        assert migrations.current_revision(url) is None
        migrations.upgrade(url)
        assert migrations.current_revision(url) == migrations.head_revision()
        with psycopg.connect(url) as conn:
            tables = {
                r[0]
                for r in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                ).fetchall()
            }
            extension = conn.execute(
                "SELECT 1 FROM pg_extension WHERE extname = 'btree_gist'"
            ).fetchone()
    assert {
        "venues",
        "opening_hours",
        "nights",
        "floors",
        "venue_tables",
        "table_joins",
        "customers",
        "bookings",
        "booking_tables",
        "audit_logs",
        "staff",
    } <= tables
    assert extension is not None


def test_migrating_twice_changes_nothing(db_url: str) -> None:
    before = migrations.current_revision(db_url)
    migrations.upgrade(db_url)
    assert migrations.current_revision(db_url) == before == migrations.head_revision()


def test_demo_venue_loads_once_with_a_living_grid(demo_db_url: str) -> None:
    migrations.load_demo(demo_db_url)  # again: adds nothing
    with psycopg.connect(demo_db_url) as conn:
        venues = conn.execute("SELECT id::text, name FROM venues").fetchall()
        floors = conn.execute("SELECT name FROM floors ORDER BY sort_order").fetchall()
        tables = conn.execute(
            "SELECT count(*), min(capacity), max(capacity), min(min_spend), max(min_spend) "
            "FROM venue_tables"
        ).fetchone()
        upcoming = conn.execute(
            "SELECT count(*) FROM bookings WHERE night >= current_date"
        ).fetchone()
        events = conn.execute(
            "SELECT DISTINCT event_name FROM nights WHERE event_name IS NOT NULL"
        ).fetchall()
    assert venues == [(DEMO_VENUE_ID, "The Backroom Leeds")]
    assert [f[0] for f in floors] == ["Downstairs", "Upstairs"]
    assert tables is not None and tables[0] == 16 and tables[1] >= 4 and tables[2] <= 12
    assert tables[3] == 100 and tables[4] == 1000
    assert upcoming is not None and upcoming[0] >= 50
    assert {"La Fiesta", "Shhh!"} <= {e[0] for e in events}


def _a_booking(conn: psycopg.Connection[tuple[object, ...]], start: str, end: str) -> str:
    row = conn.execute(
        """
        INSERT INTO bookings (venue_id, reference, customer_id, night, starts_at, ends_at,
                              party_size)
        SELECT %(v)s,
               'BR-' || to_char(n, 'YYMMDD') || '-'
                     || translate(upper(substr(md5(random()::text), 1, 6)), '01', 'AB'),
               (SELECT id FROM customers WHERE venue_id = %(v)s LIMIT 1), n,
               private.fd_night_instant(%(v)s, n, %(s)s),
               private.fd_night_instant(%(v)s, n, %(e)s), 2
          FROM (SELECT min(night) + 28 AS n FROM nights
                 WHERE venue_id = %(v)s AND event_name = 'La Fiesta') AS f
        RETURNING id::text
        """,  # a Friday four weeks out: past the demo's bookings
        {"v": DEMO_VENUE_ID, "s": start, "e": end},
    ).fetchone()
    assert row is not None
    return str(row[0])


def test_exclusion_constraint_refuses_overlapping_rows_written_with_plain_sql(
    demo_conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    table = demo_conn.execute("SELECT id FROM venue_tables WHERE name = 'Booth 3'").fetchone()
    assert table is not None
    first = _a_booking(demo_conn, "22:00", "00:30")
    second = _a_booking(demo_conn, "23:30", "01:00")  # different start, overlapping
    demo_conn.execute(
        "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)", [first, table[0]]
    )
    with pytest.raises(psycopg.errors.ExclusionViolation) as raised:
        demo_conn.execute(
            "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)",
            [second, table[0]],
        )
    assert raised.value.sqlstate == "23P01"
    # Cancelling the first frees the table: the same row is then accepted.
    demo_conn.execute("UPDATE bookings SET status = 'cancelled' WHERE id = %s", [first])
    demo_conn.execute(
        "INSERT INTO booking_tables (booking_id, table_id) VALUES (%s, %s)", [second, table[0]]
    )
    # ...and re-activating it now collides.
    with pytest.raises(psycopg.errors.ExclusionViolation):
        demo_conn.execute("UPDATE bookings SET status = 'confirmed' WHERE id = %s", [first])


def test_times_after_midnight_belong_to_the_night(
    demo_conn: psycopg.Connection[tuple[object, ...]],
) -> None:
    today = clock.suite_today()
    friday = today + timedelta(days=7 + (4 - today.weekday()) % 7)  # 21:00-04:00
    row = demo_conn.execute(
        "SELECT private.fd_night_instant(%(v)s, %(n)s, '23:00')"
        "         AT TIME ZONE 'Europe/London', "
        "       private.fd_night_instant(%(v)s, %(n)s, '02:00')"
        "         AT TIME ZONE 'Europe/London', "
        "       private.fd_night_span(%(v)s, %(n)s)",
        {"v": DEMO_VENUE_ID, "n": friday},
    ).fetchone()
    assert row is not None
    span = row[2]
    assert isinstance(span, Range)
    assert span.lower is not None and span.upper is not None
    assert str(row[0]) == f"{friday} 23:00:00"
    assert str(row[1]) == f"{friday + timedelta(days=1)} 02:00:00"
    assert span.lower.date() == friday
    assert (span.upper - span.lower).total_seconds() == 7 * 3600
