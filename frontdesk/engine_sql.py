"""The engine's functions, triggers, views and grants: re-applied from
``sql/engine/`` whenever one of its files changes.

Schema migrations (``sql/migrations/``, run by Alembic) are append-only; the
engine is behaviour, kept in one file per concept and written with ``CREATE
OR REPLACE``.  Each upgrade compares the files' checksums with those recorded
in ``private.engine_files``; when they differ, or a schema migration is
pending, the engine is rebuilt inside the upgrade's transaction, under its
lock: every engine object is dropped (so an object removed from the files is
removed from the database, and no schema step is blocked by a view or a
trigger), the schema steps run, and the files are applied in name order,
grants last.  A fresh database and an upgraded one therefore end with the
same catalogue.

Engine objects are, by definition: the functions and procedures of the
``public`` and ``private`` schemas that no extension owns, the views of
those schemas, the user-defined triggers on their tables, and the composite
types of ``private`` that are not a table's row type.  Schema migrations
must not create objects of those kinds for the engine to keep (a table's
default or check that calls an engine function would stop the drop, loudly).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from frontdesk import migrations

SCHEMAS = ("public", "private")


@dataclass(frozen=True)
class EngineFile:
    name: str
    text: str

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()


def engine_files(folder: Path | None = None) -> list[EngineFile]:
    """The engine's files in the order they are applied (by name)."""
    base = folder or migrations.SQL_DIR / "engine"
    return [
        EngineFile(path.name, path.read_text(encoding="utf-8"))
        for path in sorted(base.glob("*.sql"))
    ]


def applied_checksums(conn: psycopg.Connection) -> dict[str, str]:
    """What the database last applied: {file name: checksum}; empty before 0005."""
    row = conn.execute("SELECT to_regclass('private.engine_files') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return {}
    rows = conn.execute("SELECT name, checksum FROM private.engine_files").fetchall()
    return {name: checksum for name, checksum in rows}


def is_current(conn: psycopg.Connection, files: list[EngineFile]) -> bool:
    return applied_checksums(conn) == {f.name: f.checksum for f in files}


def drop_engine(conn: psycopg.Connection) -> None:
    """Drop every engine object (see the module's docstring).  Tables, their
    rows, constraints and indexes stay."""
    schemas = list(SCHEMAS)
    views = conn.execute(
        "SELECT c.oid::regclass::text FROM pg_class c"
        " WHERE c.relkind IN ('v', 'm') AND c.relnamespace::regnamespace::text = ANY(%s)"
        "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
        "                    AND d.objid = c.oid AND d.deptype = 'e')",
        [schemas],
    ).fetchall()
    triggers = conn.execute(
        "SELECT t.tgname, t.tgrelid::regclass::text FROM pg_trigger t"
        " JOIN pg_class c ON c.oid = t.tgrelid"
        " WHERE NOT t.tgisinternal AND c.relnamespace::regnamespace::text = ANY(%s)",
        [schemas],
    ).fetchall()
    routines = conn.execute(
        "SELECT p.oid::regprocedure::text FROM pg_proc p"
        " WHERE p.pronamespace::regnamespace::text = ANY(%s) AND p.prokind IN ('f', 'p')"
        "   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass"
        "                    AND d.objid = p.oid AND d.deptype = 'e')",
        [schemas],
    ).fetchall()
    types = (
        conn.execute(
            "SELECT t.oid::regtype::text FROM pg_type t JOIN pg_class c ON c.oid = t.typrelid"
            " WHERE t.typnamespace = 'private'::regnamespace AND t.typtype = 'c'"
            "   AND c.relkind = 'c'"
        ).fetchall()
        if _has_private(conn)
        else []
    )

    for (view,) in views:
        conn.execute(sql.SQL("DROP VIEW IF EXISTS {} CASCADE").format(sql.SQL(view)))
    for name, table in triggers:
        conn.execute(sql.SQL("DROP TRIGGER {} ON {}").format(sql.Identifier(name), sql.SQL(table)))
    if routines:
        # One statement: dependencies among the routines themselves (SQL
        # bodies that call each other) are fine when they go together; any
        # other object depending on one stops the drop with an error.
        conn.execute(
            sql.SQL("DROP ROUTINE {}").format(sql.SQL(", ").join(sql.SQL(r) for (r,) in routines))
        )
    for (type_name,) in types:
        conn.execute(sql.SQL("DROP TYPE {}").format(sql.SQL(type_name)))


def _has_private(conn: psycopg.Connection) -> bool:
    row = conn.execute("SELECT to_regnamespace('private') IS NOT NULL").fetchone()
    return bool(row and row[0])


def apply_engine(conn: psycopg.Connection, files: list[EngineFile]) -> None:
    """Run every engine file in order and record their checksums."""
    for f in files:
        try:
            conn.execute(f.text.encode())
        except psycopg.Error as exc:
            exc.add_note(f"while applying sql/engine/{f.name}")
            raise
    conn.execute("DELETE FROM private.engine_files")
    with conn.cursor() as cur:
        cur.executemany(
            "INSERT INTO private.engine_files (name, checksum) VALUES (%s, %s)",
            [(f.name, f.checksum) for f in files],
        )
