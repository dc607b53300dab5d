"""Organisations: cooperatives (HTX), firms (DN), cooperative groups, households, and the programme office."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from tracer.models.types import UTCDateTime, utcnow


class OrgKind(StrEnum):
    COOPERATIVE = "htx"  # Hợp tác xã
    FIRM = "dn"  # Doanh nghiệp
    COOPERATIVE_GROUP = "tht"  # Tổ hợp tác
    HOUSEHOLD = "hkd"  # Hộ sản xuất / hộ kinh doanh
    AUTHORITY = "authority"  # Văn phòng điều phối OCOP


class OrganisationBase(SQLModel):
    name: str = Field(max_length=200)
    kind: str = Field(max_length=20)  # an OrgKind value
    registration_no: str | None = Field(default=None, max_length=50)
    address: str | None = Field(default=None, max_length=300)
    commune: str = Field(max_length=100)
    district: str = Field(max_length=100)
    province: str = Field(max_length=100)
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=200)


class Organisation(OrganisationBase, table=True):
    __tablename__ = "organisations"
    id: int | None = Field(default=None, primary_key=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ledger_index: int | None = Field(default=None, sa_type=BigInteger)  # its org.register entry

    @property
    def ledger_owner(self) -> str:
        """The opaque owner name of this organisation's keys in the ledger."""
        return f"org:{self.id}"
