"""The load test's scenarios.  Each returns a plain dict for the report.

- baseline:     a bare one-row insert (uuid, tstzrange) per transaction — the
                server's commit-rate limit — through pgbench.
- throughput:   create_booking_atomic, random table/night/time over a large
                space (conflicts are rare), through pgbench, same settings.
- release:      1,000 attempts at once for 20 tables on one night, from a
                thread pool; every attempt must be answered, exactly the
                capacity booked, nothing double booked.
- availability: check_table_availability and night_plan over >= 100,000
                bookings, pgbench --log for per-transaction latency.
- live:         commit-to-listener latency, and booking throughput with
                listeners and the relay running against without.
"""

from __future__ import annotations

import contextlib
import os
import random
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import psycopg

from frontdesk.listener import Listener, ListenerState
from frontdesk.loadtest import cpu, pgbench
from frontdesk.loadtest.progress import Progress
from frontdesk.loadtest.venue import START_STEPS, Conn, Venue, table_prefix
from frontdesk.plan import Change

#: seed's rule for "being booked at another desk": retry every second, five times
RETRY_DELAY_S = 1.0
RETRIES = 5

BASELINE_SETUP = """
CREATE TABLE IF NOT EXISTS lt_scratch (
    id     uuid PRIMARY KEY,
    period tstzrange NOT NULL
)
"""

BASELINE_SCRIPT = """\
INSERT INTO lt_scratch (id, period)
VALUES (gen_random_uuid(), tstzrange(now(), now() + interval '2 hours'));
"""

# Colons inside literals would read as pgbench variables: times are built
# with make_time and intervals.
BOOKING_SCRIPT = """\
\\set t random(1, :ntables)
\\set d random(1, :ndays)
\\set s random(0, :steps)
\\set c random(1, :ncustomers)
SELECT success, error_code
  FROM create_booking_atomic(:venue::uuid, concat('guest', :c::int, '@loadtest.example'), NULL,
                             concat('Guest ', :c::int),
                             ARRAY[(:tprefix || lpad(to_hex(:t::int), 12, '0'))::uuid],
                             current_date + :d::int,
                             make_time(18, 0, 0) + :s::int * interval '30 minutes',
                             make_time(20, 0, 0) + :s::int * interval '30 minutes', 2);
"""

AVAILABILITY_SCRIPT = """\
\\set t random(1, :ntables)
\\set d random(1, :ndays)
\\set s random(0, :steps)
SELECT check_table_availability((:tprefix || lpad(to_hex(:t::int), 12, '0'))::uuid,
                                current_date + :d::int,
                                make_time(18, 0, 0) + :s::int * interval '30 minutes',
                                make_time(20, 0, 0) + :s::int * interval '30 minutes');
"""

NIGHT_PLAN_SCRIPT = """\
\\set d random(1, :ndays)
SELECT night_plan(:venue::uuid, current_date + :d::int);
"""

#: script numbers in pgbench's log, in the order passed
AVAILABILITY_SCRIPT_NO = 0
NIGHT_PLAN_SCRIPT_NO = 1

ATTEMPT_SQL = """
SELECT success, error_code, error_message, booking_id
  FROM create_booking_atomic(%(venue)s::uuid, %(email)s, NULL, %(name)s, ARRAY[%(table)s::uuid],
                             %(night)s::date, %(starts)s::time, %(ends)s::time, %(party)s)
"""


@dataclass
class Context:
    url: str  # the throwaway database
    conn: Conn  # autocommit, for setup and checks
    progress: Progress
    seconds: float
    pgbench_binary: str
    on_pgbench: Callable[[Any], None] | None = None
    notes: list[str] = field(default_factory=list)

    def pgbench(
        self,
        label: str,
        scripts: list[tuple[str, int]],
        *,
        clients: int,
        seconds: float | None = None,
        defines: dict[str, str | int] | None = None,
        log_latencies: bool = False,
    ) -> pgbench.PgbenchResult:
        secs = self.seconds if seconds is None else seconds
        self.progress.start(label, secs)
        result = pgbench.run(
            self.url,
            scripts,
            clients=clients,
            seconds=secs,
            defines=defines,
            log_latencies=log_latencies,
            binary=self.pgbench_binary,
            on_tick=self.progress.tick,
            on_start=self.on_pgbench,
        )
        self.progress.done(f"{result.tps:,.0f} tps")
        return result


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100), nearest-rank; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, round(q / 100.0 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(len(ordered), rank) - 1]


