"""The story of a packaged lot: product, producer, certificate, journey back to the zones, signatures.

Built from the projections (events, lots, lineage) once per packaging event and kept in ``cache``: a packaged
lot's past never changes; only a recall, a shipment or a new certificate adds to it, and those move the cache
key (``StoryKey``). Everything here is producer-entered data or dates; labels are translated by templates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from sqlmodel import Session, col, select

from tracer.events.lineage import lineage
from tracer.models.events import EventRecord, LotEvent, LotInput, Shipment
from tracer.models.lots import Lot
from tracer.models.organisations import Organisation
from tracer.models.products import Certificate, Product
from tracer.models.types import decimal_text
from tracer.models.zones import Zone

__all__ = [
    "Cert",
    "LotStory",
    "Producer",
    "Signature",
    "Step",
    "StoryKey",
    "ZonePlace",
    "build_story",
    "cert_of",
    "latest_certificate",
    "map_data",
    "producer_of",
    "zone_place",
]


@dataclass(frozen=True, slots=True)
class StoryKey:
    """What a story depends on: its packaging event, the newest event of its lot, the newest certificate."""

    packaging_index: int
    lot_stamp: int
    cert_stamp: int


@dataclass(frozen=True, slots=True)
class Signature:
    organisation: str
    keyid: str
    index: int


@dataclass(frozen=True, slots=True)
class ZonePlace:
    id: str
    name: str
    place: str  # written out: address, commune, district, province
    crop: str
    area_ha: str | None
    certifications: str
    latitude: str | None
    longitude: str | None
    polygon: Any | None  # GeoJSON Polygon coordinates, or None

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


@dataclass(frozen=True, slots=True)
class Producer:
    name: str
    kind: str
    place: str
    phone: str | None
    email: str | None


@dataclass(frozen=True, slots=True)
class Cert:
    id: str
    stars: int
    decision_no: str
    issuing_level: str
    issued_on: date
    valid_until: date
    signature: Signature | None


@dataclass(frozen=True, slots=True)
class LotStory:
    key: StoryKey
    lot_id: str
    lot_name: str
    product_id: int
    product_name: str
    product_description: str | None
    photo_url: str | None
    gtin: str | None
    producer: Producer
    certificate: Cert | None
    packed_on: date
    expires_on: date | None
    net_content: str
    package_count: int
    recalled: bool
    recall_reason: str | None
    steps: tuple[Step, ...]
    zones: tuple[ZonePlace, ...]
    signatures: tuple[Step, ...] = field(default=())

    def map_data(self) -> list[dict[str, Any]]:
        """Zones with coordinates, for the map script (data attribute)."""
        return map_data(self.zones)


def map_data(zones: Iterable[ZonePlace]) -> list[dict[str, Any]]:
    """``zones`` that have coordinates, for the map script (the map button's data attribute)."""
    return [{"name": z.name, "lat": z.latitude, "lon": z.longitude, "polygon": z.polygon}
            for z in zones if z.latitude and z.longitude]  # fmt: skip


def _place(*parts: str | None) -> str:
    return ", ".join(p for p in parts if p)


def _qty(quantity: Any, unit: str | None) -> str:
    if quantity is None:
        return ""
    return f"{decimal_text(Decimal(str(quantity)))} {unit or ''}".strip()


def build_story(session: Session, key: StoryKey, lot_id: str) -> LotStory:
    """Everything the origin page shows about the packages of one packaging event (cache this)."""
    lot = session.get(Lot, lot_id)
    packaging = session.get(EventRecord, key.packaging_index)
    if lot is None or packaging is None:
        raise LookupError(f"no packaging event {key.packaging_index} for lot {lot_id}")
    body = json.loads(packaging.body)
    product = session.get(Product, body["product_id"])
    assert product is not None
    line = lineage(session, lot_id, "back")
    lots = {item.id: item for item in line.lots}
    consumed = _consumed_at(line.edges)
    hops = list(session.exec(select(LotEvent).where(col(LotEvent.lot_id).in_(list(lots)))))
    wanted = {h.ledger_index for h in hops if _keeps(h, lot_id, key.packaging_index, consumed)}
    wanted.add(key.packaging_index)
    records = {
        r.ledger_index: r
        for r in session.exec(select(EventRecord).where(col(EventRecord.ledger_index).in_(sorted(wanted))))
    }
    zone_rows = {
        z.id: z
        for z in session.exec(
            select(Zone).where(col(Zone.id).in_({item.zone_id for item in lots.values() if item.zone_id}))
        )
    }
    certs = list(
        session.exec(
            select(Certificate).where(
                Certificate.product_id == product.id, col(Certificate.revoked).is_(False)
            )
        )
    )
    org_ids = {r.organisation_id for r in records.values() if r.organisation_id is not None}
    org_ids |= {product.organisation_id} | {z.organisation_id for z in zone_rows.values()}
    cert_records = {
        r.ledger_index: r
        for r in session.exec(
            select(EventRecord).where(
                col(EventRecord.ledger_index).in_([c.ledger_index for c in certs if c.ledger_index])
            )
        )
    }
    org_ids |= {r.organisation_id for r in cert_records.values() if r.organisation_id is not None}
    orgs = {o.id: o for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))}
    shipments = {
        s.ledger_index: s
        for s in session.exec(select(Shipment).where(col(Shipment.ledger_index).in_(sorted(wanted))))
    }

    def signed(record: EventRecord | None) -> Signature | None:
        if record is None:
            return None
        org = orgs.get(record.organisation_id) if record.organisation_id is not None else None
        return Signature(org.name if org else "OCOP", record.keyid, record.ledger_index)

    def org_name(org_id: int | None) -> str:
        org = orgs.get(org_id) if org_id is not None else None
        return org.name if org else ""

    zones = {zid: zone_place(z) for zid, z in zone_rows.items()}
    steps: list[tuple[tuple[int, int], Step]] = []
    for zid, zone in zones.items():
        row = zone_rows[zid]
        record = session.get(EventRecord, row.ledger_index) if row.ledger_index is not None else None
        steps.append(
            (
                (0, row.ledger_index or 0),
                Step(
                    "zone",
                    None,
                    name=zone.name,
                    place=zone.place,
                    organisation=org_name(row.organisation_id),
                    zone=zone,
                    signature=signed(record),
                ),
            )
        )
    for index in sorted(records):
        record = records[index]
        event = json.loads(record.body)
        step = _step(event, record, lots, zones, shipments, org_name, signed(record))
        if step is not None:
            steps.append(((1, index), step))
    cert = _certificate(certs, cert_records, signed)
    producer_org = orgs[product.organisation_id]
    ordered = tuple(step for _, step in sorted(steps, key=lambda item: item[0]))
    return LotStory(
        key=key,
        lot_id=lot.id,
        lot_name=lot.name,
        product_id=product.id or 0,
        product_name=product.name,
        product_description=product.description,
        photo_url=product.photo_url,
        gtin=product.gtin,
        producer=producer_of(producer_org),
        certificate=cert,
        packed_on=date.fromisoformat(body["packed_on"]),
        expires_on=date.fromisoformat(body["expires_on"]) if body.get("expires_on") else None,
        net_content=body["net_content"],
        package_count=int(body["count"]),
        recalled=lot.status == "recalled",
        recall_reason=lot.recall_reason,
        steps=ordered,
        zones=tuple(zones.values()),
        signatures=tuple(s for s in ordered if s.signature is not None),
    )


