"""``frontdesk loadtest``: the command line and one run, start to finish."""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg

from frontdesk.loadtest import (
    cpu,
    pgbench,
    pooled,
    preflight,
    report,
    scenarios,
    scratch,
    seed,
    venue,
)
from frontdesk.loadtest.pgbouncer import pool_size_for
from frontdesk.loadtest.progress import Progress
from frontdesk.problems import explain_connection_error, redact
from frontdesk.settings import DATABASE_URL_ENV, Settings

SCENARIOS = ("baseline", "throughput", "seed", "cpu", "release", "availability", "live")
#: the scenarios that write in bulk, and those whose latencies come after them
LOAD_SCENARIOS = frozenset({"baseline", "throughput", "seed", "cpu"})
LATENCY_SCENARIOS = frozenset({"release", "availability", "live"})


@dataclass
class Options:
    url: str
    clients: list[int] = field(default_factory=lambda: [16, 64])
    seconds: float = 15.0
    scenarios: list[str] = field(default_factory=lambda: list(SCENARIOS))
    json_path: Path | None = None
    availability_bookings: int = 100_000
    availability_clients: int = 2
    release_attempts: int = 1000
    release_connections: int = 100
    listeners: int = 8
    live_clients: int | None = None  # default: the first of clients
    throughput_tables: int = 200
    throughput_nights: int = 3000
    #: the seed scenario's venue: small, so that start times on one table race
    seed_tables: int = 20
    seed_nights: int = 300
    cpu_calls: int = 2000
    through_pgbouncer: bool = False
    pgbouncer_pool: int | None = None  # default: 2 per core, at least 4
    quiet: bool = False


