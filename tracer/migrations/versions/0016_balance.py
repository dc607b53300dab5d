"""Mass balance and reviewed imports (issue #19, items 2 and 4): a product's net content and declared yield
(``products.net_content``, ``products.max_yield``, both in its signed registration), and the content hash of
every CSV file imported (``csv_imports``), so the same file is not imported twice unless the producer says so.

Revision ID: 0016_balance
Revises: 0015_field_kit
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_balance"
down_revision = "0015_field_kit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("net_content", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("max_yield", sa.String(length=50), nullable=True))
    op.create_table(
        "csv_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("lines", sa.Integer(), nullable=False),
        sa.Column("first_index", sa.BigInteger(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_csv_imports_org_sha256", "csv_imports", ["organisation_id", "sha256"])


def downgrade() -> None:
    op.drop_index("ix_csv_imports_org_sha256", table_name="csv_imports")
    op.drop_table("csv_imports")
    with op.batch_alter_table("products") as batch:
        batch.drop_column("max_yield")
        batch.drop_column("net_content")
