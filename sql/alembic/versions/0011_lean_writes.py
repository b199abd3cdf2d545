"""Leaner booking writes: no attempt row for a booking made (its duration on the booking).

Revision ID: 0011_lean_writes
"""

from frontdesk.migrations import run_sql_file

revision = "0011_lean_writes"
down_revision = "0010_money_guests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0011_lean_writes.sql")
