"""``frontdesk loadtest``: a short run end to end, and a clear refusal when
the account may not create its throwaway database.  Shape and correctness
only, never speed (the suite shares the machine)."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from frontdesk import cli
from frontdesk.loadtest import pgbench, pgbouncer, report, scratch

REQUIRED_KEYS = [
    "server_version",
    "clients",
    "baseline.tps",
    "baseline.c2.tps",
    "throughput.c2.tps",
    "throughput.c2.ratio",
    "release.attempts",
    "release.booked",
    "release.double_bookings",
    "release.errors",
    "release.p50_ms",
    "release.p99_ms",
    "availability.p50_ms",
    "availability.p99_ms",
    "night_plan.p99_ms",
    "live.notify_p50_ms",
    "live.notify_p95_ms",
    "live.cost_ratio",
    "live.listener_sessions_cpu_share",
    "live.loadtest_process_cpu_share",
    "seed.tps",
    "seed.double_bookings",
    "seed.ours_double_bookings",
    "cpu_per_booking_us.c1",
    "cpu_per_booking_us.bare_c1",
    "preflight.free",
]

PGBOUNCER_KEYS = [
    "release_pgbouncer.attempts",
    "release_pgbouncer.answered",
    "release_pgbouncer.double_bookings",
    "release_pgbouncer.p99_ms",
]


def _loadtest_databases(admin_url: str) -> set[str]:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", [scratch.PREFIX + "%"]
        ).fetchall()
    return {str(r[0]) for r in rows}


@pytest.mark.slow
def test_a_short_run_reports_every_scenario_and_leaves_nothing_behind(
    admin_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    code = cli.main(
        [
            "loadtest",
            "--database-url",
            admin_url,
            "--clients",
            "2",
            "--seconds",
            "2",
            "--availability-bookings",
            "2000",
            "--release-attempts",
            "150",
            "--release-connections",
            "10",
            "--listeners",
            "2",
            "--seed-nights",
            "5",
            "--cpu-calls",
            "200",
            "--json",
            str(out),
            "--quiet",
        ]
        + (["--through-pgbouncer"] if pgbouncer.available() else [])
    )
    printed = capsys.readouterr().out
    assert code == 0
    data = json.loads(out.read_text())

    required = REQUIRED_KEYS + (PGBOUNCER_KEYS if pgbouncer.available() else [])
    missing = [k for k in required if report.get(data, k) is None]
    assert missing == []
    assert "throughput" in printed and "targets" in printed

    # Correct under the burst: every attempt answered, exactly the capacity
    # booked (20 tables x 6 two-hour slots), nothing double booked anywhere.
    release = data["release"]
    assert release["attempts"] == 150
    assert release["unanswered"] == 0 and release["errors"] == 0
    assert release["booked"] == release["capacity"] == 120
    assert release["double_bookings"] == 0
    assert sum(release["refusals"].values()) == 150 - 120
    assert data["double_bookings_total"] == 0
    assert data["seed"]["ours_double_bookings"] == 0
    if pgbouncer.available():
        via = data["release_pgbouncer"]
        assert via["answered"] == 150 and via["double_bookings"] == 0 and via["errors"] == 0
    assert data["availability"]["bookings_loaded"] >= 2000
    assert data["live"]["probes"] > 0 and data["live"]["notify_samples"] > 0
    # where the listeners' cost went: shares of this machine's CPU, each used
    assert 0 < data["live"]["listener_sessions_cpu_share"] < 1
    assert 0 < data["live"]["loadtest_process_cpu_share"] < 1
    assert "listeners' sessions" in printed
    # BENCHMARKS.md's tables come from the JSON by the documented command
    tables = subprocess.run(
        [sys.executable, "-m", "frontdesk.loadtest.report", str(out)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "| live |" in tables and "listeners' server sessions" in tables

    # The throwaway database is gone.
    assert data["database"].startswith(scratch.PREFIX)
    assert data["database"] not in _loadtest_databases(admin_url)


def _url_as(admin_url: str, user: str, password: str) -> str:
    parts = urlsplit(admin_url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{host}{port}"))


def test_an_account_without_createdb_gets_one_line_and_exit_1(
    admin_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    role = f"fd_lt_nocreatedb_{secrets.token_hex(4)}"
    password = secrets.token_hex(8)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN NOCREATEDB PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
    before = _loadtest_databases(admin_url)
    try:
        code = cli.main(["loadtest", "--database-url", _url_as(admin_url, role, password)])
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))
    err = capsys.readouterr().err
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("frontdesk: ") and "CREATEDB" in lines[0]
    assert "Traceback" not in err
    assert _loadtest_databases(admin_url) == before


def test_pgbench_gets_the_connection_from_the_environment() -> None:
    env = pgbench.libpq_env("postgresql://ann:s3cret@db.example:6543/venue?sslmode=require")
    assert env == {
        "PGUSER": "ann",
        "PGPASSWORD": "s3cret",
        "PGHOST": "db.example",
        "PGPORT": "6543",
        "PGDATABASE": "venue",
        "PGSSLMODE": "require",
    }
    socket = pgbench.libpq_env("postgresql://postgres:@/frontdesk?host=/tmp/pg")
    assert socket == {"PGUSER": "postgres", "PGHOST": "/tmp/pg", "PGDATABASE": "frontdesk"}


def test_pgbench_output_and_logs_are_read(tmp_path: Path) -> None:
    tps, n, failed = pgbench.parse_output(
        "number of transactions actually processed: 1234\n"
        "number of failed transactions: 2 (0.162%)\n"
        "tps = 617.000123 (without initial connection time)\n"
    )
    assert (tps, n, failed) == (617.000123, 1234, 2)
    (tmp_path / "pgbench_log.123").write_text("0 1 250 0 1700000000 1\n1 1 1500 1 1700000000 2\n")
    (tmp_path / "pgbench_log.123.1").write_text("2 1 failed 0 1700000000 3\n3 2 750 0 1 4\n")
    assert pgbench.parse_logs(tmp_path) == {0: [0.25, 0.75], 1: [1.5]}


def test_only_load_test_databases_are_ever_dropped() -> None:
    with pytest.raises(ValueError):
        scratch.drop("postgresql://nobody@/x", "frontdesk")
