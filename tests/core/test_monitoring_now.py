"""The manager's monitoring panel (monitoring_now, frontdesk.monitoring):
the seed's figures with their thresholds, the night so far in 15-minute
steps, the status bar's words; a host may not read it."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

from frontdesk import monitoring
from frontdesk.database import Database, StaffContext
from frontdesk.desk import MONITORING, Desk
from frontdesk.errors import Refused
from tests.core.desk_helpers import VENUE, Conn, one, quiet_friday, scalar, table_id


@pytest.fixture
def desk(demo_db_url: str) -> Iterator[Desk]:
    db = Database(demo_db_url, staff=StaffContext(terminal="OFFICE", staff_name="Sam"))
    yield Desk(db, VENUE, wait=lambda _s: None)
    db.close()


def _web_booking(conn: Conn, table: str, start: str, end: str) -> tuple[object, ...]:
    return one(
        conn,
        "SELECT success, error_code FROM create_booking_atomic(%s, 'guest@example.com', NULL, "
        "'Guest', %s, %s, %s, %s, 2)",
        [VENUE, [table_id(conn, table)], quiet_friday(conn), start, end],
    )


def test_the_figures_and_the_night_so_far(desk: Desk, demo_conn: Conn) -> None:
    assert _web_booking(demo_conn, "Booth 3", "22:00", "00:30") == (True, None)
    assert _web_booking(demo_conn, "Booth 3", "23:00", "01:00") == (False, "TABLE_UNAVAILABLE")
    now = monitoring.monitoring_now(desk)
    figures = {f.name: f for f in now.figures}
    assert [f.name for f in now.figures] == [name for name, *_ in MONITORING]
    assert figures["attempts_today"].value == 2
    assert figures["conflicts_prevented_today"].value == 1
    assert figures["conflict_rate"].value == Decimal("0.5")
    assert figures["conflict_rate"].alert and figures["conflict_rate"].threshold == Decimal("0.01")
    assert not figures["lock_busy_rate"].alert
    assert figures["booking_fn_p95_ms"].threshold == Decimal(100)
    # the series: 15-minute steps from the night's opening or today's start, to now
    steps = now.series
    assert now.step_minutes == 15 and steps[0].at == now.series_since
    assert all(b.at - a.at == timedelta(minutes=15) for a, b in itertools.pairwise(steps))
    assert steps[-1].at <= now.measured_at
    assert sum(s.attempts for s in steps) == 2 and sum(s.conflicts for s in steps) == 1
    assert any(s.p95_ms is not None for s in steps[-2:])
    assert now.series_since.tzinfo == desk.time_zone
    # the status bar's words
    assert monitoring.alert_text(now) == "Monitoring: conflict rate 50 % (over 1 %)"


def test_a_quiet_day_alerts_nothing(desk: Desk) -> None:
    now = monitoring.monitoring_now(desk)
    assert monitoring.alert_text(now) is None
    assert all(s.attempts == 0 and s.p95_ms is None for s in now.series)
    assert monitoring.value_text(now.figure("booking_fn_p95_ms")) == "0 ms"
    assert monitoring.threshold_text(now.figure("lock_busy_rate")) == "over 5 %"
    assert monitoring.threshold_text(now.figure("attempts_today")) == ""


def test_every_figure_has_advice() -> None:
    assert set(monitoring.ADVICE) == {name for name, *_ in MONITORING}


def test_a_host_may_not_read_it(desk: Desk, demo_conn: Conn) -> None:
    desk.sign_in("Alex", "3579")
    with pytest.raises(Refused) as refused:
        monitoring.monitoring_now(desk)
    assert refused.value.code == "NOT_ALLOWED"
    assert scalar(demo_conn, "SELECT count(*) FROM monitoring_now(%s)", [VENUE]) == 1
    desk.sign_in("Sam", "1357")
    assert monitoring.monitoring_now(desk).figures
