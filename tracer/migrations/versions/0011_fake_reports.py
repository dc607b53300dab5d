"""fake_reports: shoppers' reports of suspected fakes, for the inspectors' queue (issue #20, item 6).

Revision ID: 0011_fake_reports
Revises: 0010_signed_registrations
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_fake_reports"
down_revision = "0010_signed_registrations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fake_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=300), nullable=False),
        sa.Column("serial", sa.String(length=20), nullable=True),
        sa.Column("what", sa.String(length=1000), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("province", sa.String(length=100), nullable=True),
        sa.Column("photo_sha256", sa.String(length=64), nullable=True),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("fake_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fake_reports_serial"), ["serial"], unique=False)
        batch_op.create_index(batch_op.f("ix_fake_reports_reported_at"), ["reported_at"], unique=False)


def downgrade() -> None:
    op.drop_table("fake_reports")
