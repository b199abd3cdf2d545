"""The desk: status changes, holds, night plan and summary, audit, change feed,
monitoring, the least-privilege role.

Revision ID: 0003_desk
"""

from frontdesk.migrations import run_sql_file

revision = "0003_desk"
down_revision = "0002_engine"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0003_desk.sql")
