"""Verifiable map tables: tree nodes, each key's value and its entry list (a frozen copy of the ledger_map_*
tables in tracer/ledger/schema.py; docs/verifiable-map.md). Empty: the map is filled when the appender
feeds it, or rebuilt from the log.

Revision ID: 0006_vmap
Revises: 0005_scan_counts
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_vmap"
down_revision = "0005_scan_counts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # WITHOUT ROWID on SQLite: each row lives in its primary key's B-tree (the keys are hashes).
    op.create_table(
        "ledger_map_nodes",
        sa.Column("depth", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("prefix", sa.LargeBinary(length=32), nullable=False),
        sa.Column("left_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("right_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("key_hash", sa.LargeBinary(length=32), nullable=True),
        sa.Column("value", sa.LargeBinary(length=32), nullable=True),
        sa.PrimaryKeyConstraint("depth", "prefix"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ledger_map_values",
        sa.Column("key_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("map_key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.LargeBinary(length=32), nullable=False),
        sa.Column("entries", sa.BigInteger(), nullable=False),
        sa.Column("last_index", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "ledger_map_entries",
        sa.Column("key_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", "idx"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("ledger_map_entries")
    op.drop_table("ledger_map_values")
    op.drop_table("ledger_map_nodes")
