"""The ledger's events as the pages read them (projections), and what the ledger commits to beside them.

``EventRecord``, ``LotInput``, ``LotEvent``, ``Shipment``, ``Inspection``, ``ReviewDecision`` are projections,
rebuilt from the ledger. ``SerialBatch`` is source data: the serial list a packaging event commits to by its
Merkle root (kept here rather than in the signed payload so that one small event covers 10,000 packages).
``IdempotencyRecord`` belongs to the API.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Column, Index, Text
from sqlmodel import Field, SQLModel

from tracer.models.types import DecimalText, UTCDateTime, utcnow


class EventRecord(SQLModel, table=True):
    __tablename__ = "events"
    ledger_index: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    type: str = Field(max_length=30, index=True)
    organisation_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=40)
    keyid: str = Field(max_length=32)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    occurred_on: date | None = None
    body: str = Field(sa_type=Text)  # the signed payload as JSON text


class LotEvent(SQLModel, table=True):
    """Which events touched which lot (lineage hops and timelines are one indexed query)."""

    __tablename__ = "lot_events"
    lot_id: str = Field(primary_key=True, max_length=20)
    ledger_index: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    role: str = Field(max_length=20)  # created | input | packaged | shipped | received | recalled | inspected


class LotInput(SQLModel, table=True):
    """A lineage edge: ``quantity`` of ``input_lot_id`` went into ``output_lot_id``."""

    __tablename__ = "lot_inputs"
    output_lot_id: str = Field(primary_key=True, max_length=20)
    input_lot_id: str = Field(primary_key=True, max_length=20, index=True)
    quantity: Decimal = Field(sa_type=DecimalText)
    ledger_index: int = Field(sa_type=BigInteger)


class Shipment(SQLModel, table=True):
    __tablename__ = "shipments"
    ledger_index: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    lot_id: str = Field(max_length=20, index=True)
    from_organisation_id: int
    to_organisation_id: int | None = None
    sale_point: str | None = Field(default=None, max_length=200)
    sale_point_address: str | None = Field(default=None, max_length=300)
    province: str | None = Field(default=None, max_length=100)
    shipped_on: date
    package_count: int = 0
    received_index: int | None = Field(default=None, sa_type=BigInteger)


class Inspection(SQLModel, table=True):
    __tablename__ = "inspections"
    ledger_index: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    inspector_user_id: int
    lot_id: str | None = Field(default=None, max_length=20, index=True)
    serial: str | None = Field(default=None, max_length=20, index=True)
    result: str = Field(max_length=10)  # pass | fail | suspect
    place: str = Field(max_length=200)
    province: str | None = Field(default=None, max_length=100)
    notes: str | None = Field(default=None, max_length=2000)
    photo_sha256: str | None = Field(default=None, max_length=64)
    inspected_at: datetime = Field(sa_type=UTCDateTime)
    # The phone's own id for the inspection (a UUID, signed in the entry): a retry of an inspection queued
    # offline finds the one already recorded instead of signing a second (tracer.events.inspection).
    client_id: str | None = Field(default=None, max_length=36)

    __table_args__ = (
        Index("ux_inspections_inspector_client_id", "inspector_user_id", "client_id", unique=True),
    )


class ReviewDecision(SQLModel, table=True):
    """An inspector's decision on an item of a review queue (a copy warning on a serial, a shopper's report
    of a fake), projected from its signed ``review`` entry. The queue shows it only after checking that
    entry (``tracer.inspection.decisions``): this row alone proves nothing."""

    __tablename__ = "review_decisions"
    ledger_index: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    inspector_user_id: int
    subject: str = Field(max_length=20)  # copy_flag | fake_report
    serial: str | None = Field(default=None, max_length=20, index=True)
    report_id: int | None = Field(default=None, index=True)
    decision: str = Field(max_length=20)  # confirmed_fake | cleared
    notes: str | None = Field(default=None, max_length=2000)
    decided_at: datetime = Field(sa_type=UTCDateTime)


class SerialBatch(SQLModel, table=True):
    __tablename__ = "serial_batches"
    ledger_index: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    serials: str = Field(sa_type=Text)  # newline-separated, in the order the Merkle root commits to


class IdempotencyRecord(SQLModel, table=True):
    __tablename__ = "idempotency_keys"
    user_id: int = Field(primary_key=True)
    key: str = Field(primary_key=True, max_length=200)
    request_hash: str = Field(max_length=64)
    status: int
    response: str = Field(sa_type=Text)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class CsvImport(SQLModel, table=True):
    """A CSV file imported: its content hash, so the same file is not imported twice by mistake
    (``tracer.events.csv_import``). Source data of the console, not a projection."""

    __tablename__ = "csv_imports"
    __table_args__ = (Index("ix_csv_imports_org_sha256", "organisation_id", "sha256"),)
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id")
    sha256: str = Field(max_length=64)
    lines: int
    first_index: int = Field(sa_type=BigInteger)
    imported_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