def producer_of(org: Organisation) -> Producer:
    """The producer card of ``org``: its name, kind, place written out, and how to reach it."""
    return Producer(org.name, org.kind, _place(org.address, org.commune, org.district, org.province),
                    org.phone, org.email)  # fmt: skip


def latest_certificate(certs: Iterable[Certificate]) -> Certificate | None:
    """The certificate a product's page shows: the newest of those not revoked (``certs``)."""
    return max(certs, key=lambda c: (c.issued_on, c.ledger_index or 0), default=None)


def cert_of(best: Certificate, signature: Signature | None = None) -> Cert:
    return Cert(best.id, best.stars, best.decision_no, best.issuing_level, best.issued_on, best.valid_until,
                signature)  # fmt: skip


def _consumed_at(edges: Iterable[LotInput]) -> dict[str, int]:
    """For each input lot of the lineage, the index of the first processing that used it."""
    first: dict[str, int] = {}
    for edge in edges:
        first[edge.input_lot_id] = min(first.get(edge.input_lot_id, edge.ledger_index), edge.ledger_index)
    return first


def _keeps(hop: LotEvent, lot_id: str, packaging_index: int, consumed: dict[str, int]) -> bool:
    """Which events of the lineage belong to this package's journey."""
    if hop.role == "created":
        return True
    if hop.lot_id == lot_id:  # the packaged lot: its recall, and where it went after these packages were made
        return hop.role == "recalled" or (
            hop.role in ("shipped", "received") and hop.ledger_index > packaging_index
        )
    # an input lot: its moves before it was processed into our chain
    return hop.role in ("shipped", "received") and hop.ledger_index < consumed.get(
        hop.lot_id, packaging_index
    )


