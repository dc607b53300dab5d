"""zone_diary: the farm diary of raw-material zones (issue #19, item 6), projected from zone.diary events;
``harvest_from`` is when a plant protection product's pre-harvest interval ends. zones.former_address: a zone
registered in the 2025 units keeps the address it had before (issue #19, item 5).

Revision ID: 0014_zone_diary_places
Revises: 0013_product_profiles
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_zone_diary_places"
down_revision = "0013_product_profiles"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.add_column(sa.Column("former_address", sa.String(length=200), nullable=True))
    op.create_table(
        "zone_diary",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("zone_id", sa.String(length=32), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=True),
        sa.Column("dose", sa.String(length=100), nullable=True),
        sa.Column("phi_days", sa.Integer(), nullable=True),
        sa.Column("harvest_from", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.ForeignKeyConstraint(["zone_id"], ["zones.id"]),
        sa.PrimaryKeyConstraint("ledger_index"),
    )
    with op.batch_alter_table("zone_diary", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_zone_diary_zone_id"), ["zone_id"], unique=False)


def downgrade() -> None:
    op.drop_table("zone_diary")
    with op.batch_alter_table("zones", schema=None) as batch_op:
        batch_op.drop_column("former_address")
