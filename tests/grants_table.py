"""Who may use what, read from a database, and docs/grants.md, the table of
it checked into the repository (tests/core/test_grants.py compares them).

Every function, table, view and sequence of schema public, with the rights
each application group and PUBLIC hold on it, granted directly (a login's
rights come from its group).  Column grants show as "SELECT (a, b)".
Schema private is the owner's alone and is listed as one line.

    python -m tests.grants_table URL   # print the table for that database
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import psycopg

DOC = Path(__file__).resolve().parents[1] / "docs" / "grants.md"
ROLES = ("frontdesk_desk", "frontdesk_web", "frontdesk_report", "frontdesk_app", "PUBLIC")

_OBJECTS = """
WITH objects AS (
    SELECT 'function' AS kind, p.oid::regprocedure::text AS name, p.proacl AS acl
      FROM pg_proc p
     WHERE p.pronamespace = 'public'::regnamespace
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
    UNION ALL
    SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'S' THEN 'sequence' ELSE 'table' END,
           'public.' || c.relname, c.relacl
      FROM pg_class c
     WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S')
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype = 'e')
)
SELECT o.kind, o.name,
       coalesce(g.grantee, '') AS grantee, coalesce(g.privileges, '') AS privileges
  FROM objects o
  LEFT JOIN LATERAL (
        SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END AS grantee,
               string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) AS privileges
          FROM aclexplode(o.acl) a
         WHERE a.grantee = 0 OR a.grantee::regrole::text = ANY (%(roles)s)
         GROUP BY 1) g ON true
"""


def actual(conn: psycopg.Connection[Any]) -> dict[tuple[str, str], dict[str, str]]:
    """{(kind, object): {role: "EXECUTE" / "SELECT" / "SELECT (a, b)"}} for the database."""
    table: dict[tuple[str, str], dict[str, str]] = {}
    conn.execute("SET search_path = pg_catalog")  # names written with their schema
    for kind, name, grantee, privileges in conn.execute(
        _OBJECTS, {"roles": list(ROLES)}
    ).fetchall():
        rights = table.setdefault((kind, name), {})
        if grantee:
            rights[grantee] = privileges
    for name, grantee, privilege, columns in conn.execute(
        """
        SELECT 'public.' || c.relname, g.grantee::regrole::text, g.privilege_type,
               string_agg(att.attname, ', ' ORDER BY att.attnum)
          FROM pg_class c
          JOIN pg_attribute att ON att.attrelid = c.oid AND att.attnum > 0
                               AND NOT att.attisdropped AND att.attacl IS NOT NULL
          CROSS JOIN LATERAL aclexplode(att.attacl) g
         WHERE c.relnamespace = 'public'::regnamespace
           AND (g.grantee = 0 OR g.grantee::regrole::text = ANY (%(roles)s))
         GROUP BY 1, 2, 3
        """,
        {"roles": list(ROLES)},
    ).fetchall():
        kind = next(k for (k, n) in table if n == name)
        rights = table[(kind, name)]
        column_right = f"{privilege} ({columns})"
        rights[grantee] = ", ".join(filter(None, [rights.get(grantee), column_right]))
    return table


def private_grants(conn: psycopg.Connection[Any]) -> list[tuple[str, str, str]]:
    """Any right an application group or PUBLIC holds in schema private:
    (object, grantee, privilege); there should be none."""
    rows = conn.execute(
        """
        SELECT o.name, CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE g.grantee::regrole::text END,
               g.privilege_type
          FROM (SELECT p.oid::regprocedure::text AS name, p.proacl AS acl FROM pg_proc p
                 WHERE p.pronamespace = 'private'::regnamespace
                UNION ALL
                SELECT c.oid::regclass::text, c.relacl FROM pg_class c
                 WHERE c.relnamespace = 'private'::regnamespace
                UNION ALL
                SELECT 'schema private', n.nspacl FROM pg_namespace n
                 WHERE n.nspname = 'private') o
          CROSS JOIN LATERAL aclexplode(o.acl) g
         WHERE g.grantee = 0 OR g.grantee::regrole::text = ANY (%(roles)s)
        """,
        {"roles": list(ROLES)},
    ).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def render(table: dict[tuple[str, str], dict[str, str]]) -> str:
    header = "| Object | Kind | " + " | ".join(ROLES) + " |"
    lines = [header, "|" + "---|" * (len(ROLES) + 2)]
    for (kind, name), rights in sorted(table.items(), key=lambda item: (item[0][1], item[0][0])):
        cells = [rights.get(role, "") for role in ROLES]
        lines.append(f"| `{name}` | {kind} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def documented(text: str | None = None) -> dict[tuple[str, str], dict[str, str]]:
    """The table in docs/grants.md, parsed back."""
    text = DOC.read_text(encoding="utf-8") if text is None else text
    table: dict[tuple[str, str], dict[str, str]] = {}
    for line in text.splitlines():
        if not line.startswith("| `"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        name, kind, rights = cells[0].strip("`"), cells[1], cells[2:]
        table[(kind, name)] = {
            role: right for role, right in zip(ROLES, rights, strict=True) if right
        }
    return table


if __name__ == "__main__":
    with psycopg.connect(sys.argv[1]) as conn:
        print(render(actual(conn)), end="")
