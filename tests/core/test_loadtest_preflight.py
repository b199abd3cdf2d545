"""The load test's preflight: it fits the run into the server's connections
or stops in one line saying what to change, before anything is created.

``fit`` is a pure function of the server's figures (a stock PostgreSQL 15:
max_connections 100, 3 reserved for superusers); one real check asks the
test server for more clients than it allows."""

from __future__ import annotations

import psycopg
import pytest

from frontdesk import cli
from frontdesk.loadtest import preflight, scratch
from frontdesk.loadtest.command import SCENARIOS

STOCK_15 = preflight.ServerLimits(max_connections=100, reserved=3, in_use=1)


def _sizes(**overrides: object) -> preflight.Sizes:
    sizes: dict[str, object] = {
        "scenarios": SCENARIOS,
        "clients": (16, 64),
        "release_connections": 100,
        "release_attempts": 1000,
    }
    sizes.update(overrides)
    return preflight.Sizes(**sizes)  # type: ignore[arg-type]


def test_a_stock_server_gets_a_smaller_release_burst_and_says_so_in_one_line() -> None:
    fitted = preflight.fit(STOCK_15, _sizes())
    assert STOCK_15.free == 96
    assert fitted.release_connections == 96
    assert fitted.needs["release"] == 100 and fitted.needs["throughput"] == 64
    (line,) = fitted.scaled
    assert "\n" not in line
    assert "96" in line and "100" in line and "max_connections = 200" in line
    assert fitted.as_json(STOCK_15)["scaled"] == [line]


def test_a_run_that_fits_is_left_as_asked() -> None:
    roomy = preflight.ServerLimits(max_connections=300, reserved=3, in_use=10)
    fitted = preflight.fit(roomy, _sizes(pgbouncer_pool=4))
    assert fitted.release_connections == 100
    assert fitted.scaled == []
    assert fitted.needs["release through PgBouncer"] == 5


def test_more_clients_than_the_server_allows_is_refused_in_one_line() -> None:
    with pytest.raises(preflight.NotEnoughConnections) as caught:
        preflight.fit(STOCK_15, _sizes(clients=(16, 128)))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("the server allows 96 more connections")
    assert "the baseline step needs 128" in message
    assert "set max_connections = 200 or run with --clients 16" in message


def test_a_server_with_almost_no_room_refuses_the_release_burst() -> None:
    crowded = preflight.ServerLimits(max_connections=100, reserved=3, in_use=90)
    with pytest.raises(preflight.NotEnoughConnections) as caught:
        preflight.fit(crowded, _sizes(scenarios=("release",)))
    assert "the release step needs 100" in str(caught.value)
    assert "--release-connections 7" in str(caught.value)


def test_the_live_step_counts_its_listeners() -> None:
    tight = preflight.ServerLimits(max_connections=25, reserved=3, in_use=1)
    with pytest.raises(preflight.NotEnoughConnections) as caught:
        preflight.fit(tight, _sizes(scenarios=("live",), clients=(16,)))
    assert "the live step needs 25" in str(caught.value)
    assert "--listeners 4" in str(caught.value)


def test_the_real_server_s_limits_are_read(admin_url: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        limits = preflight.read_limits(conn)
        max_conn = int(conn.execute("SHOW max_connections").fetchone()[0])  # type: ignore[index]
    assert limits.max_connections == max_conn
    assert limits.reserved >= 0 and limits.in_use >= 1
    assert limits.free < max_conn


def _loadtest_databases(admin_url: str) -> set[str]:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [scratch.PREFIX + "%"]
        ).fetchall()
    return {str(r[0]) for r in rows}


def test_the_command_stops_in_one_line_with_exit_2_on_the_real_server(
    admin_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        too_many = preflight.read_limits(conn).max_connections + 50
    before = _loadtest_databases(admin_url)
    args = ["loadtest", "--database-url", admin_url, "--scenario", "throughput", "--quiet"]
    code = cli.main([*args, "--clients", "2", str(too_many)])
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("frontdesk: the server allows ")
    assert f"the throughput step needs {too_many}" in lines[0]
    assert "or run with --clients 2" in lines[0]
    assert "Traceback" not in captured.err and captured.out == ""
    assert _loadtest_databases(admin_url) == before
