"""The booking engine: the seed's contract, the booking core, the desk's booking functions.

Revision ID: 0002_engine
"""

from frontdesk.migrations import run_sql_file

revision = "0002_engine"
down_revision = "0001_schema"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0002_engine.sql")
