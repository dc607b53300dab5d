"""Scan counting and copy signs: scan_tallies (one counted scan per client, serial and hour), scan_flags,
and an index on scans.outcome for the inspectors' anomaly list.

Revision ID: 0004_scans
Revises: 0003_events
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_scans"
down_revision = "0003_events"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scan_tallies",
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("serial", "client_hash", "bucket"),
    )
    op.create_table(
        "scan_flags",
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("serial", "kind"),
    )
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_scans_outcome"), ["outcome"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_scans_outcome"))
    op.drop_table("scan_flags")
    op.drop_table("scan_tallies")
