"""Problems a person can act on: one line saying what is wrong and what to do.

The command line prints these without a traceback; the window shows them in
a banner.  Anything that is not one of these is a bug and is logged loudly.
"""

from __future__ import annotations

import psycopg


class SetupProblem(Exception):
    """The world is not as frontdesk needs it (server down, wrong password...)."""


#: Where a desk's database URL is set.
_WHERE_SET = (
    "the desk's connection settings (Desk ▸ Connection settings…) or FRONTDESK_DATABASE_URL"
)


def explain_connection_error(exc: psycopg.Error, where: str) -> SetupProblem:
    """Turn a failed connection or migration into one actionable line."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    lowered = str(exc).lower()
    if "password authentication failed" in lowered or "no password supplied" in lowered:
        return SetupProblem(
            f"The database at {where} refused the password: check the user and password "
            f"in {_WHERE_SET}."
        )
    if "does not exist" in lowered and "database" in lowered:
        return SetupProblem(
            f"The database named in {where} does not exist: create it "
            f"(createdb) or fix the URL in {_WHERE_SET}."
        )
    if "permission denied to create extension" in lowered:
        return SetupProblem(
            f"The account used for {where} may not create the btree_gist extension: ask the "
            "server's administrator to run CREATE EXTENSION btree_gist in that database once."
        )
    if isinstance(exc, psycopg.OperationalError):
        return SetupProblem(
            f"Cannot reach the database server at {where} ({text}): is it running, "
            f"and is the URL in {_WHERE_SET} right?"
        )
    return SetupProblem(f"The database at {where} failed: {text}")


def redact(url: str) -> str:
    """The URL with any password replaced, for messages and logs."""
    try:
        info = psycopg.conninfo.conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the configured database"
    host = info.get("host") or "localhost"
    port = info.get("port")
    db = info.get("dbname") or ""
    return f"{host}{':' + str(port) if port else ''}/{db}"