def _r(x: float | None, digits: int = 3) -> float | None:
    return None if x is None else round(x, digits)


# ---------------------------------------------------------------------------
# baseline and throughput


def setup_baseline(ctx: Context) -> None:
    ctx.conn.execute(BASELINE_SETUP)


def baseline(ctx: Context, clients: int) -> dict[str, Any]:
    res = ctx.pgbench(f"baseline c{clients}", [(BASELINE_SCRIPT, 1)], clients=clients)
    return {"tps": round(res.tps, 1), "transactions": res.transactions, "failed": res.failed}


def booking_defines(venue: Venue, nights: int) -> dict[str, str | int]:
    return {
        "venue": venue.id,
        "tprefix": table_prefix(venue.number),
        "ntables": venue.tables,
        "ndays": nights,
        "steps": START_STEPS - 1,
        "ncustomers": venue.customers,
    }


def count_bookings(conn: Conn, venue: Venue) -> int:
    row = conn.execute("SELECT count(*) FROM bookings WHERE venue_id = %s", [venue.id]).fetchone()
    return int(row[0]) if row else 0


def throughput(
    ctx: Context,
    venue: Venue,
    nights: int,
    clients: int,
    baseline_tps: float | None,
    *,
    label: str | None = None,
    seconds: float | None = None,
) -> dict[str, Any]:
    before = count_bookings(ctx.conn, venue)
    res = ctx.pgbench(
        label or f"throughput c{clients}",
        [(BOOKING_SCRIPT, 1)],
        clients=clients,
        seconds=seconds,
        defines=booking_defines(venue, nights),
    )
    booked = count_bookings(ctx.conn, venue) - before
    secs = ctx.seconds if seconds is None else seconds
    return {
        "tps": round(res.tps, 1),
        "ratio": _r(res.tps / baseline_tps) if baseline_tps else None,
        "attempts": res.transactions,
        "booked": booked,
        "booked_per_s": round(booked / secs, 1) if secs else None,
        "refused_fraction": _r(1 - booked / res.transactions, 4) if res.transactions else None,
        "failed": res.failed,
    }


# ---------------------------------------------------------------------------
# release: an event goes on sale


def double_bookings(conn: Conn, venue_id: str | None = None) -> int:
    """Pairs of active booking_tables rows holding one table at overlapping
    instants (a self-join; the exclusion constraint should make this 0)."""
    row = conn.execute(
        """
        SELECT count(*)
          FROM booking_tables a
          JOIN booking_tables b
            ON b.venue_id = a.venue_id AND b.table_id = a.table_id
           AND b.booking_id > a.booking_id AND b.period && a.period AND b.is_active
         WHERE a.is_active AND (%(v)s::uuid IS NULL OR a.venue_id = %(v)s::uuid)
        """,
        {"v": venue_id},
    ).fetchone()
    return int(row[0]) if row else 0


@dataclass
class _Attempt:
    table: str
    night: date
    slot: int
    latency_ms: float = 0.0
    since_start_ms: float = 0.0
    success: bool = False
    code: str | None = None
    error: str | None = None
    tries: int = 0


