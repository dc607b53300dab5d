"""Projections: how each event type changes the tables pages and the API read, and how to rebuild them.

The ledger is the source of truth. ``rebuild`` empties every projection table and replays the ledger from
index 0 through the same projectors that ran when each event was first recorded, so the result is the same.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete
from sqlmodel import Session

from tracer.events import certify, harvest, inspection, packaging, recall, shipping, transform, zones
from tracer.events.pipeline import Projector
from tracer.ledger.dsse import Envelope
from tracer.models import rows
from tracer.models.events import EventRecord, Inspection, LotEvent, LotInput, Shipment
from tracer.models.lots import Lot, Package
from tracer.models.products import Certificate
from tracer.models.zones import Zone

PROJECTORS: dict[str, Projector] = {
    "zone.register": zones.project_zone,
    "harvest": harvest.project_harvest,
    "receive": harvest.project_receive,
    "process": transform.project_transform,
    "package": packaging.project_packaging,
    "ship": shipping.project_shipment,
    "recall": recall.project_recall,
    "certify": certify.project_certificate,
    "inspect": inspection.project_inspection,
}

# Children before parents, so that deleting respects foreign keys.
PROJECTION_TABLES = [Package, LotEvent, LotInput, Shipment, Inspection, Lot, Zone, Certificate, EventRecord]

OCCURRED = ("harvested_on", "processed_on", "packed_on", "shipped_on", "received_on")


def record_event(session: Session, index: int, keyid: str, body: dict[str, Any]) -> None:
    occurred = next((body[k] for k in OCCURRED if k in body), None)
    if body["type"] == "certify":
        occurred = body["certificate"]["issued_on"]
    session.add(
        rows.new(
            EventRecord,
            ledger_index=index,
            type=body["type"],
            organisation_id=body.get("org"),
            actor=body.get("by", ""),
            keyid=keyid,
            recorded_at=datetime.fromisoformat(body["recorded_at"].replace("Z", "+00:00")),
            occurred_on=date.fromisoformat(occurred) if occurred else None,
            body=json.dumps(body, ensure_ascii=False, sort_keys=True),
        )
    )


def rebuild(session: Session, entries: list[tuple[int, bytes]]) -> int:
    """Empty the projections, replay ``entries`` (index, envelope bytes) in order; return the count."""
    conn = session.connection()
    for table in PROJECTION_TABLES:
        conn.execute(delete(table))
    applied = 0
    for index, raw in entries:
        envelope = Envelope.from_json(raw)
        body = json.loads(envelope.payload)
        projector = PROJECTORS.get(body.get("type"))
        if projector is None:  # key events live in the ledger's own key table
            continue
        record_event(session, index, envelope.signatures[0].keyid, body)
        projector(session, index, body)
        session.flush()
        applied += 1
    return applied
