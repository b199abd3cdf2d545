"""Real PostgreSQL for the tests: one server per run, a fresh database per test.

The server is ``FRONTDESK_TEST_DATABASE_URL`` when set (an account that may
create databases), else an embedded server in a temporary folder that the
run starts and deletes.  Each test gets its own database cloned from a
migrated template, which takes a fraction of a second.

The engine's clock is real in every database unless a test sets it
(tests/clock.py); under ``FRONTDESK_TEST_NOW`` every fresh database starts
with its clock there, and the demo is loaded relative to that day.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from frontdesk import migrations
from tests import clock

TEST_URL_ENV = "FRONTDESK_TEST_DATABASE_URL"

# Durability is not what the tests are about; speed is welcome.
FAST_SETTINGS = {"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"}


def with_database(url: str, database: str) -> str:
    """The same server URL, naming another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + database))


def _schema_fingerprint(extra: str = "") -> str:
    h = hashlib.sha1(extra.encode())
    for path in sorted(migrations.SQL_DIR.rglob("*")):
        if path.is_file() and path.suffix in {".sql", ".py"}:
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def _admin(url: str) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(url, autocommit=True)


def ensure_template(admin_url: str, *, demo: bool) -> str:
    """A migrated (and, with demo, demo-loaded) template database's name.

    Built once per schema version (and per day for the demo, whose nights are
    relative to today in Europe/London); reused by later runs on an external
    server.
    """
    pinned = clock.pinned_suite_now() if demo else None
    day = clock.suite_today().isoformat() + ("-pinned" if pinned else "")
    key = _schema_fingerprint(day if demo else "")
    name = f"fd_tpl_{'demo_' if demo else ''}{key}"
    with _admin(admin_url) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return name
        building = f"{name}_build_{uuid.uuid4().hex[:6]}"
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(building)))
    build_url = with_database(admin_url, building)
    migrations.upgrade(build_url)
    if demo:
        if pinned:  # the demo's today is the suite's
            clock.set_engine_clock(admin_url, build_url, pinned)
        migrations.load_demo(build_url)
    with _admin(admin_url) as conn:
        try:
            conn.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(building), sql.Identifier(name)
                )
            )
        except psycopg.errors.DuplicateDatabase:  # another run built it meanwhile
            drop_database(admin_url, building)
    return name


def drop_database(admin_url: str, name: str) -> None:
    with _admin(admin_url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def fresh_database(admin_url: str, template: str) -> Iterator[str]:
    """A new database cloned from ``template``; dropped afterwards."""
    name = f"fd_test_{uuid.uuid4().hex[:12]}"
    with _admin(admin_url) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    url = with_database(admin_url, name)
    try:
        pinned = clock.pinned_suite_now()
        if pinned and template.startswith("fd_tpl_"):  # a migrated one of ours
            clock.set_engine_clock(admin_url, url, pinned)
        yield url
    finally:
        drop_database(admin_url, name)


def start_embedded(pgdata: Path) -> str:
    """Start a throwaway embedded server for the run; its admin URL."""
    from frontdesk import server

    return server.ensure_running(pgdata, database="postgres", extra_settings=FAST_SETTINGS)
