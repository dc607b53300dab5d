"""What a client asks for, one typed command per event type (pydantic; unknown fields refused).

Quantities are exact decimals given as strings or integers; a JSON float is refused (the API parses
numbers with fractions as ``Decimal`` so that "12.5" and 12.5 are the same exact value).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from tracer.codes.serials import ALPHABET, SERIAL_LENGTH
from tracer.platform.bounds import LINE, PARAGRAPH, EventDay, ExpiryDay, HarvestDay, Id
from tracer.platform.messages import Message

SERIAL_PATTERN = f"^[{ALPHABET}]{{{SERIAL_LENGTH}}}$"  # a package's serial as stored (tracer.codes.serials)
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), LINE]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), PARAGRAPH]
Identifier = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20, pattern=r"^[0-9A-Za-z]+$")
]
# A UUID in its canonical text (RFC 9562), lower case: a phone's id for a record it may send more than once.
ClientId = Annotated[
    str, StringConstraints(pattern=r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
]


def _positive(value: Decimal) -> Decimal:
    if not value.is_finite():
        raise Message.NOT_FINITE.invalid()
    if value <= 0:
        raise Message.NOT_POSITIVE.invalid()
    if value.as_tuple().exponent < -6:  # type: ignore[operator]
        raise Message.TOO_MANY_PLACES.invalid()
    if value >= Decimal("1e12"):
        raise Message.TOO_LARGE.invalid()
    return value


def _exact(value: Any) -> Any:
    if isinstance(value, float):
        raise Message.BINARY_FLOAT.invalid()
    return value


Quantity = Annotated[Decimal, BeforeValidator(_exact), AfterValidator(_positive)]


class Command(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class RegisterZone(Command):
    type: Literal["zone.register"] = "zone.register"
    name: Text
    address: Annotated[str, StringConstraints(max_length=300), LINE] | None = None
    commune: Text
    district: Text | None = Field(
        default=None, description="before 1 July 2025 only: the units have two levels"
    )
    province: Text
    former_address: Text | None = Field(
        default=None, description="the address in the units before 1 July 2025, as the producer knew it"
    )
    latitude: Annotated[Decimal, Field(ge=-90, le=90)] | None = None
    longitude: Annotated[Decimal, Field(ge=-180, le=180)] | None = None
    polygon: dict[str, Any] | None = Field(default=None, description="GeoJSON Polygon of the zone")
    area_ha: Quantity | None = None
    crop: Text
    certifications: list[Annotated[str, StringConstraints(min_length=1, max_length=50), LINE]] = Field(
        default_factory=list, max_length=10
    )

    @model_validator(mode="after")
    def _polygon_is_geojson(self) -> RegisterZone:
        if self.polygon is not None:
            ring = self.polygon.get("coordinates")
            if self.polygon.get("type") != "Polygon" or not isinstance(ring, list) or not ring:
                raise Message.NOT_A_POLYGON.invalid()
        return self


class Harvest(Command):
    type: Literal["harvest"] = "harvest"
    zone_id: Identifier
    name: Text = Field(description="what was harvested, e.g. 'Quả gấc tươi'")
    quantity: Quantity
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30), LINE]
    harvested_on: HarvestDay
    product_id: Id | None = None


class Receive(Command):
    type: Literal["receive"] = "receive"
    lot_id: Identifier
    received_on: EventDay


class TransformInput(Command):
    lot_id: Identifier
    quantity: Quantity


class TransformOutput(Command):
    name: Text
    quantity: Quantity
    unit: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=30), LINE]
    product_id: Id | None = None


class Transform(Command):
    type: Literal["process"] = "process"
    step: Text = Field(description="e.g. 'ép dầu gấc', 'sấy'")
    facility: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), LINE] | None = None
    processed_on: EventDay
    inputs: list[TransformInput] = Field(min_length=1, max_length=50)
    outputs: list[TransformOutput] = Field(min_length=1, max_length=20)


class Package(Command):
    type: Literal["package"] = "package"
    lot_id: Identifier
    product_id: Id
    count: int = Field(ge=1, le=10_000)
    net_content: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50), LINE] | None
    ) = Field(default=None, description="per package, such as '100 ml'; default: the product's")
    quantity_used: Quantity | None = Field(default=None, description="taken from the lot; default: all of it")
    packed_on: EventDay
    expires_on: ExpiryDay | None = None


class SalePoint(Command):
    name: Text
    address: Annotated[str, StringConstraints(max_length=300), LINE] | None = None
    province: Text


class Ship(Command):
    type: Literal["ship"] = "ship"
    lot_id: Identifier
    shipped_on: EventDay
    to_organisation_id: Id | None = None
    sale_point: SalePoint | None = None

    @model_validator(mode="after")
    def _one_destination(self) -> Ship:
        if (self.to_organisation_id is None) == (self.sale_point is None):
            raise Message.ONE_DESTINATION.invalid()
        return self


class Recall(Command):
    type: Literal["recall"] = "recall"
    lot_ids: list[Identifier] = Field(min_length=1, max_length=100)
    reason: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500), PARAGRAPH]


class Certify(Command):
    type: Literal["certify"] = "certify"
    product_id: Id
    stars: int = Field(ge=1, le=5)
    decision_no: Text
    issuing_level: Literal["huyen", "tinh", "trung_uong"]
    issued_on: EventDay
    valid_until: ExpiryDay | None = Field(default=None, description="default: 36 months after issued_on")


class Inspect(Command):
    """An inspection of one package (``serial``) or of a whole lot (``lot_id``): exactly one of them."""

    model_config = ConfigDict(
        json_schema_extra={
            "oneOf": [
                {"required": ["serial"], "properties": {"serial": {"type": "string"}}},
                {"required": ["lot_id"], "properties": {"lot_id": {"type": "string"}}},
            ]
        }
    )

    type: Literal["inspect"] = "inspect"
    serial: Annotated[str, StringConstraints(strip_whitespace=True, pattern=SERIAL_PATTERN)] | None = None
    lot_id: Identifier | None = None
    result: Literal["pass", "fail", "suspect"]
    place: Text
    province: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100), LINE] | None = None
    notes: LongText | None = Field(
        default=None, description="public, as the whole entry is (docs/inspections.md): no personal data"
    )
    photo_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    client_id: ClientId | None = Field(
        default=None,
        description="the phone's own id for this inspection (a UUID): sending it again, after a lost answer "
        "or from a queue kept offline, answers the inspection already recorded instead of a second one",
    )

    @model_validator(mode="after")
    def _one_target(self) -> Inspect:
        if (self.serial is None) == (self.lot_id is None):
            raise Message.ONE_TARGET.invalid()
        return self


DIARY_KINDS = ("fertiliser", "protection", "irrigation", "care")


class DiaryEntry(Command):
    """An entry of a zone's farm diary (nhật ký canh tác): what was applied to it, when. A plant protection
    product is named as registered, with its dose and pre-harvest interval (thời gian cách ly), in days."""

    type: Literal["zone.diary"] = "zone.diary"
    zone_id: Identifier
    kind: Literal["fertiliser", "protection", "irrigation", "care"]
    applied_on: EventDay
    product: Text | None = Field(
        default=None, description="the product's registered name, e.g. 'Amistar Top 325SC'"
    )
    dose: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), LINE] | None
    ) = Field(default=None, description="e.g. '10 ml / bình 16 l'")
    phi_days: int | None = Field(default=None, ge=0, le=365, description="pre-harvest interval, in days")
    notes: LongText | None = None

    @model_validator(mode="after")
    def _protection_is_complete(self) -> DiaryEntry:
        if self.kind == "protection":
            if self.product is None or self.dose is None or self.phi_days is None:
                raise Message.PROTECTION_INCOMPLETE.invalid()
        elif self.phi_days is not None:
            raise Message.PHI_ONLY_FOR_PROTECTION.invalid()
        return self


class Review(Command):
    """An inspector's decision on an item of a review queue: the copy warning on a serial, or a shopper's
    report of a fake (by its id, with the SHA-256 of the report as the inspector read it)."""

    type: Literal["review"] = "review"
    subject: Literal["copy_flag", "fake_report"]
    serial: Identifier | None = None
    report_id: Id | None = None
    report_sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = None
    decision: Literal["confirmed_fake", "cleared"]
    notes: LongText | None = Field(
        default=None, description="public, as the whole entry is: no personal data"
    )

    @model_validator(mode="after")
    def _subject_named(self) -> Review:
        if self.subject == "copy_flag" and (self.serial is None or self.report_id is not None):
            raise Message.REVIEW_SUBJECT.invalid()
        if self.subject == "fake_report" and (self.report_id is None or self.report_sha256 is None):
            raise Message.REVIEW_SUBJECT.invalid()
        return self
