"""The layout that lets the engine grow: the private schema, engine checksums,
nothing granted by default, the venue's policy columns.

Revision ID: 0005_layout
"""

from frontdesk.migrations import run_sql_file

revision = "0005_layout"
down_revision = "0004_customers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0005_layout.sql")
