"""The story of a packaged lot: product, producer, certificate, journey back to the zones, signatures.

Built from the projections (events, lots, lineage) once per packaging event and kept in ``cache``: a packaged
lot's past never changes; only a recall, a shipment or a new certificate adds to it, and those move the cache
key (``StoryKey``). Everything here is producer-entered data or dates; labels are translated by templates.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from tracer.events.diary import entries_of
from tracer.events.journey import DiaryNote, Signature, Step, ZonePlace
from tracer.events.journey import place as _place
from tracer.events.lineage import lineage
from tracer.events.profiles import Shop
from tracer.events.registry import EVENT_TYPES
from tracer.models.events import EventRecord, LotEvent, LotInput, Shipment
from tracer.models.lots import Lot
from tracer.models.organisations import Organisation
from tracer.models.products import Certificate, Product
from tracer.models.types import decimal_text
from tracer.models.zones import Zone
from tracer.places import units
from tracer.resolver.photos import ShownPhoto, storefront, zone_photo

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
    """What a story depends on: its packaging event, the newest event of its lot, the newest certificate, the
    product's newest profile."""

    packaging_index: int
    lot_stamp: int
    cert_stamp: int
    profile_stamp: int = 0  # the product's newest signed profile (photo, shops): tracer.events.profiles


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
    photo: ShownPhoto | None = None  # signed, and its files intact (tracer.resolver.photos)
    shops: tuple[Shop, ...] = ()  # signed e-commerce links

    def map_data(self) -> list[dict[str, Any]]:
        """Zones with coordinates, for the map script (data attribute)."""
        return map_data(self.zones)


def map_data(zones: Iterable[ZonePlace]) -> list[dict[str, Any]]:
    """``zones`` that have coordinates, for the map script (the map button's data attribute)."""
    return [{"name": z.name, "lat": z.latitude, "lon": z.longitude, "polygon": z.polygon}
            for z in zones if z.latitude and z.longitude]  # fmt: skip


@dataclass(frozen=True)
class _Journey:
    """What the steps of one story look up (``tracer.events.journey.Journey``)."""

    lots: dict[str, Lot]
    zones: dict[str, ZonePlace]
    shipments: dict[int, Shipment]
    orgs: dict[int | None, Organisation]

    def org_name(self, org_id: int | None) -> str:
        org = self.orgs.get(org_id) if org_id is not None else None
        return org.name if org else ""

    def signed(self, record: EventRecord | None) -> Signature | None:
        if record is None:
            return None
        org = self.orgs.get(record.organisation_id) if record.organisation_id is not None else None
        return Signature(org.name if org else "OCOP", record.keyid, record.ledger_index)


@dataclass(frozen=True)
class _Sources:
    """Everything a story is built from, read in a few queries."""

    journey: _Journey
    zone_records: list[EventRecord]  # the events that registered the lineage's zones
    records: dict[int, EventRecord]  # the events of this package's journey, by ledger index
    certs: list[Certificate]
    cert_records: dict[int, EventRecord]


def build_story(session: Session, key: StoryKey, lot_id: str, public_url: str = "") -> LotStory:
    """Everything the origin page shows about the packages of one packaging event (cache this)."""
    lot = session.get(Lot, lot_id)
    packaging = session.get(EventRecord, key.packaging_index)
    if lot is None or packaging is None:
        raise LookupError(f"no packaging event {key.packaging_index} for lot {lot_id}")
    body = json.loads(packaging.body)
    product = session.get(Product, body["product_id"])
    assert product is not None
    sources = _sources(session, key, lot_id, product)
    steps = _steps(sources)
    journey = sources.journey
    front = storefront(session, product, public_url)
    return LotStory(
        key=key,
        lot_id=lot.id,
        lot_name=lot.name,
        product_id=product.id or 0,
        product_name=product.name,
        product_description=product.description,
        gtin=product.gtin,
        producer=producer_of(journey.orgs[product.organisation_id]),
        certificate=_certificate(sources.certs, sources.cert_records, journey.signed),
        packed_on=date.fromisoformat(body["packed_on"]),
        expires_on=date.fromisoformat(body["expires_on"]) if body.get("expires_on") else None,
        net_content=body["net_content"],
        package_count=int(body["count"]),
        recalled=lot.status == "recalled",
        recall_reason=lot.recall_reason,
        steps=steps,
        zones=tuple(journey.zones.values()),
        signatures=tuple(s for s in steps if s.signature is not None),
        photo=front.photo,
        shops=front.shops,
    )


