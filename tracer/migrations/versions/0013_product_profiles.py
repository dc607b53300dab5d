"""Products and zones point at their newest signed profile (``product.profile``: photo and shops;
``zone.profile``: photo; issue #20 items 3 and 4): ``products.profile_index``, and ``zone_profiles`` (zones
are a projection of their ``zone.register`` events, rebuilt from the ledger, so the pointer lives beside
them). Nothing to fill: none has a profile until one is signed.

Revision ID: 0013_product_profiles
Revises: 0012_cosignatures
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_product_profiles"
down_revision = "0012_cosignatures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.add_column(sa.Column("profile_index", sa.BigInteger(), nullable=True))
    op.create_table(
        "zone_profiles",
        sa.Column("zone_id", sa.String(length=32), nullable=False),  # no foreign key: rebuild empties zones
        sa.Column("profile_index", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("zone_id"),
    )


def downgrade() -> None:
    op.drop_table("zone_profiles")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("profile_index")
