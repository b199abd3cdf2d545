"""Alembic environment: runs frontdesk's schema migrations and re-applies
its engine, on one connection, in one transaction.

All pending migrations run in one transaction under an advisory lock, so two
desks starting at once do not race, and a failing step leaves the database
exactly as it was.  When a migration is pending or an engine file changed,
the engine is dropped before the schema steps and re-applied from
sql/engine/ after them (frontdesk/engine_sql.py), in that same transaction.
"""

import psycopg
from alembic import context
from sqlalchemy import text

from frontdesk import engine_sql

MIGRATION_LOCK = 7_401_305_001  # any constant; shared by every frontdesk


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, transaction_per_migration=False)
    with context.begin_transaction():
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        driver = connection.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        files = engine_sql.engine_files()
        migration_context = context.get_context()
        pending = migration_context.get_current_revision() != context.get_head_revision()
        rebuild = pending or not engine_sql.is_current(driver, files)
        if rebuild:
            engine_sql.drop_engine(driver)
        context.run_migrations()
        if rebuild:
            # The baseline migrations (0001-0004) created engine objects of
            # their own: the files replace them.
            engine_sql.drop_engine(driver)
            engine_sql.apply_engine(driver, files)
        context.config.attributes["engine_rebuilt"] = rebuild


run_migrations_online()
