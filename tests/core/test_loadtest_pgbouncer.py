"""The release burst through Debian's PgBouncer in transaction mode, as the
website's login: every attempt answered, nothing double booked, and the
run's login gone afterwards."""

from __future__ import annotations

import psycopg
import pytest

from frontdesk.loadtest import pgbench, pgbouncer, pooled, scenarios, venue
from frontdesk.loadtest.progress import Progress


@pytest.mark.skipif(not pgbouncer.available(), reason="Debian's pgbouncer is not installed")
def test_the_release_burst_through_pgbouncer_answers_every_attempt(db_url: str) -> None:
    with psycopg.connect(db_url, autocommit=True) as conn:
        burst = venue.create_venue(conn, 5, "Release", tables=20, max_days_ahead=30)
        ctx = scenarios.Context(
            url=db_url,
            conn=conn,
            progress=Progress(quiet=True),
            seconds=1,
            pgbench_binary=pgbench.find_pgbench(),
        )
        result = pooled.release(ctx, burst, attempts=150, connections=20, pool_size=4)
        logins = conn.execute(
            "SELECT count(*) FROM pg_roles WHERE rolname LIKE 'fd_loadtest_web_%%'"
        ).fetchone()
        sources = conn.execute(
            "SELECT DISTINCT source FROM bookings WHERE venue_id = %s", [burst.id]
        ).fetchall()
    assert result["attempts"] == result["answered"] == 150
    assert result["unanswered"] == 0 and result["errors"] == 0, result["error_samples"]
    assert result["booked"] == result["capacity"] == 120
    assert result["double_bookings"] == 0
    assert result["pool_size"] == 4 and result["pool_mode"] == "transaction"
    assert result["login"].startswith("a website login")
    assert result["p99_ms"] is not None
    assert sources == [("web",)]  # booked by the website's contract
    assert logins == (0,)


def test_the_pool_is_two_connections_a_core_and_at_least_four() -> None:
    assert pgbouncer.pool_size_for(1) == 4
    assert pgbouncer.pool_size_for(2) == 4
    assert pgbouncer.pool_size_for(8) == 16
    assert pgbouncer.pool_size_for(None) == 4
