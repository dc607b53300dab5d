"""Lots, zones and organisations by the identifiers EPCIS documents give them (``tracer.proofs.epcis``):
``/id/lot/{lot}``, ``/id/zone/{zone}``, ``/id/org/{id}``, and what their pages show.

Only what the origin pages already show about the same thing: a lot's name, producer, zone, produced date,
recall and the class-level pages of the products packed from it (never its quantities); a zone as the
journey's zone step and map show it; an organisation as the producer card shows it, without an e-mail
address. Identifiers are checked before any query (``parse_id``): a lot or zone is its prefix and nine
Crockford base32 characters (``tracer.codes.identifiers``), an organisation a positive integer. Nothing here
records anything: dereferencing an identifier is not a scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from tracer.codes.gs1 import ClassLink, build_uri
from tracer.codes.serials import ALPHABET
from tracer.models.events import EventRecord
from tracer.models.lots import Lot, Package
from tracer.models.organisations import Organisation
from tracer.models.products import Product
from tracer.models.zones import Zone
from tracer.photos.shown import ShownPhoto
from tracer.platform.errors import TracerError
from tracer.platform.messages import Message
from tracer.resolver.photos import zone_photo
from tracer.resolver.story import Producer, ZonePlace, producer_of, zone_place

__all__ = [
    "KINDS",
    "Address",
    "BadId",
    "LotClass",
    "LotThing",
    "OrgThing",
    "Ref",
    "ZoneThing",
    "find",
    "parse_id",
]

KINDS = ("lot", "zone", "org")
_CROCKFORD = "[" + re.escape(ALPHABET) + "]{9}"
_SYNTAX = {
    "lot": (re.compile("L" + _CROCKFORD), Message.LOT_ID_MALFORMED),
    "zone": (re.compile("Z" + _CROCKFORD), Message.ZONE_ID_MALFORMED),
    "org": (re.compile("[1-9][0-9]{0,9}"), Message.ORG_ID_MALFORMED),
}
_LARGEST_ID = 2**31 - 1  # organisations.id is a 32-bit integer on PostgreSQL


class BadId(TracerError):
    status = 400
    title = "Malformed identifier"
    slug = "bad-id"


@dataclass(frozen=True, slots=True)
class Address:
    street: str | None
    commune: str
    district: str
    province: str


@dataclass(frozen=True, slots=True)
class Ref:
    """Another thing a page links to: its identifier's kind and value, and its name."""

    kind: str
    id: str
    name: str


@dataclass(frozen=True, slots=True)
class LotClass:
    """A product with a GTIN that packages were packed into from a lot: its class-level page."""

    gtin: str
    product_name: str
    path: str  # its class-level code, ``/01/{gtin}/10/{lot}``


@dataclass(frozen=True, slots=True)
class LotThing:
    id: str
    name: str
    produced_on: date
    producer: Producer
    producer_ref: Ref
    zone: Ref | None  # the zone it was harvested from
    recalled: bool
    recall_reason: str | None
    classes: tuple[LotClass, ...]


@dataclass(frozen=True, slots=True)
class ZoneThing:
    zone: ZonePlace
    address: Address
    organisation: Producer
    organisation_ref: Ref
    photo: ShownPhoto | None = None  # its signed photo, files intact (tracer.events.profiles)


@dataclass(frozen=True, slots=True)
class OrgThing:
    id: str
    producer: Producer
    address: Address


def parse_id(kind: str, value: str) -> str:
    """``value`` if it is a well-formed identifier of a ``kind`` (lot, zone, org); ``BadId`` if not."""
    if kind not in _SYNTAX:
        raise BadId(Message.ID_KIND_UNKNOWN, field="kind", kind=kind)
    syntax, malformed = _SYNTAX[kind]
    if len(value) > 20 or not syntax.fullmatch(value):
        shown = value if len(value) <= 20 else value[:20] + "…"
        raise BadId(malformed, field="id", value=shown)
    return value


def find(session: Session, kind: str, value: str) -> LotThing | ZoneThing | OrgThing | None:
    """The thing of ``kind`` with the well-formed identifier ``value`` (``parse_id``), or None."""
    if kind == "lot":
        return _lot(session, value)
    if kind == "zone":
        return _zone(session, value)
    return _org(session, int(value)) if int(value) <= _LARGEST_ID else None


def _public(org: Organisation) -> Producer:
    """The producer card of ``org`` without its e-mail address: identifiers are for machines to follow."""
    card = producer_of(org)
    return Producer(card.name, card.kind, card.place, card.phone, None)


def _address(row: Organisation | Zone) -> Address:
    return Address(row.address, row.commune, row.district, row.province)


def _lot(session: Session, lot_id: str) -> LotThing | None:
    lot = session.get(Lot, lot_id)
    if lot is None:
        return None
    created = session.get(EventRecord, lot.created_index) if lot.created_index is not None else None
    maker_id = created.organisation_id if created is not None and created.organisation_id else None
    maker = session.get(Organisation, maker_id or lot.organisation_id)
    assert maker is not None  # a lot's organisation is a foreign key
    zone = session.get(Zone, lot.zone_id) if lot.zone_id is not None else None
    classes = session.exec(
        select(Product.gtin, Product.name)
        .where(col(Product.id).in_(select(Package.product_id).where(Package.lot_id == lot_id).distinct()))
        .where(col(Product.gtin).is_not(None))
        .order_by(col(Product.gtin))
    ).all()
    return LotThing(
        id=lot.id,
        name=lot.name,
        produced_on=lot.produced_on,
        producer=_public(maker),
        producer_ref=Ref("org", str(maker.id), maker.name),
        zone=Ref("zone", zone.id, zone.name) if zone is not None else None,
        recalled=lot.status == "recalled",
        recall_reason=lot.recall_reason if lot.status == "recalled" else None,
        classes=tuple(LotClass(g, name, build_uri("", ClassLink(g, lot.id))) for g, name in classes if g),
    )


def _zone(session: Session, zone_id: str) -> ZoneThing | None:
    zone = session.get(Zone, zone_id)
    if zone is None:
        return None
    org = session.get(Organisation, zone.organisation_id)
    assert org is not None  # a zone's organisation is a foreign key
    photo = zone_photo(session, zone)
    return ZoneThing(zone_place(zone), _address(zone), _public(org), Ref("org", str(org.id), org.name), photo)


def _org(session: Session, org_id: int) -> OrgThing | None:
    org = session.get(Organisation, org_id)
    if org is None:
        return None
    return OrgThing(str(org_id), _public(org), _address(org))
