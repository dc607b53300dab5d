"""The inspector's field kit (issue #21): ``inspections.client_id``, the phone's id of an inspection queued
offline (unique per inspector: a retry never records it twice), and ``review_decisions``, the projection of
inspectors' signed decisions on the review queues.

Revision ID: 0015_field_kit
Revises: 0014_zone_diary_places
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_field_kit"
down_revision = "0014_zone_diary_places"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_id", sa.String(length=36), nullable=True))
        batch_op.create_index(
            "ux_inspections_inspector_client_id", ["inspector_user_id", "client_id"], unique=True
        )
    op.create_table(
        "review_decisions",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("inspector_user_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("serial", sa.String(length=20), nullable=True),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ledger_index"),
    )
    with op.batch_alter_table("review_decisions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_decisions_serial"), ["serial"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_decisions_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    op.drop_table("review_decisions")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index("ux_inspections_inspector_client_id")
        batch_op.drop_column("client_id")
