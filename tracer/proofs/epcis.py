"""A lot's whole lineage as a GS1 EPCIS 2.0 document (JSON-LD), valid against the GS1 EPCIS JSON schema.

Each event type declares its own mapping (``EventType.epcis``, ``tracer.events.registry``); this module gives
them the identifiers (``_Terms``) and wraps the events in the document. Mapping (GS1 CBV 2.0 vocabulary):
harvest = ObjectEvent ADD ``commissioning`` at the zone; process = TransformationEvent
(``creating_class_instance``); package = TransformationEvent ``commissioning`` from the quantity of the lot
used to the packages' instance-level GS1 Digital Link URIs (``/p/{serial}`` without a GTIN); ship =
ObjectEvent ``shipping`` (``in_transit``); receive = ObjectEvent ``receiving``; inspect = ObjectEvent
``inspecting`` (``conformant`` / ``non_conformant``); recall = ObjectEvent with disposition ``recalled``. Lots
are class-level identifiers: ``{base}/01/{GTIN}/10/{lot}`` with a GTIN, else ``{base}/id/lot/{lot}``; zones
and organisations are ``{base}/id/zone/{id}`` and ``{base}/id/org/{id}``. They dereference: the resolver
answers ``/id/`` (``tracer.resolver.things``) and ``/01/`` (``tracer.resolver.classlevel``: the lot's journey
once packages exist, before that a redirect to its ``/id/lot/`` page) with a page or JSON(-LD) showing what
the origin pages show. Quantities are JSON numbers with their exact decimal digits. Every event carries its
ledger index, leaf hash (hex), key id and the public URL of its ledger entry (``ocop:ledgerEntry``) in the
``ocop:`` namespace, so a reader can check it against the log; its eventID is the standard event hash ID
(``tracer.proofs.eventhash``), so another EPCIS repository holding the same event names it the same way. No
user names or e-mails are exported.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracer.codes import gs1
from tracer.events.diary import entries_of
from tracer.events.lineage import ancestors, descendants
from tracer.events.registry import EVENT_TYPES
from tracer.ledger.schema import ledger_entries
from tracer.models.events import EventRecord, LotEvent
from tracer.models.lots import Lot
from tracer.models.products import Product
from tracer.platform.clock import VIETNAM_OFFSET
from tracer.platform.errors import NotFound
from tracer.proofs.eventhash import event_hash_id

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
NAMESPACE = "https://ocop-tracer.vn/epcis/"
# Our extension terms are compact IRIs under this one prefix, at every depth (``ocop:salePoint`` holds
# ``ocop:name``...), so JSON-LD expansion with the (protected, vocabulary-less) EPCIS context keeps every
# value; the context stays a plain prefix map, which is what GS1's event hash tool reads namespaces from.
PREFIXES = {"ocop": NAMESPACE}
OFFSET = VIETNAM_OFFSET
UNITS = {
    "kg": "KGM",
    "g": "GRM",
    "tấn": "TNE",
    "lít": "LTR",
    "l": "LTR",
    "ml": "MLT",
    "chai": "BO",
    "hộp": "BX",
    "gói": "PA",
    "túi": "BG",
    "hũ": "JR",
    "quả": "H87",
    "cái": "H87",
}


class _Terms:
    """URIs of the things events talk about, under the service's public base URL, for the lots of one
    lineage (``tracer.events.eventtype.EpcisTerms``)."""

    def __init__(self, session: Session, base: str, lots: list[Lot]) -> None:
        self.session = session
        self.base = base.rstrip("/")
        self.lots = frozenset(lot.id for lot in lots)
        product_ids = {lot.product_id for lot in lots if lot.product_id is not None}
        products: list[Product] = (
            list(session.exec(select(Product).where(col(Product.id).in_(product_ids)))) if product_ids else []
        )
        gtins = {p.id: p.gtin for p in products}
        self.lot_gtin = {lot.id: gtins.get(lot.product_id) if lot.product_id else None for lot in lots}
        self.units = {lot.id: lot.unit for lot in lots}

    def _gtin(self, lot_id: str) -> str | None:
        """The lot's GTIN, looked up once for a lot outside the lineage (a recall names all it reached)."""
        if lot_id not in self.lot_gtin:
            lot = self.session.get(Lot, lot_id)
            product = self.session.get(Product, lot.product_id) if lot and lot.product_id else None
            self.lot_gtin[lot_id] = product.gtin if product else None
            self.units[lot_id] = lot.unit if lot else ""
        return self.lot_gtin[lot_id]

    def lot(self, lot_id: str) -> str:
        gtin = self._gtin(lot_id)
        return f"{self.base}/01/{gtin}/10/{lot_id}" if gtin else f"{self.base}/id/lot/{lot_id}"

    def thing(self, kind: str, value: object) -> str:
        return f"{self.base}/id/{kind}/{value}"

    def package(self, lot_id: str, serial: str) -> str:
        return gs1.package_link(self.base, self._gtin(lot_id), lot_id, serial)

    def quantity(self, lot_id: str, amount: str | None = None, unit: str | None = None) -> dict[str, Any]:
        element: dict[str, Any] = {"epcClass": self.lot(lot_id)}
        if amount is not None:
            element["quantity"] = Decimal(amount)
            self._gtin(lot_id)
            uom = UNITS.get((unit or self.units.get(lot_id) or "").strip().lower())
            if uom:
                element["uom"] = uom
        return element

    def times(self, body: dict[str, Any], day: str | None) -> dict[str, Any]:
        recorded = body["recorded_at"]
        when = f"{date.fromisoformat(day).isoformat()}T00:00:00{OFFSET}" if day else recorded
        return {"eventTime": when, "recordTime": recorded, "eventTimeZoneOffset": OFFSET}