def _sources(session: Session, key: StoryKey, lot_id: str, product: Product) -> _Sources:
    line = lineage(session, lot_id, "back")
    lots = {item.id: item for item in line.lots}
    consumed = _consumed_at(line.edges)
    hops = list(session.exec(select(LotEvent).where(col(LotEvent.lot_id).in_(list(lots)))))
    wanted = {h.ledger_index for h in hops if _keeps(h, lot_id, key.packaging_index, consumed)}
    wanted.add(key.packaging_index)
    zone_ids = {item.zone_id for item in lots.values() if item.zone_id}
    zone_rows = {z.id: z for z in session.exec(select(Zone).where(col(Zone.id).in_(zone_ids)))}
    zone_indexes = sorted(z.ledger_index for z in zone_rows.values() if z.ledger_index is not None)
    records = _records(session, sorted(wanted) + zone_indexes)
    live = select(Certificate).where(
        Certificate.product_id == product.id, col(Certificate.revoked).is_(False)
    )
    certs = list(session.exec(live))
    cert_records = _records(session, [c.ledger_index for c in certs if c.ledger_index])
    signed = [*records.values(), *cert_records.values()]
    org_ids = {r.organisation_id for r in signed if r.organisation_id is not None}
    org_ids |= {product.organisation_id} | {z.organisation_id for z in zone_rows.values()}
    orgs = {o.id: o for o in session.exec(select(Organisation).where(col(Organisation.id).in_(org_ids)))}
    shipped = select(Shipment).where(col(Shipment.ledger_index).in_(sorted(wanted)))
    shipments = {s.ledger_index: s for s in session.exec(shipped)}
    zones = {
        zid: replace(_with_diary(session, zone_place(z), lots.values()), photo=zone_photo(session, z))
        for zid, z in zone_rows.items()
    }
    zone_records = [records.pop(index) for index in zone_indexes if index in records]
    return _Sources(_Journey(lots, zones, shipments, orgs), zone_records, records, certs, cert_records)


def _records(session: Session, indexes: list[int]) -> dict[int, EventRecord]:
    query = select(EventRecord).where(col(EventRecord.ledger_index).in_(indexes))
    return {r.ledger_index: r for r in session.exec(query)}


def _steps(sources: _Sources) -> tuple[Step, ...]:
    """The zones first, then the journey's events in ledger order, each as its event type tells it."""
    steps = []
    for record in [*sources.zone_records, *(sources.records[i] for i in sorted(sources.records))]:
        event_type = EVENT_TYPES.get(record.type)
        if event_type is not None and event_type.step is not None:
            steps.append(event_type.step(sources.journey, record, json.loads(record.body)))
    return tuple(steps)


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


def _with_diary(session: Session, place: ZonePlace, lots: Iterable[Lot]) -> ZonePlace:
    """``place`` with its farm diary up to the last harvest from it on this journey."""
    days = [lot.produced_on for lot in lots if lot.zone_id == place.id]
    if not days:
        return place
    notes = tuple(
        DiaryNote(entry.kind, entry.applied_on, entry.product or "", entry.phi_days)
        for entry in entries_of(session, place.id, max(days))
    )
    return replace(place, diary=notes)


def zone_place(z: Zone) -> ZonePlace:
    polygon = None
    if z.polygon_geojson:
        try:
            polygon = json.loads(z.polygon_geojson).get("coordinates")
        except (ValueError, AttributeError):
            polygon = None
    now = units.current(z.commune, z.district or None, z.province)
    if now.commune is not None and now.province is not None and now.changed:
        place, former = _place(z.address, now.commune, now.province), now.written
    else:
        place, former = _place(z.address, z.commune, z.district, z.province), ""
    return ZonePlace(
        id=z.id,
        name=z.name,
        place=place,
        former=z.former_address or former,
        crop=z.crop,
        area_ha=decimal_text(z.area_ha) if z.area_ha is not None else None,
        certifications=z.certifications,
        latitude=str(z.latitude) if z.latitude is not None else None,
        longitude=str(z.longitude) if z.longitude is not None else None,
        polygon=polygon,
    )


def _certificate(certs: list[Certificate], records: dict[int, EventRecord], signed: Any) -> Cert | None:
    best = latest_certificate(certs)
    if best is None:
        return None
    return cert_of(best, signed(records.get(best.ledger_index)) if best.ledger_index is not None else None)
