"""The copy signal counts sources, not requests: ``scan_sources`` (one network prefix that visited a package's
page on one day), ``scans.source`` (a page visit's source), and ``scan_flags`` keyed by the source that shared a
far place. Old flags are dropped: they were raised by one pair of clients and never cleared (issue #18).

Revision ID: 0008_copy_signal
Revises: 0007_accounts_sessions
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_copy_signal"
down_revision = "0007_accounts_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scan_sources",
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("day", sa.BigInteger(), nullable=False),
        sa.Column("first_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("serial", "source", "day"),
    )
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(length=32), nullable=True))
    op.drop_table("scan_flags")
    op.create_table(
        "scan_flags",
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("day", sa.BigInteger(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("serial", "kind", "source"),
    )


def downgrade() -> None:
    op.drop_table("scan_flags")
    op.create_table(
        "scan_flags",
        sa.Column("serial", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("serial", "kind"),
    )
    with op.batch_alter_table("scans", schema=None) as batch_op:
        batch_op.drop_column("source")
    op.drop_table("scan_sources")
