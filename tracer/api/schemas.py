"""What the API returns: ``*Public`` response models (pydantic), never the SQLModel tables themselves.

Quantities are exact decimals serialised as strings ("12.5"), dates as ISO 8601 (``2024-05-01``). The same
models give the response schemas of the OpenAPI document (``tracer.api.openapi``).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from tracer.platform.bounds import LINE


class Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class OrganisationPublic(Public):
    id: int
    name: str
    kind: str
    registration_no: str | None
    address: str | None
    commune: str
    district: str
    province: str
    phone: str | None


class ProductPublic(Public):
    id: int
    organisation_id: int
    name: str
    ocop_group: str
    gtin: str | None
    unit: str
    shelf_life_days: int | None
    net_content: str | None
    max_yield: str | None
    description: str | None


class CertificatePublic(Public):
    id: str
    product_id: int
    stars: int
    decision_no: str
    issuing_level: str
    issued_on: date
    valid_until: date
    revoked: bool
    ledger_index: int | None


class ZonePublic(Public):
    id: str
    organisation_id: int
    name: str
    address: str | None
    commune: str
    district: str
    province: str
    latitude: Decimal | None
    longitude: Decimal | None
    area_ha: Decimal | None
    crop: str
    certifications: str
    ledger_index: int | None


class LotPublic(Public):
    id: str
    organisation_id: int
    product_id: int | None
    zone_id: str | None
    name: str
    quantity: Decimal
    remaining: Decimal
    unit: str
    produced_on: date
    status: str
    in_transit_to: int | None
    recall_reason: str | None
    created_index: int | None


class LotEventPublic(BaseModel):
    ledger_index: int
    type: str
    role: str
    occurred_on: date | None


class LotDetail(LotPublic):
    events: list[LotEventPublic]


class PackagePublic(Public):
    serial: str
    uri: str = Field(description="the GS1 Digital Link URI printed in the package's QR code")
    lot_id: str
    product_id: int
    packaging_index: int
    position: int
    packed_on: date
    expires_on: date | None
    net_content: str
    status: str


class EdgePublic(Public):
    input_lot_id: str
    output_lot_id: str
    quantity: Decimal
    ledger_index: int


class HarvestPublic(BaseModel):
    ledger_index: int
    lot_id: str
    zone_id: str
    harvested_on: date
    quantity: Decimal
    unit: str


class PackageSample(BaseModel):
    count: int
    sample: list[PackagePublic]


class LineagePublic(BaseModel):
    lot_id: str
    direction: str
    lots: list[LotPublic]
    edges: list[EdgePublic]
    zones: list[ZonePublic] = Field(default_factory=list, description="direction=back: where it grew")
    harvests: list[HarvestPublic] = Field(default_factory=list, description="direction=back")
    packages: PackageSample | None = Field(default=None, description="direction=forward")


class TokenPublic(Public):
    id: int
    name: str
    prefix: str
    role: str
    organisation_id: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenPublic):
    token: str = Field(description="the bearer token itself; shown once, never again")


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Annotated[str, Field(min_length=1, max_length=100), LINE] = "api"


class Receipt(BaseModel):
    ledger_index: int
    leaf_hash: str = Field(description="RFC 9162 leaf hash of the signed envelope, hex")
    keyid: str
    type: str
    created: dict[str, Any] = Field(
        description="ids of what the event made: zone_id, lot_ids, serial_count..."
    )
    event: dict[str, Any] = Field(description="the event body as signed (RFC 8785 canonical JSON)")


class ReceiptBatch(BaseModel):
    events: list[Receipt] = Field(description="one receipt per event of the batch, in its order")


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    field: str | None = None
    instance: str | None = None
