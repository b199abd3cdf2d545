"""Bring a database to the current schema, and load the demo venue.

Schema migrations live in ``sql/migrations/`` (one file per step, never
edited once released); Alembic orders them and records which have run.  The
engine's functions, triggers, views and grants live in ``sql/engine/`` and
are re-applied in the same transaction whenever one changes
(``frontdesk.engine_sql``).  Used by ``frontdesk db upgrade`` and at start-up.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import sqlalchemy as sa
from alembic import command, op
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from frontdesk import package_data
from frontdesk.problems import SetupProblem, explain_connection_error, redact

SQL_DIR: Path = package_data.sql_dir()
DEMO_SQL: Path = SQL_DIR / "demo.sql"

#: Extensions the schema needs from the server (btree_gist: the no-overlap constraint).
REQUIRED_EXTENSIONS: tuple[str, ...] = ("btree_gist",)


def sqlalchemy_url(url: str) -> str:
    """A libpq URL as SQLAlchemy wants it (psycopg 3 driver)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> sa.Engine:
    return sa.create_engine(sqlalchemy_url(url), poolclass=sa.NullPool)


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SQL_DIR / "alembic"))
    return cfg


def run_sql_file(name: str) -> None:
    """Run one file of ``sql/migrations/`` inside the current migration's transaction.

    The raw driver connection runs it so that neither SQLAlchemy nor psycopg
    reads ``:name`` or ``%`` in the SQL as parameters.
    """
    sql = (SQL_DIR / "migrations" / name).read_text(encoding="utf-8")
    driver_conn = op.get_bind().connection.driver_connection
    assert isinstance(driver_conn, psycopg.Connection)
    driver_conn.execute(sql.encode())


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(url: str) -> str | None:
    with make_engine(url).connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(url: str) -> None:
    """Apply every pending migration in one transaction.

    Idempotent.  Raises SetupProblem with an actionable line when the server
    cannot be reached or refuses (no btree_gist, wrong password...).
    """
    cfg = _config()
    try:
        _require_extensions(url)
        with make_engine(url).connect() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            conn.commit()
    except psycopg.Error as exc:
        raise explain_connection_error(exc, redact(url)) from exc
    except sa.exc.DBAPIError as exc:
        orig = exc.orig
        if isinstance(orig, psycopg.Error):
            raise explain_connection_error(orig, redact(url)) from exc
        raise


def _require_extensions(url: str) -> None:
    """Refuse early, in words, when the server lacks an extension we need."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT name FROM pg_available_extensions WHERE name = ANY(%s)",
            [list(REQUIRED_EXTENSIONS)],
        ).fetchall()
    missing = sorted(set(REQUIRED_EXTENSIONS) - {r[0] for r in rows})
    if missing:
        raise SetupProblem(
            f"The server at {redact(url)} has no {', '.join(missing)} extension, which "
            "frontdesk needs to prevent double bookings: install PostgreSQL's contrib "
            "package (e.g. apt-get install postgresql-contrib) or ask the server's "
            "administrator."
        )


def has_venues(url: str) -> bool:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT EXISTS (SELECT 1 FROM venues)").fetchone()
        return bool(row and row[0])


def load_demo(url: str) -> None:
    """Load The Backroom Leeds with upcoming nights, customers and bookings.

    Safe to run again: it adds nothing when the demo venue already exists.
    """
    try:
        with psycopg.connect(url) as conn:
            conn.execute(DEMO_SQL.read_text(encoding="utf-8").encode())
    except psycopg.OperationalError as exc:
        raise explain_connection_error(exc, redact(url)) from exc
    except psycopg.Error as exc:
        raise SetupProblem(f"Loading the demo venue failed: {exc}") from exc
