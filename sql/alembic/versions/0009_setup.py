"""Venue setup without SQL: table blocks, guaranteed against bookings by a constraint.

Revision ID: 0009_setup
"""

from frontdesk.migrations import run_sql_file

revision = "0009_setup"
down_revision = "0008_channels"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0009_setup.sql")
