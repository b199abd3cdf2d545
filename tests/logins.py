"""Logins of each channel for the tests: a LOGIN role in frontdesk_desk,
frontdesk_web or frontdesk_report (or in none), made for one test and
dropped after it.

A password, so that the role can log in on a server that asks for one (an
external server's TCP rules) as well as on the embedded one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg.rows import dict_row

PASSWORD = "channel-test-pw"
GROUPS = {"desk": "frontdesk_desk", "web": "frontdesk_web", "report": "frontdesk_report"}


def as_login(url: str, name: str, password: str = PASSWORD) -> str:
    """The same server and database, as another login."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{quote(name, safe='')}:{quote(password)}@{host}"))


@contextmanager
def login(admin_url: str, db_url: str, channel: str | None) -> Iterator[str]:
    """A new login in ``channel``'s group (None: in no group); its URL on
    ``db_url``'s database.  Dropped afterwards."""
    name = f"fd_test_{channel or 'nobody'}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(name), sql.Literal(PASSWORD)
            )
        )
        if channel is not None:
            admin.execute(
                sql.SQL("GRANT {} TO {}").format(
                    sql.Identifier(GROUPS[channel]), sql.Identifier(name)
                )
            )
    try:
        yield as_login(db_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = %s",
                [name],
            )
            admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))


def connect(url: str) -> psycopg.Connection[dict[str, Any]]:
    return psycopg.connect(url, autocommit=True, row_factory=dict_row)


def sign_in(
    conn: psycopg.Connection[Any], venue: Any, name: str, pin: str, terminal: str = "DESK-1"
) -> str:
    """Sign in on ``conn`` and carry the session there from now on; the token."""
    conn.execute("SELECT set_config('frontdesk.terminal', %s, false)", [terminal])
    row = conn.execute(
        "SELECT success, error_code, session_token FROM sign_in(%s, %s, %s)", [venue, name, pin]
    ).fetchone()
    assert row is not None
    values = list(row.values()) if isinstance(row, dict) else list(row)
    assert values[0], values
    token: str = values[2]
    conn.execute("SELECT set_config('frontdesk.session', %s, false)", [token])
    return token
