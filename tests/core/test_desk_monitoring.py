"""Monitoring figures and the seed's alert thresholds, from booking_attempts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import psycopg

from tests.core.desk_helpers import (
    VENUE,
    Conn,
    as_desk,
    at,
    one,
    quiet_friday,
    scalar,
    table_id,
)


def _figures(conn: Conn) -> dict[str, Any]:
    cur = conn.cursor(row_factory=psycopg.rows.dict_row)
    row = cur.execute("SELECT * FROM monitoring_figures WHERE venue_id = %s", [VENUE]).fetchone()
    assert row is not None
    return row


def _alerts(conn: Conn) -> dict[str, tuple[Any, ...]]:
    rows = conn.execute("SELECT * FROM monitoring_alerts(%s)", [VENUE]).fetchall()
    return {r[0]: tuple(r[1:]) for r in rows}


def _web_booking(conn: Conn, table: str, start: str, end: str) -> tuple[Any, ...]:
    night = quiet_friday(conn)
    return one(
        conn,
        "SELECT success, error_code FROM create_booking_atomic(%s, 'guest@example.com', NULL, "
        "'Guest', %s, %s, %s, %s, 2)",
        [VENUE, [table_id(conn, table)], night, start, end],
    )


def test_a_quiet_day_has_nothing_to_report(demo_conn: Conn) -> None:
    f = _figures(demo_conn)
    assert (
        f["attempts_today"],
        f["conflicts_prevented_today"],
        f["lock_busy_rate"],
        f["conflict_rate"],
        f["booking_fn_avg_ms"],
        f["booking_fn_p95_ms"],
    ) == (0, 0, 0, 0, None, None)
    assert f["connections_in_use"] >= 1 and f["server_connections"] >= f["connections_in_use"]
    assert f["max_connections"] == int(scalar(demo_conn, "SHOW max_connections"))
    alerts = _alerts(demo_conn)
    assert list(alerts) == [
        "lock_failure_rate",
        "conflict_rate",
        "booking_fn_p95_ms",
        "connections_used",
    ]
    assert [a[2] for a in alerts.values()] == [False] * 4
    assert [a[1] for a in alerts.values()] == [
        Decimal("0.05"),
        Decimal("0.01"),
        Decimal("100"),
        Decimal("0.8"),
    ]
    assert scalar(demo_conn, "SELECT count(*) FROM monitoring_figures") == 1


def test_conflicts_prevented_and_rates_count_todays_attempts(
    demo_db_url: str, demo_conn: Conn
) -> None:
    night = quiet_friday(demo_conn)
    assert _web_booking(demo_conn, "Booth 3", "22:00", "00:30") == (True, None)
    assert _web_booking(demo_conn, "Booth 4", "22:00", "00:30") == (True, None)
    assert _web_booking(demo_conn, "Booth 3", "23:00", "01:00") == (False, "TABLE_UNAVAILABLE")
    with psycopg.connect(demo_db_url, autocommit=True) as desk:
        as_desk(desk, "DESK-1")
        assert one(
            desk,
            "SELECT * FROM hold_tables(%s, %s, %s, %s, %s)",
            [
                VENUE,
                [table_id(desk, "Booth 5")],
                night,
                at(desk, night, "22:00"),
                at(desk, night, "23:00"),
            ],
        )[0]
    assert _web_booking(demo_conn, "Booth 5", "22:00", "23:00") == (False, "TABLE_BEING_BOOKED")
    # Yesterday's refusals do not count today.
    demo_conn.execute(
        "INSERT INTO booking_attempts (venue_id, attempted_at, success, error_code, duration_ms) "
        "SELECT %s, today_since - interval '1 second', false, 'TABLE_BEING_BOOKED', 500 "
        "FROM monitoring_figures WHERE venue_id = %s",
        [VENUE, VENUE],
    )
    f = _figures(demo_conn)
    assert (f["attempts_today"], f["conflicts_prevented_today"], f["lock_busy_today"]) == (4, 2, 1)
    assert (f["lock_busy_rate"], f["conflict_rate"]) == (Decimal("0.25"), Decimal("0.5"))
    # A booking made writes no attempt row: its call's duration is on the booking.
    assert scalar(demo_conn, "SELECT count(*) FROM booking_attempts WHERE success") == 0
    avg, p95 = one(
        demo_conn,
        "SELECT round(avg(d)::numeric, 2), round(percentile_cont(0.95) WITHIN GROUP "
        "(ORDER BY d)::numeric, 2) FROM (SELECT duration_ms FROM booking_attempts "
        "WHERE duration_ms < 500 UNION ALL SELECT booked_in_ms::double precision FROM bookings "
        "WHERE booked_in_ms IS NOT NULL) AS x (d)",
    )
    assert (f["booking_fn_avg_ms"], f["booking_fn_p95_ms"]) == (avg, p95)
    alerts = _alerts(demo_conn)
    assert alerts["lock_failure_rate"] == (Decimal("0.2500"), Decimal("0.05"), True)
    assert alerts["conflict_rate"] == (Decimal("0.5000"), Decimal("0.01"), True)
    assert alerts["connections_used"][2] is False


def test_a_slow_booking_function_raises_the_time_alert(demo_conn: Conn) -> None:
    demo_conn.execute(
        "INSERT INTO booking_attempts (venue_id, success, duration_ms) "
        "SELECT %s, true, CASE WHEN i <= 18 THEN 20 ELSE 150 END FROM generate_series(1, 20) i",
        [VENUE],
    )
    f = _figures(demo_conn)
    assert f["booking_fn_avg_ms"] == Decimal("33.00")
    assert f["booking_fn_p95_ms"] > 100
    assert _alerts(demo_conn)["booking_fn_p95_ms"][2] is True
    assert _alerts(demo_conn)["conflict_rate"][2] is False