def zone_place(z: Zone) -> ZonePlace:
    polygon = None
    if z.polygon_geojson:
        try:
            polygon = json.loads(z.polygon_geojson).get("coordinates")
        except (ValueError, AttributeError):
            polygon = None
    return ZonePlace(
        id=z.id,
        name=z.name,
        place=_place(z.address, z.commune, z.district, z.province),
        crop=z.crop,
        area_ha=decimal_text(z.area_ha) if z.area_ha is not None else None,
        certifications=z.certifications,
        latitude=str(z.latitude) if z.latitude is not None else None,
        longitude=str(z.longitude) if z.longitude is not None else None,
        polygon=polygon,
    )


def _step(
    event: dict[str, Any],
    record: EventRecord,
    lots: dict[str, Lot],
    zones: dict[str, ZonePlace],
    shipments: dict[int, Shipment],
    org_name: Any,
    signature: Signature | None,
) -> Step | None:
    kind = event["type"]
    by = org_name(record.organisation_id)
    on = record.occurred_on
    if kind == "harvest":
        zone = zones.get(event["zone_id"])
        return Step(
            "harvest",
            on,
            name=event["lot"]["name"],
            place=zone.place if zone else "",
            organisation=by,
            quantity=_qty(event["lot"]["quantity"], event["lot"]["unit"]),
            zone=zone,
            signature=signature,
        )
    if kind == "process":
        return Step(
            "process",
            on,
            name=event["step"],
            facility=event.get("facility", ""),
            organisation=by,
            inputs=tuple(lots[i["lot_id"]].name for i in event["inputs"] if i["lot_id"] in lots),
            outputs=tuple(f"{o['name']} ({_qty(o['quantity'], o['unit'])})" for o in event["outputs"]),
            signature=signature,
        )
    if kind == "package":
        return Step(
            "package",
            on,
            name=str(event["count"]),
            organisation=by,
            detail=event["net_content"],
            quantity=_qty(
                event["quantity_used"], lots[event["lot_id"]].unit if event["lot_id"] in lots else ""
            ),
            signature=signature,
        )
    if kind == "ship":
        shipment = shipments.get(record.ledger_index)
        point = event.get("sale_point") or {}
        to = org_name(event.get("to_org")) if event.get("to_org") is not None else ""
        place = _place(point.get("address"), point.get("province")) if point else ""
        return Step(
            "ship",
            on,
            name=point.get("name") or to,
            place=place,
            organisation=by,
            detail=str(shipment.package_count) if shipment else "",
            signature=signature,
        )
    if kind == "receive":
        return Step(
            "receive",
            on,
            name=lots[event["lot_id"]].name if event["lot_id"] in lots else "",
            organisation=by,
            signature=signature,
        )
    if kind == "recall":
        return Step(
            "recall", _day(record.recorded_at), detail=event["reason"], organisation=by, signature=signature
        )
    return None


def _day(at: datetime) -> date:
    return at.date()


def _certificate(certs: list[Certificate], records: dict[int, EventRecord], signed: Any) -> Cert | None:
    best = latest_certificate(certs)
    if best is None:
        return None
    return cert_of(best, signed(records.get(best.ledger_index)) if best.ledger_index is not None else None)
