"""A database as the first release (main before the engine layout) left it:
its four migrations, run as it ran them, and its demo venue, byte for byte.

The migrations are today's sql/migrations/0001-0004 (frozen since that
release); the demo is kept in tests/fixtures/release1/ because it has moved
on since.  Used by the upgrade test and the upgrade benchmark.
"""

from __future__ import annotations

from pathlib import Path

import psycopg

from frontdesk import migrations

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "release1"
MIGRATIONS = ("0001_schema", "0002_engine", "0003_desk", "0004_customers")


def build(url: str, *, demo: bool = True) -> None:
    """Bring an empty database to release 1 (in one transaction, as Alembic did)."""
    with psycopg.connect(url) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(7401305001)")
        for name in MIGRATIONS:
            sql = (migrations.SQL_DIR / "migrations" / f"{name}.sql").read_text(encoding="utf-8")
            conn.execute(sql.encode())
        conn.execute(
            "CREATE TABLE alembic_version (version_num varchar(32) NOT NULL,"
            " CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"
        )
        conn.execute("INSERT INTO alembic_version VALUES (%s)", [MIGRATIONS[-1]])
    if demo:
        with psycopg.connect(url) as conn:
            conn.execute((FIXTURES / "demo.sql").read_text(encoding="utf-8").encode())
