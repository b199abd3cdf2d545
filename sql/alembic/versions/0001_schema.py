"""Schema v1: venues, hours, nights, tables, customers, bookings, audit.

Revision ID: 0001_schema
"""

from frontdesk.migrations import run_sql_file

revision = "0001_schema"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0001_schema.sql")
