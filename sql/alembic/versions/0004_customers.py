"""Customers at the desk: search as you type, guest search, create/update/match.

Revision ID: 0004_customers
"""

from frontdesk.migrations import run_sql_file

revision = "0004_customers"
down_revision = "0003_desk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0004_customers.sql")
