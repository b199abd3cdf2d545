"""Upgrading a venue's database from the first release to this layout: every
booking, customer and audit row kept, the engine booking afterwards, and the
same catalogue as a database built fresh."""

from __future__ import annotations

from typing import Any

import psycopg

from frontdesk import engine_sql, migrations
from tests import pg, release1
from tests.conftest import DEMO_VENUE_ID

VENUE = DEMO_VENUE_ID

#: Rows that must survive the upgrade exactly, as JSON, in a stable order.
KEPT = {
    # deposit_status and its reference: added by 0010 (checked below); booked_in_ms by 0011
    "bookings": "SELECT to_jsonb(b)"
    " - '{deposit_status,deposit_reference,deposit_changed_at,booked_in_ms}'::text[]"
    " FROM bookings b ORDER BY id",
    "booking_tables": "SELECT to_jsonb(t) FROM booking_tables t ORDER BY booking_id, table_id",
    "customers": "SELECT to_jsonb(c) - 'erased_at' FROM customers c ORDER BY id",
    "audit_logs": "SELECT to_jsonb(a) FROM audit_logs a ORDER BY id",
    "booking_attempts": "SELECT to_jsonb(a) FROM booking_attempts a ORDER BY id",
    "venue_tables": "SELECT to_jsonb(t) FROM venue_tables t ORDER BY id",
    "change_feed": "SELECT to_jsonb(f) FROM change_feed f ORDER BY id",
}

#: Columns later migrations added (with defaults): left out of the comparison.
ADDED_TO_VENUES = (
    "reference_prefix",
    "phone_country",
    "currency",
    "idle_lock_minutes",
    "no_show_deposit",
    "late_cancel_deposit",
    "free_cancel_hours",
    "spend_flag_minutes",
)


def _rows(conn: psycopg.Connection[Any]) -> dict[str, list[Any]]:
    kept = {name: [r[0] for r in conn.execute(q).fetchall()] for name, q in KEPT.items()}
    venues = conn.execute("SELECT to_jsonb(v) FROM venues v ORDER BY id").fetchall()
    kept["venues"] = [{k: v for k, v in r[0].items() if k not in ADDED_TO_VENUES} for r in venues]
    return kept


def _release1_activity(conn: psycopg.Connection[Any]) -> None:
    """What a venue does on release 1: web and desk bookings, a status change,
    a move, a hold, a customer edited (audit rows of every kind)."""
    found = conn.execute(
        "SELECT n.night, (SELECT array_agg(t.id ORDER BY t.grid_order) FROM venue_tables t"
        "   WHERE t.venue_id = n.venue_id"
        "     AND check_table_availability(t.id, n.night, '21:00', '23:59')) AS free"
        "  FROM nights n WHERE n.venue_id = %s AND n.event_name = 'La Fiesta'"
        "   AND n.night > current_date + 1 ORDER BY n.night LIMIT 1",
        [VENUE],
    ).fetchone()
    assert found is not None
    friday, free = found
    tables = free[:3]
    assert len(tables) == 3
    web = conn.execute(
        "SELECT success, booking_id FROM create_booking_atomic(%s, 'old@example.com',"
        " '07700 900555', 'Old Release', ARRAY[%s]::uuid[], %s, '21:00', '22:00', 2)",
        [VENUE, tables[0], friday],
    ).fetchone()
    assert web and web[0] is True
    with conn.transaction():
        conn.execute("SELECT set_config('frontdesk.terminal', 'DESK-1', true)")
        conn.execute("SELECT * FROM set_booking_status(%s, 'arrived')", [web[1]]).fetchone()
        moved = conn.execute(
            "SELECT success FROM move_booking(%s, ARRAY[%s]::uuid[], NULL, NULL)",
            [web[1], tables[1]],
        ).fetchone()
        assert moved == (True,)
        held = conn.execute(
            "SELECT success FROM hold_tables(%s, ARRAY[%s]::uuid[], %s,"
            " fd_night_instant(%s, %s, '22:00'), fd_night_instant(%s, %s, '23:00'))",
            [VENUE, tables[2], friday, VENUE, friday, VENUE, friday],
        ).fetchone()
        assert held == (True,)
    conn.execute("UPDATE customers SET notes = 'likes the corner' WHERE email = 'old@example.com'")
    conn.execute("SELECT relay_changes()")


