"""How long one sign-in takes: ``sign_in`` (PIN checked in the database) timings.

    .venv/bin/python -m tests.benchmarks.sign_in_time [--runs 50] [--url postgresql://admin...]

Without --url it starts a private embedded server in a temporary folder;
either way it creates a fresh database (migrated, the demo venue), signs the
demo's Priya in ``--runs`` times from one connection, as a desk does (round
trip included), and prints the median and 95th percentile, then the same
for a wrong PIN and for an unknown name (which check a decoy hash, so they
take as long).  The time is almost all the PIN's PBKDF2 rounds
(private.fd_pin_iterations()).  Not a timed test: the figures are for
reading.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from frontdesk import migrations
from tests import pg

VENUE = uuid.UUID("b4c12000-0000-4000-8000-000000000001")


@contextmanager
def private_server() -> Iterator[str]:
    """A private embedded server in a temporary folder, for a run: its admin URL."""
    from frontdesk import server

    with tempfile.TemporaryDirectory(prefix="fd-bench-") as tmp:
        data = Path(tmp) / "data"
        admin = pg.start_embedded(data)
        try:
            yield admin
        finally:
            server.stop(data)


@contextmanager
def fresh_database(url: str | None) -> Iterator[str]:
    """A new database on the given server (an admin URL) or a private one."""
    if url is None:
        with private_server() as admin, fresh_database(admin) as db:
            yield db
        return
    name = f"fd_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield pg.with_database(url, name)
    finally:
        pg.drop_database(url, name)


def _times(
    conn: psycopg.Connection[tuple[object, ...]], name: str, pin: str, runs: int
) -> list[float]:
    """Milliseconds per sign_in call; each ends its session (or clears the count)."""
    out: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        row = conn.execute(
            "SELECT success, error_code FROM sign_in(%s, %s, %s)", [VENUE, name, pin]
        ).fetchone()
        out.append((time.perf_counter() - started) * 1000)
        assert row is not None
        if pin != "2468":
            conn.execute("UPDATE staff SET failed_pins = 0, locked_until = NULL")
    return out


def _line(what: str, ms: list[float]) -> str:
    p50 = statistics.median(ms)
    p95 = statistics.quantiles(ms, n=20)[-1] if len(ms) >= 2 else ms[0]
    return f"{what:<28} p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   ({len(ms)} calls)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--url", help="an admin URL of a server to measure (default: embedded)")
    args = parser.parse_args(argv)
    with fresh_database(args.url) as url:
        migrations.upgrade(url)
        migrations.load_demo(url)
        with psycopg.connect(url, autocommit=True) as conn:
            version = conn.execute("SHOW server_version").fetchone()
            rounds = conn.execute("SELECT private.fd_pin_iterations()").fetchone()
            conn.execute("SELECT set_config('frontdesk.terminal', 'BENCH-1', false)")
            _times(conn, "Priya", "2468", 3)  # warm the plans
            right = _times(conn, "Priya", "2468", args.runs)
            wrong = _times(conn, "Priya", "0000", args.runs)
            unknown = _times(conn, "Nobody", "0000", args.runs)
    print(
        f"PostgreSQL {version[0] if version else '?'}, PBKDF2 rounds {rounds[0] if rounds else '?'}"
    )
    print(_line("sign_in, right PIN", right))
    print(_line("sign_in, wrong PIN", wrong))
    print(_line("sign_in, unknown name", unknown))
    return 0


if __name__ == "__main__":
    sys.exit(main())
