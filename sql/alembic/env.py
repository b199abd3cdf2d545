"""Alembic environment: runs frontdesk's SQL migrations on one connection.

All pending migrations run in one transaction under an advisory lock, so two
desks starting at once do not race, and a failing migration leaves the
database exactly as it was.
"""

from alembic import context
from sqlalchemy import text

MIGRATION_LOCK = 7_401_305_001  # any constant; shared by every frontdesk


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, transaction_per_migration=False)
    with context.begin_transaction():
        connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": MIGRATION_LOCK})
        context.run_migrations()


run_migrations_online()
