"""Server CPU per call at one client: a booking against the bare insert.

One connection; its backend's pid (``pg_backend_pid()``); the backend's
CPU time read from /proc before and after N calls.  The booking calls are
the throughput scenario's (``create_booking_atomic``, random table, night
and slot); the bare calls are the baseline's one-row insert.  Each call is
its own transaction, commit included.  /proc/<pid>/schedstat gives the
time in nanoseconds; where it is missing, utime + stime from
/proc/<pid>/stat (clock ticks, 10 ms each: hence thousands of calls).

Only the backend's own CPU counts, not the WAL writer's or a checkpoint's,
and only when the server runs on this machine (a local address or socket,
and a /proc entry that is a postgres process); otherwise the figures are
None with the reason.
"""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import psycopg

from frontdesk.loadtest.venue import START_STEPS, Venue

LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", ""}

BOOKING_SQL = """
SELECT success, error_code
  FROM create_booking_atomic(%(venue)s::uuid, %(email)s, NULL, %(name)s, ARRAY[%(table)s::uuid],
                             current_date + %(day)s::int,
                             make_time(18, 0, 0) + %(step)s::int * interval '30 minutes',
                             make_time(20, 0, 0) + %(step)s::int * interval '30 minutes', 2)
"""

BARE_SQL = """
INSERT INTO lt_scratch (id, period)
VALUES (gen_random_uuid(), tstzrange(now(), now() + interval '2 hours'))
"""


def backend_cpu_ns(pid: int, proc: Path = Path("/proc")) -> int:
    """CPU time the process ``pid`` has used, in nanoseconds."""
    schedstat = proc / str(pid) / "schedstat"
    try:
        return int(schedstat.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        pass
    # The command name may hold spaces: the fields start after its ")".
    fields = (proc / str(pid) / "stat").read_text(encoding="ascii").rpartition(")")[2].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) * 1_000_000_000 // os.sysconf("SC_CLK_TCK")


def why_not_local(
    conn: psycopg.Connection[Any], pid: int, proc: Path = Path("/proc")
) -> str | None:
    """None when ``pid`` is the connection's backend on this machine, else why not."""
    host = conn.info.host or ""
    if not host.startswith("/") and host not in LOCAL_HOSTS:
        return f"the server runs on {host}, not on this machine: its /proc is not readable here"
    try:
        comm = (proc / str(pid) / "comm").read_text(encoding="ascii").strip()
    except OSError:
        return f"no /proc/{pid} here (the server runs in another container or machine)"
    if not comm.startswith("postgres"):
        return f"/proc/{pid} here is {comm!r}, not the server's backend (another pid namespace)"
    return None


def measure(url: str, venue: Venue, nights: int, calls: int) -> dict[str, Any]:
    """Server CPU per booking and per bare insert, one connection, ``calls`` each."""
    rng = random.Random(16)
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        pid = int(row[0])
        reason = why_not_local(conn, pid)
        if reason is not None:
            return {"c1": None, "bare_c1": None, "calls": calls, "reason": reason}
        source = "schedstat" if (Path("/proc") / str(pid) / "schedstat").exists() else "stat"
        # warm up both statements (plans, caches) before the clock runs
        for _ in range(20):
            conn.execute(BARE_SQL)
        bookings = [
            {
                "venue": venue.id,
                "email": venue.customer_email(n),
                "name": f"Guest {n}",
                "table": venue.table_id(rng.randint(1, venue.tables)),
                "day": rng.randint(1, nights),
                "step": rng.randint(0, START_STEPS - 1),
            }
            for n in (rng.randint(1, venue.customers) for _ in range(calls + 20))
        ]
        for params in bookings[:20]:
            conn.execute(BOOKING_SQL, params)
        booked = 0
        start = backend_cpu_ns(pid)
        for params in bookings[20:]:
            result = conn.execute(BOOKING_SQL, params).fetchone()
            booked += bool(result and result[0])
        booking_ns = backend_cpu_ns(pid) - start
        start = backend_cpu_ns(pid)
        for _ in range(calls):
            conn.execute(BARE_SQL)
        bare_ns = backend_cpu_ns(pid) - start
    return {
        "c1": round(booking_ns / calls / 1000, 1),
        "bare_c1": round(bare_ns / calls / 1000, 1),
        "ratio": round(booking_ns / bare_ns, 1) if bare_ns else None,
        "calls": calls,
        "booked": booked,
        "source": f"/proc/<pid>/{source}",
    }
