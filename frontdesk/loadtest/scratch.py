"""The throwaway database a load test runs in: created, migrated, dropped.

The name is ``frontdesk_loadtest_<random>``, so it can never be a venue's
database; it is dropped ``WITH (FORCE)`` when the run ends, however it ends.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from frontdesk import migrations
from frontdesk.problems import SetupProblem, explain_connection_error, redact

PREFIX = "frontdesk_loadtest_"


def with_database(url: str, database: str) -> str:
    """The same server URL, naming another database (URL or key=value form)."""
    if "://" in url:
        parts = urlsplit(url)
        return urlunsplit(parts._replace(path="/" + database))
    info = psycopg.conninfo.conninfo_to_dict(url)
    info["dbname"] = database
    return psycopg.conninfo.make_conninfo(**{k: str(v) for k, v in info.items()})


def new_name() -> str:
    return PREFIX + secrets.token_hex(4)


def create(url: str, name: str) -> None:
    """Create the database ``name`` on the server of ``url``.

    Raises SetupProblem (one line) when the account may not create databases
    or the server cannot be reached.
    """
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.errors.InsufficientPrivilege as exc:
        raise SetupProblem(
            f"The account used for {redact(url)} may not create databases, and the load "
            "test runs in a throwaway database of its own: grant it CREATEDB (ALTER ROLE "
            "... CREATEDB) or pass --database-url for an account that has it."
        ) from exc
    except psycopg.Error as exc:
        raise explain_connection_error(exc, redact(url)) from exc


def drop(url: str, name: str) -> None:
    """Drop ``name`` (a load test's database only), ending its sessions."""
    if not name.startswith(PREFIX):  # never anything else, whatever the caller says
        raise ValueError(f"refusing to drop {name!r}: not a load test database")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def exists(url: str, name: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    return row is not None


@contextlib.contextmanager
def throwaway_database(url: str) -> Iterator[tuple[str, str]]:
    """Create and migrate a throwaway database; yield (name, its URL); drop it.

    The drop runs on every exit: success, exception, KeyboardInterrupt.
    """
    name = new_name()
    create(url, name)
    try:
        scratch_url = with_database(url, name)
        migrations.upgrade(scratch_url)
        yield name, scratch_url
    finally:
        drop(url, name)