def document(session: Session, base_url: str, lot_id: str) -> dict[str, Any]:
    """The EPCISDocument of every event on the lot's lineage: back to the zones, forward to the packages."""
    if session.get(Lot, lot_id) is None:
        raise NotFound(f"no lot {lot_id}", field="lot")
    lot_ids = sorted(set(ancestors(session, [lot_id])) | set(descendants(session, [lot_id])))
    lots = list(session.exec(select(Lot).where(col(Lot.id).in_(lot_ids))))
    terms = _Terms(session, base_url, lots)
    indexes = sorted(
        set(session.exec(select(LotEvent.ledger_index).where(col(LotEvent.lot_id).in_(lot_ids))))
        | _diary_indexes(session, lots)
    )
    records = list(
        session.exec(
            select(EventRecord)
            .where(col(EventRecord.ledger_index).in_(indexes))
            .order_by(col(EventRecord.ledger_index))
        )
    )
    leaves = _leaf_hashes(session, indexes)
    events = [event for _, event in _mapped(terms, records, leaves)]
    return {
        "@context": [CONTEXT, PREFIXES],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": _utc(datetime.now(UTC)),
        "instanceIdentifier": secrets.token_hex(8),
        "epcisBody": {"eventList": events},
    }


def _leaf_hashes(session: Session, indexes: list[int]) -> dict[int, bytes]:
    """The RFC 9162 leaf hash of each of the ledger entries ``indexes``."""
    rows = session.connection().execute(
        sa_select(ledger_entries.c.idx, ledger_entries.c.leaf_hash).where(ledger_entries.c.idx.in_(indexes))
    )
    return {int(idx): bytes(leaf) for idx, leaf in rows}


def ledger_events(
    session: Session, base_url: str, after: int, count: int
) -> tuple[list[dict[str, Any]], int]:
    """The exported events of the ledger records after index ``after``, at most ``count`` records read, in
    ledger order; and the index of the last record read (``after`` when there was none)."""
    records = list(
        session.exec(
            select(EventRecord)
            .where(col(EventRecord.ledger_index) > after)
            .order_by(col(EventRecord.ledger_index))
            .limit(count)
        )
    )
    if not records:
        return [], after
    indexes = [record.ledger_index for record in records]
    leaves = _leaf_hashes(session, indexes)
    terms = _Terms(session, base_url, [])
    return [event for _, event in _mapped(terms, records, leaves)], indexes[-1]


def _mapped(
    terms: _Terms, records: list[EventRecord], leaves: dict[int, bytes]
) -> list[tuple[int, dict[str, Any]]]:
    """Each record with an EPCIS mapping as its event, with the ledger fields and the event hash ID."""
    events = []
    for record in records:
        body = json.loads(record.body)
        event_type = EVENT_TYPES.get(body["type"])
        if event_type is None or event_type.epcis is None:
            continue
        event = event_type.epcis(terms, record.ledger_index, body)
        event["ocop:ledgerEntry"] = f"{terms.base}/api/v1/ledger/entries/{record.ledger_index}"
        event["ocop:ledgerIndex"] = record.ledger_index
        event["ocop:leafHash"] = bytes(leaves[record.ledger_index]).hex()
        event["ocop:keyid"] = record.keyid
        events.append((record.ledger_index, {"eventID": event_hash_id(event, PREFIXES), **event}))
    return events


def _diary_indexes(session: Session, lots: list[Lot]) -> set[int]:
    """The farm-diary entries of the zones the lineage's harvests came from, up to each zone's last harvest
    of the lineage (what was applied before the crop was picked)."""
    last: dict[str, date] = {}
    for lot in lots:
        if lot.zone_id and lot.produced_on is not None:
            last[lot.zone_id] = max(lot.produced_on, last.get(lot.zone_id, lot.produced_on))
    found: set[int] = set()
    for zone_id, until in last.items():
        found.update(entry.ledger_index for entry in entries_of(session, zone_id, until))
    return found


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def dumps(doc: dict[str, Any]) -> str:
    """JSON text of ``doc`` with every Decimal written as a JSON number of exactly its digits."""
    marks: dict[str, str] = {}
    nonce = secrets.token_hex(8)  # so that no text in the document can pass for a placeholder

    def mark(value: Any) -> Any:
        if isinstance(value, Decimal):
            token = f"@@{nonce}.{len(marks)}@@"
            marks[token] = format(value, "f")
            return token
        raise TypeError(f"not JSON serialisable: {type(value).__name__}")

    text = json.dumps(doc, ensure_ascii=False, default=mark)
    for token, digits in marks.items():
        text = text.replace(f'"{token}"', digits)
    return text
