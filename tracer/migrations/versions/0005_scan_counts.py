"""scan_counts: counted scans per serial, kept by the scan writer, so the origin page reads one row instead
of counting a serial's tallies (which grow with every scan); filled from the tallies already there.

Revision ID: 0005_scan_counts
Revises: 0004_scans
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_scan_counts"
down_revision = "0004_scans"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scan_counts",
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.Column("scans", sa.Integer(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("serial"),
    )
    op.execute(
        "INSERT INTO scan_counts (serial, scans, first_at) "
        "SELECT serial, count(*), min(first_at) FROM scan_tallies GROUP BY serial"
    )


def downgrade() -> None:
    op.drop_table("scan_counts")
