"""Products point at their newest signed profile (``product.profile``: photo and shops, issue #20 items 3
and 4): ``products.profile_index``. Nothing to fill: a product has no profile until one is signed.

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


def downgrade() -> None:
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_column("profile_index")
