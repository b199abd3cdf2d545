"""Debian's PgBouncer in transaction-pooling mode, in front of a test database.

Started by the test on a free port; stopped afterwards.  PgBouncer refuses
to run as root, so as root it runs as the owner of the server's socket
folder (the embedded server's user, who may reach that socket) or nobody.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import psycopg

PGBOUNCER = "pgbouncer"  # the Debian package and its binary


def available() -> bool:
    return shutil.which(PGBOUNCER) is not None or Path("/usr/sbin/pgbouncer").exists()


def _binary() -> str:
    return shutil.which(PGBOUNCER) or "/usr/sbin/pgbouncer"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _run_as(server_host: str) -> str | None:
    if os.geteuid() != 0:
        return None
    if server_host.startswith("/"):
        return pwd.getpwuid(os.stat(server_host).st_uid).pw_name
    return "nobody"


@contextmanager
def transaction_pooler(url: str, *, pool_size: int = 2) -> Iterator[str]:
    """A URL through PgBouncer (pool_mode = transaction) to ``url``'s database.

    Its files live in a folder of their own under the system's temporary
    folder (which the user it runs as can reach), removed afterwards.
    """
    info = psycopg.conninfo.conninfo_to_dict(url)
    host = str(info.get("host") or "localhost")
    target = [
        f"host={host}",
        f"port={info.get('port') or 5432}",
        f"dbname={info['dbname']}",
        f"user={info.get('user') or 'postgres'}",
    ]
    if info.get("password"):
        target.append(f"password={info['password']}")
    port = _free_port()
    workdir = Path(tempfile.mkdtemp(prefix="fd-pgbouncer-"))
    users = workdir / "users.txt"
    users.write_text('"frontdesk" ""\n')
    ini = workdir / "pgbouncer.ini"
    ini.write_text(
        "\n".join(
            [
                "[databases]",
                f"fdtest = {' '.join(target)}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {users}",
                "pool_mode = transaction",
                f"default_pool_size = {pool_size}",
                "max_client_conn = 200",
                f"logfile = {workdir / 'pgbouncer.log'}",
                "",
            ]
        )
    )
    user = _run_as(host)
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (workdir, users, ini):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    command = [_binary(), *(["-u", user] if user else []), str(ini)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    bouncer_url = f"postgresql://{quote('frontdesk')}@127.0.0.1:{port}/fdtest"
    try:
        _wait_until_up(bouncer_url, process, workdir)
        yield bouncer_url
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        if process.stdout is not None:
            process.stdout.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], workdir: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            log = workdir / "pgbouncer.log"
            raise RuntimeError(
                f"pgbouncer exited ({process.returncode}): {output}"
                f"{log.read_text() if log.exists() else ''}"
            )
        try:
            with psycopg.connect(url, connect_timeout=2) as conn:
                conn.execute("SELECT 1")
                return
        except psycopg.OperationalError:
            time.sleep(0.05)  # polling interval while it starts
    raise RuntimeError("pgbouncer did not start within 15 s")
