"""Money on the night (deposit status, spend, the policy) and guests (tags, the waitlist).

Revision ID: 0010_money_guests
"""

from frontdesk.migrations import run_sql_file

revision = "0010_money_guests"
down_revision = "0009_setup"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0010_money_guests.sql")