def add_parser(commands: Any) -> argparse.ArgumentParser:
    """Register ``loadtest`` on the CLI's subcommands."""
    p: argparse.ArgumentParser = commands.add_parser(
        "loadtest",
        help="measure the booking engine on a throwaway database",
        description="Create a throwaway database on the server (frontdesk_loadtest_<random>), "
        "migrate it, load a synthetic venue, run the scenarios, print a table, write JSON, "
        "and drop the database again (also on Ctrl-C).  A venue's data is never touched; "
        "the account needs CREATEDB.",
    )
    p.add_argument(
        "--database-url",
        metavar="URL",
        help=f"the server to measure (default: {DATABASE_URL_ENV}, else the built-in server)",
    )
    p.add_argument(
        "--clients",
        metavar="N",
        type=_positive_int,
        nargs="+",
        default=[16, 64],
        help="client counts for baseline and throughput (default: 16 64)",
    )
    p.add_argument(
        "--seconds",
        metavar="S",
        type=float,
        default=15.0,
        help="length of each pgbench run (default: 15)",
    )
    p.add_argument(
        "--scenario",
        metavar="NAME",
        nargs="+",
        choices=SCENARIOS,
        dest="scenarios",
        help=f"which to run (default: all): {', '.join(SCENARIOS)}",
    )
    p.add_argument(
        "--json", metavar="PATH", type=Path, dest="json_path", help="write the results as JSON here"
    )
    p.add_argument(
        "--availability-bookings",
        metavar="N",
        type=_positive_int,
        default=100_000,
        help="bookings loaded for the availability scenario (default: 100000)",
    )
    p.add_argument(
        "--availability-clients",
        metavar="N",
        type=_positive_int,
        default=2,
        help="clients for the latency runs (default: 2)",
    )
    p.add_argument(
        "--release-attempts",
        metavar="N",
        type=_positive_int,
        default=1000,
        help="attempts in the release burst (default: 1000)",
    )
    p.add_argument(
        "--release-connections",
        metavar="N",
        type=_positive_int,
        default=100,
        help="connections the release burst uses at once (default: 100)",
    )
    p.add_argument(
        "--listeners",
        metavar="N",
        type=_positive_int,
        default=8,
        help="listeners running in the live scenario (default: 8)",
    )
    p.add_argument(
        "--through-pgbouncer",
        action="store_true",
        help="also run the release burst through Debian's pgbouncer (transaction pooling, "
        "2 server connections per core, at least 4), which the run starts itself",
    )
    p.add_argument(
        "--seed-tables",
        metavar="N",
        type=_positive_int,
        default=20,
        help="tables of the seed scenario's venue (default: 20)",
    )
    p.add_argument(
        "--seed-nights",
        metavar="N",
        type=_positive_int,
        default=300,
        help="nights the seed scenario books over (default: 300)",
    )
    p.add_argument(
        "--cpu-calls",
        metavar="N",
        type=_positive_int,
        default=2000,
        help="calls of each kind for the CPU-per-booking figure (default: 2000)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return p


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def run_command(args: argparse.Namespace, settings: Settings) -> int:
    """``frontdesk loadtest``: 0 when the run completed (targets are reported,
    not enforced); SetupProblem for what a person must fix."""
    if args.database_url:
        url = args.database_url
    else:
        from frontdesk.cli import database_url

        url = database_url(settings)
    opts = Options(
        url=url,
        clients=list(dict.fromkeys(args.clients)),
        seconds=args.seconds,
        scenarios=list(args.scenarios or SCENARIOS),
        json_path=args.json_path,
        availability_bookings=args.availability_bookings,
        availability_clients=args.availability_clients,
        release_attempts=args.release_attempts,
        release_connections=args.release_connections,
        listeners=args.listeners,
        seed_tables=args.seed_tables,
        seed_nights=args.seed_nights,
        cpu_calls=args.cpu_calls,
        through_pgbouncer=args.through_pgbouncer,
        quiet=args.quiet,
    )
    try:
        data = run(opts)
    except preflight.CannotStart as problem:
        print(f"frontdesk: {problem}", file=sys.stderr)
        return 2
    except psycopg.errors.TooManyConnections as exc:  # another program took the room meanwhile
        print(
            f"frontdesk: the server ran out of connections during the run ({_first_line(exc)}): "
            "raise max_connections or run when fewer sessions are open; its throwaway "
            "database was dropped.",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        print(
            "frontdesk: load test interrupted; its throwaway database was dropped.", file=sys.stderr
        )
        return 130
    report.print_table(data, sys.stdout)
    if opts.json_path is not None:
        report.write_json(data, opts.json_path)
        print(f"Results written to {opts.json_path}.")
    return 0


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _machine() -> dict[str, Any]:
    mem = None
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "nproc": os.cpu_count(),
        "memory_gib": mem,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "load_average_at_start": [round(x, 2) for x in load] if load else None,
    }


def run(opts: Options) -> dict[str, Any]:
    """One full run in a throwaway database; the results as a dict."""
    progress = Progress(quiet=opts.quiet)
    if opts.through_pgbouncer and "release" in opts.scenarios:
        pooled.require_pgbouncer()
    binary = pgbench.find_pgbench()
    try:
        with psycopg.connect(opts.url, autocommit=True) as conn:
            limits = preflight.read_limits(conn)
            row = conn.execute("SELECT version(), current_setting('server_version')").fetchone()
            settings_rows = conn.execute(
                "SELECT name, setting FROM pg_settings WHERE name = ANY(%s)",
                [
                    [
                        "max_connections",
                        "shared_buffers",
                        "synchronous_commit",
                        "fsync",
                        "wal_level",
                        "commit_delay",
                    ]
                ],
            ).fetchall()
    except psycopg.Error as exc:
        raise explain_connection_error(exc, redact(opts.url)) from exc
    assert row is not None
    server_settings = {str(k): str(v) for k, v in settings_rows}
    data: dict[str, Any] = {
        "server_version": str(row[1]),
        "server_version_full": str(row[0]),
        "server": redact(opts.url),
        "server_settings": server_settings,
        "pgbench": pgbench.pgbench_version(binary),
        "machine": _machine(),
        "clients": opts.clients,
        "seconds": opts.seconds,
        "scenarios": opts.scenarios,
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    fitted = preflight.fit(limits, _sizes(opts))
    opts.release_connections = fitted.release_connections
    data["preflight"] = fitted.as_json(limits)
    for line in fitted.scaled:
        progress.note(line)

    running: list[subprocess.Popen[str]] = []
    previous = signal.getsignal(signal.SIGTERM)

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    in_main = _in_main_thread()
    if in_main:
        signal.signal(signal.SIGTERM, on_term)  # drop the database on kill too
    started = time.monotonic()
    try:
        with scratch.throwaway_database(opts.url) as (name, url):
            data["database"] = name
            progress.note(
                f"throwaway database {name} created and migrated on {data['server']} "
                f"(PostgreSQL {data['server_version']}); pgbench: {binary}"
            )
            with psycopg.connect(url, autocommit=True) as conn:
                ctx = scenarios.Context(
                    url=url,
                    conn=conn,
                    progress=progress,
                    seconds=opts.seconds,
                    pgbench_binary=binary,
                    on_pgbench=running.append,
                )
                ctx.notes.extend(fitted.scaled)
                _run_scenarios(opts, ctx, data)
                data["double_bookings_total"] = scenarios.double_bookings(conn)
            data["notes"] = ctx.notes
        data["database_dropped"] = True
    finally:
        for proc in running:
            if proc.poll() is None:
                proc.kill()
        if in_main:
            signal.signal(signal.SIGTERM, previous)
    data["duration_s"] = round(time.monotonic() - started, 1)
    if hasattr(os, "getloadavg"):  # other work on the machine skews the figures: say how much
        data["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    data["targets"] = report.check_targets(data)
    return data


def _settle(ctx: scenarios.Context) -> float:
    """Clean up after the bulk writes, before the latency scenarios: the
    bare inserts' scratch rows emptied, the dead rows vacuumed and the dirty
    pages written now, as before the first run, not by autovacuum or a
    checkpoint in the middle of the release burst.  Seconds taken."""
    ctx.progress.start("settling after the load: VACUUM ANALYZE, CHECKPOINT", 0)
    started = time.perf_counter()
    ctx.conn.execute("TRUNCATE lt_scratch")
    ctx.conn.execute("VACUUM ANALYZE")
    with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
        ctx.conn.execute("CHECKPOINT")
    took = time.perf_counter() - started
    ctx.progress.done(f"{took:.1f} s")
    return round(took, 1)


def _live_clients(opts: Options) -> int:
    return opts.live_clients or (16 if 16 in opts.clients else opts.clients[0])


def _pool_size(opts: Options) -> int:
    return opts.pgbouncer_pool or pool_size_for(os.cpu_count())


def _sizes(opts: Options) -> preflight.Sizes:
    return preflight.Sizes(
        scenarios=tuple(opts.scenarios),
        clients=tuple(opts.clients),
        release_connections=opts.release_connections,
        release_attempts=opts.release_attempts,
        availability_clients=opts.availability_clients,
        listeners=opts.listeners,
        live_clients=_live_clients(opts),
        pgbouncer_pool=_pool_size(opts) if opts.through_pgbouncer else None,
    )


def _in_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _run_scenarios(opts: Options, ctx: scenarios.Context, data: dict[str, Any]) -> None:
    chosen = set(opts.scenarios)
    conn = ctx.conn

    # Venues first, the big load too, so every measurement sees the same database.
    busy = venue.create_venue(
        conn,
        1,
        "Loadtest Throughput",
        tables=opts.throughput_tables,
        max_days_ahead=opts.throughput_nights + 400,
    )
    burst = venue.create_venue(conn, 2, "Loadtest Release", tables=20, max_days_ahead=30)
    avail_tables = 50
    per_table = 4
    avail_nights = max(1, -(-opts.availability_bookings // (avail_tables * per_table)))
    lookup = venue.create_venue(
        conn, 3, "Loadtest Availability", tables=avail_tables, max_days_ahead=avail_nights + 30
    )
    dense = venue.create_venue(
        conn, 4, "Loadtest Seed", tables=opts.seed_tables, max_days_ahead=opts.seed_nights + 30
    )
    pooled_burst = venue.create_venue(
        conn, 5, "Loadtest Release PgBouncer", tables=20, max_days_ahead=30
    )
    if "seed" in chosen:
        seed.install(conn)
    if "availability" in chosen:
        ctx.progress.start(f"loading {avail_nights * avail_tables * per_table:,} bookings", 0)
        took = venue.load_bookings(conn, lookup, nights=avail_nights, per_table=per_table)
        ctx.progress.done(f"{took:.1f} s")
        data["availability_load_s"] = round(took, 1)
    scenarios.setup_baseline(ctx)
    with contextlib.suppress(psycopg.errors.InsufficientPrivilege):
        conn.execute("CHECKPOINT")  # so that no checkpoint of the load lands in a measurement
    conn.execute("VACUUM ANALYZE")

    base: dict[str, Any] = {}
    thr: dict[str, Any] = {}
    for c in opts.clients:
        if "baseline" in chosen or "throughput" in chosen:
            base[f"c{c}"] = scenarios.baseline(ctx, c)
        if "throughput" in chosen:
            thr[f"c{c}"] = scenarios.throughput(
                ctx, busy, opts.throughput_nights, c, base[f"c{c}"]["tps"]
            )
    if base:
        first = base.get("c16") or base[f"c{opts.clients[0]}"]
        data["baseline"] = {"tps": first["tps"], **base}
    if thr:
        data["throughput"] = thr
    if "seed" in chosen:
        data["seed"] = seed.run(ctx, dense, opts.seed_nights, opts.clients[0])
    if "cpu" in chosen:
        ctx.progress.start(f"cpu per call, {opts.cpu_calls} of each at 1 client", 0)
        data["cpu_per_booking_us"] = cpu.measure(
            ctx.url, busy, opts.throughput_nights, opts.cpu_calls
        )
        ctx.progress.done(
            f"booking {data['cpu_per_booking_us']['c1']} µs, "
            f"bare insert {data['cpu_per_booking_us']['bare_c1']} µs"
        )
    if chosen & LATENCY_SCENARIOS and chosen & LOAD_SCENARIOS:
        data["settle_s"] = _settle(ctx)
    if "release" in chosen:
        data["release"] = scenarios.release(
            ctx, burst, attempts=opts.release_attempts, connections=opts.release_connections
        )
        if opts.through_pgbouncer:
            data["release_pgbouncer"] = pooled.release(
                ctx,
                pooled_burst,
                attempts=opts.release_attempts,
                connections=opts.release_connections,
                pool_size=_pool_size(opts),
            )
    if "availability" in chosen:
        data["availability"], data["night_plan"] = scenarios.availability(
            ctx, lookup, avail_nights, opts.availability_clients
        )
    if "live" in chosen:
        live_clients = _live_clients(opts)
        data["live"] = scenarios.live(
            ctx, busy, opts.throughput_nights, live_clients, opts.listeners
        )
