"""Organisations and products point at their signed registrations (``org.register``, ``product.register``):
``ledger_index`` on both. Rows made before are registered by ``python -m tracer init`` (signed by the
programme authority: ``tracer.events.registrations.adopt``); a migration holds no key.

Revision ID: 0010_signed_registrations
Revises: 0009_scan_gtin
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_signed_registrations"
down_revision = "0009_scan_gtin"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("organisations", "products"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("ledger_index", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    for table in ("products", "organisations"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("ledger_index")
