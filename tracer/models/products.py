"""Products and their OCOP certificates (stars 1-5, valid 36 months unless the decision says otherwise)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from tracer.models.types import UTCDateTime, utcnow


class ProductGroup(StrEnum):
    """The six OCOP product groups (Quyết định 148/QĐ-TTg, 2023)."""

    FOOD = "thuc_pham"
    BEVERAGE = "do_uong"
    HERBAL = "thao_duoc"
    TEXTILE = "vai_may_mac"
    HANDICRAFT = "luu_niem_noi_that"
    TOURISM = "du_lich"


class IssuingLevel(StrEnum):
    DISTRICT = "huyen"
    PROVINCE = "tinh"
    CENTRAL = "trung_uong"


class Product(SQLModel, table=True):
    __tablename__ = "products"
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisations.id", index=True)
    name: str = Field(max_length=200)
    ocop_group: str = Field(max_length=30)  # a ProductGroup value
    gtin: str | None = Field(default=None, max_length=14, unique=True)  # GTIN-14 form, check digit valid
    unit: str = Field(max_length=30)
    shelf_life_days: int | None = None
    net_content: str | None = Field(default=None, max_length=50)  # per package, "100 ml": the balance's
    max_yield: str | None = Field(default=None, max_length=50)  # output per input, "0.06 l/kg" (signed)
    description: str | None = Field(default=None, max_length=2000)
    photo_url: str | None = Field(default=None, max_length=500)  # unused: photos are signed (profile_index)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ledger_index: int | None = Field(default=None, sa_type=BigInteger)  # its product.register entry
    profile_index: int | None = Field(default=None, sa_type=BigInteger)  # its newest product.profile entry


class Certificate(SQLModel, table=True):
    """Projection of an OCOP certify event."""

    __tablename__ = "certificates"
    id: str = Field(primary_key=True, max_length=32)
    product_id: int = Field(foreign_key="products.id", index=True)
    stars: int
    decision_no: str = Field(max_length=100)
    issuing_level: str = Field(max_length=20)  # an IssuingLevel value
    issued_on: date
    valid_until: date
    revoked: bool = False
    ledger_index: int | None = None