def test_a_release_1_database_upgrades_with_every_row_kept(admin_url: str, db_url: str) -> None:
    with pg.fresh_database(admin_url, "template1") as url:
        release1.build(url)
        with psycopg.connect(url, autocommit=True) as conn:
            _release1_activity(conn)
            before = _rows(conn)
        assert len(before["bookings"]) > 100 and len(before["audit_logs"]) >= 6

        migrations.upgrade(url)

        assert migrations.current_revision(url) == migrations.head_revision()
        with psycopg.connect(url, autocommit=True) as conn:
            assert _rows(conn) == before
            prefix = conn.execute(
                "SELECT reference_prefix, phone_country, currency FROM venues WHERE id = %s",
                [VENUE],
            ).fetchone()
            assert prefix == ("BR", "GB", "GBP")
            # A booking paid online keeps its payment as the deposit's reference;
            # one whose tables ask no deposit has none due.
            deposits = conn.execute(
                "SELECT count(*) FILTER (WHERE stripe_payment_intent_id IS NOT NULL"
                "   AND (deposit_status, deposit_reference)"
                "       IS DISTINCT FROM ('paid', stripe_payment_intent_id)),"
                " count(*) FILTER (WHERE total_deposit = 0"
                "   AND stripe_payment_intent_id IS NULL AND deposit_status <> 'none'),"
                " count(*) FILTER (WHERE total_deposit > 0"
                "   AND stripe_payment_intent_id IS NULL AND deposit_status <> 'due')"
                " FROM bookings"
            ).fetchone()
            assert deposits == (0, 0, 0)
            # The engine books on the upgraded database, by the seed's contract.
            free = conn.execute(
                "SELECT table_ids[1], n.night FROM nights n,"
                " LATERAL get_optimal_table_combinations(n.venue_id, n.night, '21:30', '22:30', 2)"
                " WHERE n.venue_id = %s AND n.event_name = 'La Fiesta' AND n.night > current_date"
                " ORDER BY n.night LIMIT 1",
                [VENUE],
            ).fetchone()
            assert free is not None
            booked = conn.execute(
                "SELECT success, booking_reference FROM create_booking_atomic(%s,"
                " 'new@example.com', NULL, 'After Upgrade', ARRAY[%s]::uuid[], %s,"
                " '21:30', '22:30', 2)",
                [VENUE, free[0], free[1]],
            ).fetchone()
            assert booked is not None and booked[0] is True
            assert booked[1].startswith("BR-" + (free[1]).strftime("%y%m%d"))
            upgraded = catalogue(conn)
        with psycopg.connect(db_url) as fresh:
            built = catalogue(fresh)
    assert upgraded == built


def test_an_upgraded_database_has_nothing_left_of_the_old_engine(admin_url: str) -> None:
    with pg.fresh_database(admin_url, "template1") as url:
        release1.build(url, demo=False)
        migrations.upgrade(url)
        with psycopg.connect(url) as conn:
            public_helpers = conn.execute(
                "SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace"
                " AND p.proname LIKE 'fd\\_%' AND NOT EXISTS (SELECT 1 FROM pg_depend d"
                "  WHERE d.objid = p.oid AND d.deptype = 'e')"
            ).fetchall()
            gone = conn.execute(
                "SELECT to_regprocedure('changes_since(uuid, bigint, integer)'),"
                " to_regprocedure('private.fd_hhmm(timestamptz, text)')"
            ).fetchone()
    assert public_helpers == []
    assert gone == (None, None)


