"""The release burst through PgBouncer: the recommended deployment, measured.

The website reaches the server through PgBouncer in transaction mode, with
a pool of 2 server connections per core (at least 4); the desks keep direct
sessions for LISTEN.  The burst is the release scenario's, on a venue of its
own, signed in as a website login made for the run (a member of
frontdesk_web, dropped afterwards), so ``create_booking_atomic`` books by
the seed's contract as the website does: one statement per transaction, no
prepared statement, nothing set on the session.
"""

from __future__ import annotations

import contextlib
import secrets
import subprocess
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import sql

from frontdesk.loadtest import pgbouncer, scenarios
from frontdesk.loadtest.preflight import CannotStart
from frontdesk.loadtest.venue import Conn, Venue

WEB_GROUP = "frontdesk_web"


def require_pgbouncer() -> None:
    """CannotStart (one line) when Debian's pgbouncer is not installed."""
    if not pgbouncer.available():
        raise CannotStart(
            "--through-pgbouncer needs Debian's pgbouncer, which is not installed: "
            "apt-get install pgbouncer, or run without --through-pgbouncer."
        )


def version() -> str:
    out = subprocess.run(
        [pgbouncer.binary(), "--version"], capture_output=True, text=True, check=False
    )
    return out.stdout.splitlines()[0].strip() if out.stdout else "pgbouncer"


@contextlib.contextmanager
def website_login(conn: Conn) -> Iterator[tuple[str, str] | None]:
    """A LOGIN role in frontdesk_web for this run, (name, password); dropped
    afterwards.  None when this account may not create roles (the burst then
    runs as the run's own account)."""
    name = f"fd_loadtest_web_{secrets.token_hex(4)}"
    password = secrets.token_hex(16)
    try:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE {}").format(
                sql.Identifier(name), sql.Literal(password), sql.Identifier(WEB_GROUP)
            )
        )
    except psycopg.errors.InsufficientPrivilege:
        yield None
        return
    try:
        yield name, password
    finally:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s", [name]
        )
        conn.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def release(
    ctx: scenarios.Context,
    venue: Venue,
    *,
    attempts: int,
    connections: int,
    pool_size: int,
) -> dict[str, Any]:
    """The release burst through a transaction-pooling PgBouncer started for it."""
    with website_login(ctx.conn) as login:
        user, password = login if login else (None, None)
        try:
            pooler = pgbouncer.transaction_pooler(
                ctx.url,
                pool_size=pool_size,
                max_client_conn=connections + 10,
                user=user,
                password=password,
            )
            with pooler as url:
                result = scenarios.release(
                    ctx,
                    venue,
                    attempts=attempts,
                    connections=connections,
                    url=url,
                    label="release through PgBouncer",
                )
        except RuntimeError as exc:  # PgBouncer did not come up: its log says why
            raise CannotStart(f"PgBouncer did not start: {str(exc).splitlines()[0]}") from exc
    result["pool_size"] = pool_size
    result["pool_mode"] = "transaction"
    result["pgbouncer"] = version()
    result["login"] = f"a website login ({WEB_GROUP})" if login else "the run's own account"
    return result
