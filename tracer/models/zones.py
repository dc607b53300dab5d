"""Raw-material zones (vùng nguyên liệu): where a harvest comes from."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import BigInteger, Text
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