def test_a_changed_engine_file_is_reapplied_and_a_removed_object_dropped(
    db_url: str, tmp_path: Any, monkeypatch: Any
) -> None:
    import shutil

    copy = tmp_path / "sql"
    shutil.copytree(migrations.SQL_DIR, copy)
    extra = copy / "engine" / "85_extra.sql"
    extra.write_text(
        "CREATE OR REPLACE FUNCTION private.fd_extra() RETURNS integer"
        " LANGUAGE sql IMMUTABLE RETURN 1;\n"
    )
    monkeypatch.setattr(migrations, "SQL_DIR", copy)
    migrations.upgrade(db_url)
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT private.fd_extra()").fetchone() == (1,)
        assert engine_sql.is_current(conn, engine_sql.engine_files())
    extra.unlink()
    migrations.upgrade(db_url)
    with psycopg.connect(db_url) as conn:
        assert conn.execute("SELECT to_regprocedure('private.fd_extra()')").fetchone() == (None,)
        assert engine_sql.is_current(conn, engine_sql.engine_files())


def catalogue(conn: psycopg.Connection[Any]) -> dict[str, list[Any]]:
    """Everything the engine and the schema define, as text, in a stable order."""
    queries = {
        "functions": """
            SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),
                   pg_get_functiondef(p.oid), p.proacl::text
              FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname IN ('public', 'private') AND p.prokind IN ('f', 'p')
             ORDER BY 1, 2, 3""",
        "triggers": """
            SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid)
              FROM pg_trigger t WHERE NOT t.tgisinternal ORDER BY 1, 2""",
        "constraints": """
            SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
              FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
             WHERE n.nspname IN ('public', 'private') ORDER BY 1, 2""",
        "indexes": """
            SELECT schemaname, tablename, indexname, indexdef FROM pg_indexes
             WHERE schemaname IN ('public', 'private') ORDER BY 1, 2, 3""",
        "columns": """
            SELECT c.table_schema, c.table_name, c.ordinal_position, c.column_name, c.data_type,
                   c.column_default, c.is_nullable, c.generation_expression
              FROM information_schema.columns c
             WHERE c.table_schema IN ('public', 'private') ORDER BY 1, 2, 3""",
        "views": """
            SELECT schemaname, viewname, definition FROM pg_views
             WHERE schemaname IN ('public', 'private') ORDER BY 1, 2""",
        "table_grants": """
            SELECT c.oid::regclass::text, c.relacl::text FROM pg_class c
             WHERE c.relnamespace IN ('public'::regnamespace, 'private'::regnamespace)
               AND c.relkind IN ('r', 'v', 'S') ORDER BY 1""",
        "schemas": """
            SELECT nspname, nspacl::text FROM pg_namespace
             WHERE nspname IN ('public', 'private') ORDER BY 1""",
        "default_acl": """
            SELECT defaclrole::regrole::text, defaclnamespace, defaclobjtype, defaclacl::text
              FROM pg_default_acl ORDER BY 1, 2, 3""",
        "types": """
            SELECT t.typname, t.typtype FROM pg_type t
             WHERE t.typnamespace IN ('public'::regnamespace, 'private'::regnamespace)
               AND t.typtype IN ('c', 'e', 'd') AND t.typrelid = 0 OR (t.typtype = 'c'
               AND t.typnamespace = 'private'::regnamespace) ORDER BY 1""",
        "extensions": (
            "SELECT extname, extnamespace::regnamespace::text FROM pg_extension ORDER BY 1"
        ),
    }
    return {name: conn.execute(q).fetchall() for name, q in queries.items()}


def test_catalogue_comparison_sees_a_difference(db_url: str) -> None:
    # The comparison above must be able to fail: change one function's body.
    with psycopg.connect(db_url) as conn:
        before = catalogue(conn)
        conn.execute(
            "CREATE OR REPLACE FUNCTION private.fd_night_label(p_night date) RETURNS text"
            " LANGUAGE sql STABLE RETURN 'changed'"
        )
        after = catalogue(conn)
    assert before["functions"] != after["functions"]
    assert before["triggers"] == after["triggers"]
