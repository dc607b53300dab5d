"""A lot's journey as the origin page tells it: one ``Step`` per event, in the words of the signed bodies.

Each event type says how its event reads as a step (``EventType.step``); ``tracer.resolver.story`` gathers
what the steps need (the lineage's lots, zones and shipments, who signed) as a ``Journey`` and puts the steps
in order. Everything here is producer-entered data or dates; labels are translated by the templates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol
from urllib.parse import quote

from tracer.models.events import EventRecord, Shipment
from tracer.models.lots import Lot
from tracer.models.types import decimal_text
from tracer.photos.shown import ShownPhoto


@dataclass(frozen=True, slots=True)
class Signature:
    organisation: str
    keyid: str
    index: int


@dataclass(frozen=True, slots=True)
class DiaryNote:
    """A farm-diary entry of a zone as the origin page summarises it (``tracer.events.diary``)."""

    kind: str  # fertiliser | protection | irrigation | care
    on: date
    product: str = ""
    phi_days: int | None = None


@dataclass(frozen=True, slots=True)
class ZonePlace:
    id: str
    name: str
    place: str  # written out in the 2025 units: address, commune, province (as signed when not known)
    crop: str
    area_ha: str | None
    certifications: str
    latitude: str | None
    longitude: str | None
    polygon: Any | None  # GeoJSON Polygon coordinates, or None
    former: str = ""  # the address before 1 July 2025 (as signed, or as the zone's register kept it)
    diary: tuple[DiaryNote, ...] = ()  # the farm diary up to the harvests shown, newest first
    photo: ShownPhoto | None = None  # from its newest signed zone.profile, its files intact

    def diary_count(self, kind: str) -> int:
        return sum(1 for note in self.diary if note.kind == kind)

    @property
    def sprayings(self) -> tuple[DiaryNote, ...]:
        return tuple(note for note in self.diary if note.kind == "protection")

    @property
    def osm_url(self) -> str:
        if self.latitude and self.longitude:
            return (f"https://www.openstreetmap.org/?mlat={self.latitude}&mlon={self.longitude}"
                    f"#map=15/{self.latitude}/{self.longitude}")  # fmt: skip
        return "https://www.openstreetmap.org/search?query=" + quote(self.place)


@dataclass(frozen=True, slots=True)
class Step:
    """One point of the journey. ``kind``: zone | harvest | ship | receive | process | package | recall."""

    kind: str
    on: date | None
    name: str = ""  # zone name, harvested lot, processing step, sale point
    place: str = ""
    organisation: str = ""
    quantity: str = ""  # "1200 kg"
    facility: str = ""
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    zone: ZonePlace | None = None
    detail: str = ""  # recall reason, net content
    signature: Signature | None = None


class Journey(Protocol):
    """What an event's step may look up: the lineage's lots, its zones, its shipments, and who signed."""

    @property
    def lots(self) -> Mapping[str, Lot]: ...

    @property
    def zones(self) -> Mapping[str, ZonePlace]: ...

    @property
    def shipments(self) -> Mapping[int, Shipment]: ...

    def org_name(self, org_id: int | None) -> str:
        """The organisation's name, or "" when there is none."""
        ...

    def signed(self, record: EventRecord | None) -> Signature | None:
        """Who signed the event ``record``: organisation, key id, ledger index."""
        ...


def place(*parts: str | None) -> str:
    """The non-empty ``parts`` written out, comma-separated."""
    return ", ".join(p for p in parts if p)


def quantity(amount: Any, unit: str | None) -> str:
    """``amount`` (a decimal string or number) and its unit, as in "1200 kg"; "" without an amount."""
    if amount is None:
        return ""
    return f"{decimal_text(Decimal(str(amount)))} {unit or ''}".strip()
