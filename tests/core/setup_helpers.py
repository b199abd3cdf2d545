"""Helpers for the venue setup's tests (sql/engine/58_setup.sql, 31_blocks.sql):
saving a setup document, placing blocks, and proving a refusal wrote nothing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from tests.core.engine_helpers import Conn, Row

SAVE_SQL = "SELECT * FROM save_venue_setup(%s, %s)"


def save(conn: Conn, venue_id: UUID | None, document: dict[str, Any]) -> Row:
    """save_venue_setup: one row (success, error_code, error_message,
    error_path, stranded, saved_venue_id, changes)."""
    rows = conn.cursor(row_factory=dict_row).execute(SAVE_SQL, [venue_id, Jsonb(document)])
    found = rows.fetchall()
    assert len(found) == 1, found
    return found[0]


def setup_of(conn: Conn, venue_id: UUID) -> dict[str, Any]:
    """venue_setup: the document as a manager opens it (with ids and version)."""
    row = (
        conn.cursor(row_factory=dict_row)
        .execute("SELECT venue_setup(%s) AS doc", [venue_id])
        .fetchone()
    )
    assert row is not None
    doc: dict[str, Any] = row["doc"]
    return doc


def block(
    conn: Conn,
    venue_id: UUID,
    table_id: UUID,
    night: date,
    starts: datetime | None = None,
    ends: datetime | None = None,
    reason: str = "Broken booth",
) -> Row:
    """block_table: one row (success, error_code, error_message, block_id, stranded)."""
    row = (
        conn.cursor(row_factory=dict_row)
        .execute(
            "SELECT * FROM block_table(%s, %s, %s, %s, %s, %s)",
            [venue_id, table_id, night, starts, ends, reason],
        )
        .fetchone()
    )
    assert row is not None
    return row


def state(conn: Conn, venue_id: UUID) -> dict[str, Any]:
    """Everything a setup save may write, to prove that a refusal wrote nothing:
    the venue's setup rows, the audit and the change feed's outbox."""
    row = (
        conn.cursor(row_factory=dict_row)
        .execute(
            """
        SELECT (SELECT to_jsonb(v) FROM venues v WHERE v.id = %(v)s) AS venue,
               (SELECT jsonb_agg(to_jsonb(f) ORDER BY f.id) FROM floors f
                 WHERE f.venue_id = %(v)s) AS floors,
               (SELECT jsonb_agg(to_jsonb(t) ORDER BY t.id) FROM venue_tables t
                 WHERE t.venue_id = %(v)s) AS tables,
               (SELECT jsonb_agg(to_jsonb(j) ORDER BY j.table_a, j.table_b) FROM table_joins j
                 WHERE j.venue_id = %(v)s) AS joins,
               (SELECT jsonb_agg(to_jsonb(h) ORDER BY h.weekday) FROM opening_hours h
                 WHERE h.venue_id = %(v)s) AS hours,
               (SELECT jsonb_agg(to_jsonb(n) ORDER BY n.night) FROM nights n
                 WHERE n.venue_id = %(v)s) AS nights,
               (SELECT jsonb_agg(to_jsonb(b) ORDER BY b.id) FROM table_blocks b
                 WHERE b.venue_id = %(v)s) AS blocks,
               (SELECT count(*) FROM private.table_claims) AS claims,
               (SELECT count(*) FROM audit_logs) AS audit,
               (SELECT count(*) FROM change_outbox) AS outbox
        """,
            {"v": venue_id},
        )
        .fetchone()
    )
    assert row is not None
    return dict(row)


def add_staff(conn: Conn, venue_id: UUID, name: str, role: str, pin: str) -> None:
    """A member of staff who can sign in, added as the owner."""
    row = (
        conn.cursor(row_factory=dict_row)
        .execute(
            "SELECT code FROM private.fd_add_staff(%s, %s, %s, %s)", [venue_id, name, role, pin]
        )
        .fetchone()
    )
    assert row is not None and row["code"] is None, row


def references(stranded: Any) -> list[str]:
    return [b["reference"] for b in stranded or []]
