"""Lots and packages: what the ledger's events produce, as the pages and API read them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlmodel import Field, SQLModel

from tracer.models.types import DecimalText


class Lot(SQLModel, table=True):
    """Projection: a quantity of one thing held by one organisation (raw lot, product lot)."""

    __tablename__ = "lots"
    id: str = Field(primary_key=True, max_length=20)  # also the GS1 batch/lot (AI 10)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    product_id: int | None = Field(default=None, foreign_key="products.id", index=True)
    zone_id: str | None = Field(default=None, foreign_key="zones.id", index=True)
    name: str = Field(max_length=200)
    quantity: Decimal = Field(sa_type=DecimalText)  # initial quantity
    remaining: Decimal = Field(sa_type=DecimalText)
    unit: str = Field(max_length=30)
    produced_on: date
    status: str = Field(default="active", max_length=20)  # active | packaged | recalled
    in_transit_to: int | None = None  # organisation a shipment is on its way to
    recall_index: int | None = None
    recall_reason: str | None = Field(default=None, max_length=500)
    created_index: int | None = None


class Package(SQLModel, table=True):
    """Projection: one package with its serial, printed as a QR code."""

    __tablename__ = "packages"
    serial: str = Field(primary_key=True, max_length=20)
    lot_id: str = Field(foreign_key="lots.id", index=True)
    product_id: int = Field(foreign_key="products.id", index=True)
    packaging_index: int  # ledger index of the packaging event
    position: int  # place of the serial in the event's serial list (for its Merkle proof)
    packed_on: date
    expires_on: date | None = None
    net_content: str = Field(max_length=50)
    status: str = Field(default="active", max_length=20)  # active | shipped | recalled
