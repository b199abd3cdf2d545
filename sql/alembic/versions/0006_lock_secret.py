"""Lock keys no outsider can derive (a per-database secret) and phone locks
with an age.

Revision ID: 0006_lock_secret
"""

from frontdesk.migrations import run_sql_file

revision = "0006_lock_secret"
down_revision = "0005_layout"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0006_lock_secret.sql")
