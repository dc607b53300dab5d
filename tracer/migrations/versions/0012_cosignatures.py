"""Witnesses' cosignatures on checkpoints (c2sp.org/tlog-cosignature, issue #17): ``ledger_cosignatures``,
one row per (tree size, witness name), the signature line as the witness returned it and its timestamp.

Revision ID: 0012_cosignatures
Revises: 0011_fake_reports
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_cosignatures"
down_revision = "0011_fake_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_cosignatures",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("size", "witness"),
    )


def downgrade() -> None:
    op.drop_table("ledger_cosignatures")
