"""Deny by default: the rights in the database are exactly docs/grants.md.

A function added to the engine is callable by nobody until engine/90_grants.sql
grants it and docs/grants.md says so; a grant added without the table fails
here, and so does a table row without the grant.
"""

from __future__ import annotations

import psycopg

from tests import grants_table


def test_the_grants_are_the_documented_table(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        in_database = grants_table.actual(conn)
    documented = grants_table.documented()
    missing = sorted(set(in_database) - set(documented))
    stale = sorted(set(documented) - set(in_database))
    assert not missing, f"objects not in docs/grants.md: {missing}"
    assert not stale, f"docs/grants.md lists objects the database does not have: {stale}"
    differ = {
        name: {"database": in_database[name], "docs/grants.md": documented[name]}
        for name in in_database
        if in_database[name] != documented[name]
    }
    assert not differ, f"rights differ from docs/grants.md: {differ}"


def test_nothing_in_private_is_granted_to_anyone(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        assert grants_table.private_grants(conn) == []


def test_no_owner_rights_function_is_open_to_public(db_url: str) -> None:
    with psycopg.connect(db_url) as conn:
        open_ = conn.execute(
            "SELECT p.oid::regprocedure::text FROM pg_proc p"
            " WHERE p.prosecdef AND p.pronamespace IN ('public'::regnamespace,"
            " 'private'::regnamespace) AND has_function_privilege('public', p.oid, 'EXECUTE')"
        ).fetchall()
        defaults = conn.execute(
            "SELECT count(*) FROM pg_default_acl d"
            " WHERE d.defaclnamespace IN (0, 'public'::regnamespace, 'private'::regnamespace)"
            " AND EXISTS (SELECT 1 FROM aclexplode(d.defaclacl) a"
            " WHERE a.grantee = 0 OR a.grantee::regrole::text LIKE 'frontdesk%%')"
        ).fetchone()
    assert open_ == []
    assert defaults == (0,)


def test_every_api_function_runs_as_its_owner_with_a_pinned_path(db_url: str) -> None:
    """What a group may call is an owner-rights function with a pinned
    search_path (so a caller's objects cannot stand in for ours)."""
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT p.oid::regprocedure::text, p.prosecdef, p.proconfig FROM pg_proc p"
            " WHERE p.pronamespace = 'public'::regnamespace"
            " AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass"
            "                  AND d.objid = p.oid AND d.deptype = 'e')"
            " AND (has_function_privilege('frontdesk_desk', p.oid, 'EXECUTE')"
            "   OR has_function_privilege('frontdesk_web', p.oid, 'EXECUTE'))"
        ).fetchall()
    assert rows
    for name, definer, config in rows:
        assert definer, name
        assert "search_path=public, pg_temp" in (config or []), name
