"""Debian's PgBouncer in transaction-pooling mode, in front of one database.

Started by the load test (``--through-pgbouncer``) or a test, stopped
afterwards.  PgBouncer refuses to run as root,
so as root it runs as the owner of the server's socket folder (the embedded
server's user, who may reach that socket) or nobody.

Nothing is left to PgBouncer's own judgement of the machine:

- it is given the numeric address this process actually reached the server
  on, never a host name: PgBouncer resolves names itself (c-ares), takes the
  first answer only, and for ``localhost`` on a machine whose /etc/hosts also
  maps it to ``::1`` that answer is ``::1``, where a server listening on
  127.0.0.1 alone never answers; every client login then waits for a server
  connection that is retried only every ``server_login_retry`` seconds;
- it listens on a Unix socket in a folder of its own, so no port can be
  taken by anything else between choosing it and binding it;
- its output goes to a file, never to a pipe nobody reads while it runs.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg

PGBOUNCER = "pgbouncer"  # the Debian package and its binary
SOCKET_PORT = 6432  # names the socket file only: the folder is this run's own
START_TIMEOUT = 30.0  # seconds; a loaded CI machine, not a quiet laptop


def available() -> bool:
    return shutil.which(PGBOUNCER) is not None or Path("/usr/sbin/pgbouncer").exists()


def binary() -> str:
    return shutil.which(PGBOUNCER) or "/usr/sbin/pgbouncer"


def _server_address(url: str) -> tuple[str, int]:
    """Where ``url``'s server answered this process: a socket folder or an IP.

    libpq tries every address a name resolves to; PgBouncer only the first.
    """
    with psycopg.connect(url, connect_timeout=10) as conn:
        return conn.info.hostaddr or conn.info.host, conn.info.port


def _run_as(server_host: str) -> str | None:
    if os.geteuid() != 0:
        return None
    if server_host.startswith("/"):
        return pwd.getpwuid(os.stat(server_host).st_uid).pw_name
    return "nobody"


def _workdir() -> Path:
    # Under the system's temporary folder, which the user it runs as can
    # reach, unless that path is too long for the socket in it.
    base = tempfile.gettempdir()
    if len(base) > 60:
        base = "/tmp"
    return Path(tempfile.mkdtemp(prefix="fd-pgbouncer-", dir=base))


def pool_size_for(cores: int | None) -> int:
    """The recommended server pool: 2 connections per core, at least 4."""
    return max(4, 2 * (cores or 1))


@contextmanager
def transaction_pooler(
    url: str,
    *,
    pool_size: int = 2,
    max_client_conn: int = 200,
    user: str | None = None,
    password: str | None = None,
) -> Iterator[str]:
    """A URL through PgBouncer (pool_mode = transaction) to ``url``'s database.

    PgBouncer signs in to the server as ``user``/``password`` (default: those
    of ``url``) with at most ``pool_size`` server connections, and accepts up
    to ``max_client_conn`` clients.  Its files and socket live in a folder of
    their own, removed afterwards.  RuntimeError, with PgBouncer's own log,
    when it does not come up.
    """
    info = psycopg.conninfo.conninfo_to_dict(url)
    host, port = _server_address(url)
    login = user or info.get("user") or "postgres"
    secret = password if user else info.get("password")
    target = [
        f"host={host}",
        f"port={port}",
        f"dbname={info['dbname']}",
        f"user={login}",
    ]
    if secret:
        target.append(f"password={secret}")
    workdir = _workdir()
    users = workdir / "users.txt"
    users.write_text('"frontdesk" ""\n')
    log = workdir / "pgbouncer.log"
    ini = workdir / "pgbouncer.ini"
    ini.write_text(
        "\n".join(
            [
                "[databases]",
                f"fdtest = {' '.join(target)}",
                "[pgbouncer]",
                "listen_addr =",
                f"unix_socket_dir = {workdir}",
                f"listen_port = {SOCKET_PORT}",
                "auth_type = trust",
                f"auth_file = {users}",
                "pool_mode = transaction",
                f"default_pool_size = {pool_size}",
                f"max_client_conn = {max_client_conn}",
                # a failed server login is retried after 1 s, not the default 15 s
                "server_login_retry = 1",
                f"logfile = {log}",
                "",
            ]
        )
    )
    user = _run_as(host)
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (workdir, users, ini):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    command = [binary(), *(["-u", user] if user else []), str(ini)]
    output = workdir / "pgbouncer.out"  # what it says before its log file is open
    with output.open("wb") as out:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
    bouncer_url = f"postgresql://frontdesk@/fdtest?host={quote(str(workdir))}&port={SOCKET_PORT}"
    try:
        _wait_until_up(bouncer_url, process, workdir, target=f"host={host} port={port}")
        yield bouncer_url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_until_up(
    url: str, process: subprocess.Popen[bytes], workdir: Path, *, target: str
) -> None:
    """Until a query runs through PgBouncer to the server, or it is plainly not going to."""
    deadline = time.monotonic() + START_TIMEOUT
    last_error = "no attempt yet"
    while True:
        if process.poll() is not None:
            raise RuntimeError(
                _failure(f"pgbouncer exited with status {process.returncode}", workdir, last_error)
            )
        if time.monotonic() >= deadline:
            raise RuntimeError(
                _failure(
                    f"pgbouncer (pid {process.pid}, still running, server {target}) did not "
                    f"answer a query within {START_TIMEOUT:.0f} s",
                    workdir,
                    last_error,
                )
            )
        try:
            with psycopg.connect(url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError as exc:
            last_error = str(exc).strip()
        time.sleep(0.05)  # polling interval while it starts


def _failure(what: str, workdir: Path, last_error: str) -> str:
    """The message: what happened, then pgbouncer's own words."""

    def lines(name: str) -> list[str]:
        path = workdir / name
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    log = lines("pgbouncer.log")
    # its stderr repeats the log, plus whatever it said before the log was open
    said = [line for line in lines("pgbouncer.out") if line not in log]
    return "\n".join(
        [
            what,
            f"last client error: {last_error}",
            "--- pgbouncer's log ---",
            *(log or ["(empty)"]),
            *(["--- pgbouncer's other output ---", *said] if said else []),
        ]
    )
