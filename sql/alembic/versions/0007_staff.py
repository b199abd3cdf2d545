"""Staff sign in: PIN hashes, wrong-PIN lockout, sessions; roles host and manager.

Revision ID: 0007_staff
"""

from frontdesk.migrations import run_sql_file

revision = "0007_staff"
down_revision = "0006_lock_secret"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0007_staff.sql")
