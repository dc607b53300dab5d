"""Event projections (events, lot_events, lot_inputs, shipments, inspections), serial batches, idempotency keys.

Revision ID: 0003_events
Revises: 0002_ledger
Create Date: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_events"
down_revision = "0002_ledger"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "events",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=30), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=40), nullable=False),
        sa.Column("keyid", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("ledger_index"),
    )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_events_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_events_type"), ["type"], unique=False)

    op.create_table(
        "idempotency_keys",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "key"),
    )
    op.create_table(
        "inspections",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("inspector_user_id", sa.Integer(), nullable=False),
        sa.Column("lot_id", sa.String(length=20), nullable=True),
        sa.Column("serial", sa.String(length=20), nullable=True),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("province", sa.String(length=100), nullable=True),
        sa.Column("notes", sa.String(length=2000), nullable=True),
        sa.Column("photo_sha256", sa.String(length=64), nullable=True),
        sa.Column("inspected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ledger_index"),
    )
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inspections_lot_id"), ["lot_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_inspections_serial"), ["serial"], unique=False)

    op.create_table(
        "lot_events",
        sa.Column("lot_id", sa.String(length=20), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("lot_id", "ledger_index"),
    )
    op.create_table(
        "lot_inputs",
        sa.Column("output_lot_id", sa.String(length=20), nullable=False),
        sa.Column("input_lot_id", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.String(length=40), nullable=False),
        sa.Column("ledger_index", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("output_lot_id", "input_lot_id"),
    )
    with op.batch_alter_table("lot_inputs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lot_inputs_input_lot_id"), ["input_lot_id"], unique=False)

    op.create_table(
        "serial_batches",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("serials", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("ledger_index"),
    )
    op.create_table(
        "shipments",
        sa.Column("ledger_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("lot_id", sa.String(length=20), nullable=False),
        sa.Column("from_organisation_id", sa.Integer(), nullable=False),
        sa.Column("to_organisation_id", sa.Integer(), nullable=True),
        sa.Column("sale_point", sa.String(length=200), nullable=True),
        sa.Column("sale_point_address", sa.String(length=300), nullable=True),
        sa.Column("province", sa.String(length=100), nullable=True),
        sa.Column("shipped_on", sa.Date(), nullable=False),
        sa.Column("package_count", sa.Integer(), nullable=False),
        sa.Column("received_index", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("ledger_index"),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipments_lot_id"), ["lot_id"], unique=False)

    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.add_column(sa.Column("in_transit_to", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recall_index", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recall_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:

    with op.batch_alter_table("lots", schema=None) as batch_op:
        batch_op.drop_column("recall_reason")
        batch_op.drop_column("recall_index")
        batch_op.drop_column("in_transit_to")

    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_lot_id"))

    op.drop_table("shipments")
    op.drop_table("serial_batches")
    with op.batch_alter_table("lot_inputs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lot_inputs_input_lot_id"))

    op.drop_table("lot_inputs")
    op.drop_table("lot_events")
    with op.batch_alter_table("inspections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inspections_serial"))
        batch_op.drop_index(batch_op.f("ix_inspections_lot_id"))

    op.drop_table("inspections")
    op.drop_table("idempotency_keys")
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_events_type"))
        batch_op.drop_index(batch_op.f("ix_events_organisation_id"))

    op.drop_table("events")
