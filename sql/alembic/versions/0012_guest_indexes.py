"""One index each for a guest's email and phone (unique, text_pattern_ops), not two.

Revision ID: 0012_guest_indexes
"""

from frontdesk.migrations import run_sql_file

revision = "0012_guest_indexes"
down_revision = "0011_lean_writes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0012_guest_indexes.sql")