def release(
    ctx: Context,
    venue: Venue,
    *,
    attempts: int = 1000,
    tables: int = 20,
    connections: int = 100,
    night_offset: int = 7,
    slot_hours: int = 2,
    url: str | None = None,
    label: str = "release",
) -> dict[str, Any]:
    """``attempts`` bookings at once for ``tables`` tables on one night.

    Attempt i asks for table i mod tables in slot (i div tables) mod slots,
    with slots the night's fixed two-hour blocks, so every (table, slot) is
    asked for and exactly tables × slots can be booked.  Each worker has its
    own connection (to ``url``, default the throwaway database directly);
    all start together.  TABLE_BEING_BOOKED is retried client-side every
    second, up to five times (the seed's rule).  No statement is prepared
    and nothing is set on a session, so the calls work the same through a
    transaction-pooling PgBouncer.
    """
    from frontdesk.loadtest.venue import HOURS_OPEN, OPENS_HOUR

    slots = HOURS_OPEN // slot_hours
    night = date.today() + timedelta(days=night_offset)
    plan = [
        _Attempt(table=venue.table_id(i % tables + 1), night=night, slot=(i // tables) % slots)
        for i in range(attempts)
    ]
    random.Random(6).shuffle(plan)
    capacity = min(attempts, tables * slots)
    before = count_bookings(ctx.conn, venue)
    todo: list[_Attempt] = list(reversed(plan))
    lock = threading.Lock()
    connections = max(1, min(connections, attempts))
    start_gate = threading.Barrier(connections + 1)
    t0 = [0.0]

    def book(conn: Conn, a: _Attempt, i: int) -> None:
        starts = (OPENS_HOUR + a.slot * slot_hours) % 24
        ends = (OPENS_HOUR + (a.slot + 1) * slot_hours) % 24
        params = {
            "venue": venue.id,
            "email": venue.customer_email(i % venue.customers + 1),
            "name": f"Guest {i % venue.customers + 1}",
            "table": a.table,
            "night": a.night,
            "starts": f"{starts:02d}:00",
            "ends": f"{ends:02d}:00",
            "party": 4,
        }
        begun = time.perf_counter()
        while True:
            a.tries += 1
            try:
                row = conn.execute(ATTEMPT_SQL, params).fetchone()
            except psycopg.Error as exc:
                a.error = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
                break
            assert row is not None
            a.success, a.code = bool(row[0]), row[1]
            if a.code == "TABLE_BEING_BOOKED" and a.tries <= RETRIES:
                time.sleep(RETRY_DELAY_S)
                continue
            break
        done = time.perf_counter()
        a.latency_ms = (done - begun) * 1000
        a.since_start_ms = (done - t0[0]) * 1000

    def worker(conn: Conn) -> None:
        start_gate.wait()
        while True:
            with lock:
                if not todo:
                    return
                a = todo.pop()
                i = len(todo)
            book(conn, a, i)

    conns: list[Conn] = []
    ctx.progress.start(f"{label} {attempts} attempts", 0)
    try:
        for _ in range(connections):
            conns.append(psycopg.connect(url or ctx.url, autocommit=True, prepare_threshold=None))
        threads = [threading.Thread(target=worker, args=(c,), daemon=True) for c in conns]
        for t in threads:
            t.start()
        t0[0] = time.perf_counter()
        start_gate.wait()
        for t in threads:
            t.join()
        wall = time.perf_counter() - t0[0]
    finally:
        for c in conns:
            c.close()
    booked = count_bookings(ctx.conn, venue) - before
    answered = [a for a in plan if a.error is None and a.tries > 0]
    refusals = Counter(a.code or "?" for a in answered if not a.success)
    latencies = [a.latency_ms for a in plan if a.tries > 0]
    since = [a.since_start_ms for a in plan if a.tries > 0]
    errors = [a.error for a in plan if a.error]
    being_booked = refusals.get("TABLE_BEING_BOOKED", 0)
    result = {
        "attempts": attempts,
        "tables": tables,
        "slots": slots,
        "connections": connections,
        "capacity": capacity,
        "answered": len(answered),
        "unanswered": attempts - len(answered),
        "booked": booked,
        "successes": sum(1 for a in answered if a.success),
        "double_bookings": double_bookings(ctx.conn, venue.id),
        "errors": len(errors),
        "error_samples": sorted(set(e for e in errors if e))[:5],
        "refusals": dict(sorted(refusals.items())),
        "being_booked_after_retries": being_booked,
        "being_booked_fraction": _r(being_booked / attempts, 4) if attempts else None,
        "retried_attempts": sum(1 for a in plan if a.tries > 1),
        "p50_ms": _r(percentile(latencies, 50), 1),
        "p99_ms": _r(percentile(latencies, 99), 1),
        "max_ms": _r(max(latencies) if latencies else None, 1),
        "since_start_p99_ms": _r(percentile(since, 99), 1),
        "wall_s": round(wall, 3),
    }
    ctx.progress.done(
        f"booked {booked}/{capacity}, double {result['double_bookings']}, errors {len(errors)}, "
        f"p99 {result['p99_ms']} ms"
    )
    return result


# ---------------------------------------------------------------------------
# availability and the night plan


def availability(
    ctx: Context, venue: Venue, nights: int, clients: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """check_table_availability and night_plan, interleaved 1:1 in one pgbench run."""
    defines = booking_defines(venue, nights)
    scripts = [(AVAILABILITY_SCRIPT, 1), (NIGHT_PLAN_SCRIPT, 1)]
    res = ctx.pgbench(
        f"availability c{clients}",
        scripts,
        clients=clients,
        defines=defines,
        log_latencies=True,
    )
    avail = res.latencies_ms.get(AVAILABILITY_SCRIPT_NO, [])
    plan = res.latencies_ms.get(NIGHT_PLAN_SCRIPT_NO, [])
    bookings = count_bookings(ctx.conn, venue)
    out_avail = {
        "clients": clients,
        "bookings_loaded": bookings,
        "calls": len(avail),
        "p50_ms": _r(percentile(avail, 50)),
        "p99_ms": _r(percentile(avail, 99)),
        "mean_ms": _r(statistics.fmean(avail) if avail else None),
    }
    per_night = bookings / nights if nights else 0
    out_plan: dict[str, Any] = {
        "clients": clients,
        "bookings_per_night": round(per_night),
        "calls": len(plan),
        "p50_ms": _r(percentile(plan, 50)),
        "p99_ms": _r(percentile(plan, 99)),
        "mean_ms": _r(statistics.fmean(plan) if plan else None),
    }
    return out_avail, out_plan


# ---------------------------------------------------------------------------
# live: commit-to-listener latency and the cost of listening


class _Probe:
    """Books probe tables on a night the load never touches, one at a time,
    and records when each commit returned and when each listener saw it."""

    def __init__(
        self, url: str, venue: Venue, night: date, listeners: int, interval_s: float = 0.1
    ) -> None:
        self.url, self.venue, self.night = url, venue, night
        self.listeners, self.interval = listeners, interval_s
        self.committed: dict[str, float] = {}
        self.seen: dict[str, list[float]] = {}
        self.lock = threading.Lock()
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.failures = 0

    def saw(self, booking_id: str, at: float) -> None:
        # Every booking's, not just the probes': a listener may hear of a
        # probe before the probe's thread has noted its commit.
        with self.lock:
            self.seen.setdefault(booking_id, []).append(at)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=10)

    def _run(self) -> None:
        from frontdesk.loadtest.venue import HOURS_OPEN, OPENS_HOUR

        slots = HOURS_OPEN // 2
        n = 0
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop_event.is_set() and n < self.venue.tables * slots:
                table, slot = n % self.venue.tables + 1, n // self.venue.tables
                n += 1
                row = conn.execute(
                    ATTEMPT_SQL,
                    {
                        "venue": self.venue.id,
                        "email": self.venue.customer_email(1),
                        "name": "Guest 1",
                        "table": self.venue.table_id(table),
                        "night": self.night,
                        "starts": f"{(OPENS_HOUR + 2 * slot) % 24:02d}:00",
                        "ends": f"{(OPENS_HOUR + 2 * slot + 2) % 24:02d}:00",
                        "party": 2,
                    },
                ).fetchone()
                now = time.perf_counter()
                if row is None or not row[0] or row[3] is None:
                    self.failures += 1
                else:
                    with self.lock:
                        self.committed[str(row[3])] = now
                self.stop_event.wait(self.interval)

    def latencies_ms(self) -> list[float]:
        out: list[float] = []
        with self.lock:
            for bid, committed in self.committed.items():
                out += [(t - committed) * 1000 for t in self.seen.get(bid, [])]
        return out

    def unseen(self) -> int:
        with self.lock:
            return sum(1 for bid in self.committed if not self.seen.get(bid))


def drain_outbox(conn: Conn) -> None:
    """Relay what the steps before left in the outbox (no relay ran then) and
    vacuum it.  In service the relay runs all along and the outbox stays
    small, so the listening step must not pay for a backlog of dead rows."""
    for _ in range(1000):
        row = conn.execute("SELECT relay_changes(10000)").fetchone()
        if not row or not row[0]:
            break
    conn.execute("VACUUM (ANALYZE) change_outbox")


@contextlib.contextmanager
def _listening(ctx: Context, venue: Venue, listeners: int, probe: _Probe) -> Iterator[str]:
    """Run ``listeners`` Listeners (one becomes the relay) for ``venue``."""
    live_states: list[threading.Event] = []
    running: list[Listener] = []
    for _ in range(listeners):
        ev = threading.Event()
        live_states.append(ev)

        def on_changes(changes: list[Change]) -> None:
            now = time.perf_counter()
            for change in changes:
                for bid in change.booking_ids:
                    probe.saw(str(bid), now)

        def on_state(state: ListenerState, _ev: threading.Event = ev) -> None:
            if state is ListenerState.LIVE:
                _ev.set()

        lst = Listener(ctx.url, UUID(venue.id), on_changes=on_changes, on_state=on_state)
        running.append(lst)
        lst.start()
    try:
        for ev in live_states:
            ev.wait(timeout=15)
        yield "frontdesk.listener.Listener"
    finally:
        for lst in running:
            lst.stop()


def live(ctx: Context, venue: Venue, nights: int, clients: int, listeners: int) -> dict[str, Any]:
    """Booking throughput without listeners, with them (and the relay), and
    without again (ABBA, so drift cancels), while a probe times commits to
    listeners on a night the load does not touch."""
    half = max(1.0, ctx.seconds / 2)
    a1 = throughput(ctx, venue, nights, clients, None, label=f"live off c{clients}", seconds=half)
    drain_outbox(ctx.conn)
    probe = _Probe(ctx.url, venue, date.today() + timedelta(days=nights + 1), listeners)
    with _listening(ctx, venue, listeners, probe) as kind:
        probe.start()
        usage = _ListenerUsage(ctx.conn)
        b = throughput(
            ctx,
            venue,
            nights,
            clients,
            None,
            label=f"live on c{clients} ({listeners} listeners)",
            seconds=2 * half,
        )
        shares = usage.shares()
        probe.stop()
        time.sleep(0.5)  # the last probe's notification
    a2 = throughput(ctx, venue, nights, clients, None, label=f"live off c{clients}", seconds=half)
    without = (a1["tps"] + a2["tps"]) / 2
    lat = probe.latencies_ms()
    return {
        "clients": clients,
        "listeners": listeners,
        "how": kind,
        "tps_without": round(without, 1),
        "tps_with": b["tps"],
        "cost_ratio": _r(1 - b["tps"] / without) if without else None,
        "probes": len(probe.committed),
        "probes_unseen": probe.unseen(),
        "notify_samples": len(lat),
        "notify_p50_ms": _r(percentile(lat, 50), 1),
        "notify_p95_ms": _r(percentile(lat, 95), 1),
        "notify_max_ms": _r(max(lat) if lat else None, 1),
        **shares,
    }


class _ListenerUsage:
    """Where the listeners' cost goes while the load runs, as shares of the
    machine's CPU (cores x seconds): their server sessions (the relay's
    included), and this process, which runs them (on a venue, each desk's
    listener runs on the desk's own PC).  None when the server is not on
    this machine."""

    def __init__(self, conn: Conn) -> None:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE application_name = 'frontdesk listener' AND datname = current_database()"
        ).fetchall()
        self.pids = [int(r[0]) for r in rows]
        self.sessions_ns: int | None = None
        if self.pids and cpu.why_not_local(conn, self.pids[0]) is None:
            with contextlib.suppress(OSError):  # a session gone as it was read
                self.sessions_ns = self._sessions_ns()
        self.client_s = time.process_time()
        self.wall = time.perf_counter()

    def _sessions_ns(self) -> int:
        return sum(cpu.backend_cpu_ns(pid) for pid in self.pids)

    def shares(self) -> dict[str, float | None]:
        machine_s = (time.perf_counter() - self.wall) * (os.cpu_count() or 1)
        client_s = time.process_time() - self.client_s
        sessions: float | None = None
        if self.sessions_ns is not None:
            try:
                sessions = (self._sessions_ns() - self.sessions_ns) / 1e9
            except OSError:  # a listener reconnected meanwhile: its session is gone
                sessions = None
        return {
            "listener_sessions_cpu_share": _r(sessions / machine_s, 4)
            if sessions is not None
            else None,
            "loadtest_process_cpu_share": _r(client_s / machine_s, 4),
        }
