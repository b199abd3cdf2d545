"""Sessions bound to their login; the venue's idle lock; erased guests.

Revision ID: 0008_channels
"""

from frontdesk.migrations import run_sql_file

revision = "0008_channels"
down_revision = "0007_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0008_channels.sql")
