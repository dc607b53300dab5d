"""Raw-material zones (vùng nguyên liệu): where a harvest comes from."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field, SQLModel

from tracer.models.types import DecimalText


class Zone(SQLModel, table=True):
    """Projection of a zone-registered event."""

    __tablename__ = "zones"
    id: str = Field(primary_key=True, max_length=32)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=200)
    address: str | None = Field(default=None, max_length=300)
    commune: str = Field(max_length=100)
    district: str = Field(max_length=100)
    province: str = Field(max_length=100)
    former_address: str | None = Field(default=None, max_length=200)  # before 1 July 2025, as signed
    latitude: Decimal | None = Field(default=None, sa_type=DecimalText)
    longitude: Decimal | None = Field(default=None, sa_type=DecimalText)
    polygon_geojson: str | None = Field(default=None, sa_type=Text)
    area_ha: Decimal | None = Field(default=None, sa_type=DecimalText)
    crop: str = Field(max_length=100)
    certifications: str = Field(default="", max_length=300)  # comma-separated, e.g. "VietGAP"
    ledger_index: int | None = None


class ZoneProfile(SQLModel, table=True):
    """Which signed ``zone.profile`` entry (a zone's photo) is a zone's newest: not a projection, since
    rebuilding the zones from their ``zone.register`` events must not lose it (``tracer.events.profiles``
    checks it against the ledger)."""

    __tablename__ = "zone_profiles"
    zone_id: str = Field(primary_key=True, max_length=32)  # no foreign key: rebuild empties zones
    profile_index: int = Field(sa_type=BigInteger)


class ZoneDiary(SQLModel, table=True):
    """Projection of a zone.diary event: one input applied to a zone (farm diary, nhật ký canh tác).
    ``harvest_from`` is the first day a harvest may be taken after a plant protection product
    (``applied_on`` + ``phi_days``); None for the other kinds."""

    __tablename__ = "zone_diary"
    ledger_index: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    zone_id: str = Field(foreign_key="zones.id", index=True, max_length=32)
    organisation_id: int = Field(foreign_key="organisations.id")
    kind: str = Field(max_length=20)
    applied_on: date
    product: str | None = Field(default=None, max_length=200)
    dose: str | None = Field(default=None, max_length=100)
    phi_days: int | None = None
    harvest_from: date | None = None
    notes: str | None = Field(default=None, sa_type=Text)
