"""Projections: the tables pages and the API read, and how to rebuild them from the ledger.

The ledger is the source of truth. ``rebuild`` empties every projection table and replays the ledger from
index 0 through the same projectors that ran when each event was first recorded (each event type's
``project``, ``tracer.events.registry``), so the result is the same.
"""

from __future__ import annotations

import json

from sqlalchemy import delete
from sqlmodel import Session

from tracer.events.pipeline import record_event
from tracer.events.registry import EVENT_TYPES
from tracer.ledger.dsse import Envelope
from tracer.models.events import EventRecord, Inspection, LotEvent, LotInput, ReviewDecision, Shipment
from tracer.models.lots import Lot, Package
from tracer.models.products import Certificate
from tracer.models.zones import Zone, ZoneDiary

# Children before parents, so that deleting respects foreign keys.
PROJECTION_TABLES = [
    Package,
    LotEvent,
    LotInput,
    Shipment,
    Inspection,
    Lot,
    ReviewDecision,
    ZoneDiary,
    Zone,
    Certificate,
    EventRecord,
]


def rebuild(session: Session, entries: list[tuple[int, bytes]]) -> int:
    """Empty the projections, replay ``entries`` (index, envelope bytes) in order; return the count."""
    conn = session.connection()
    for table in PROJECTION_TABLES:
        conn.execute(delete(table))
    applied = 0
    for index, raw in entries:
        envelope = Envelope.from_json(raw)
        body = json.loads(envelope.payload)
        event_type = EVENT_TYPES.get(body.get("type"))
        if event_type is None:  # key events live in the ledger's own key table
            continue
        record_event(session, index, envelope.signatures[0].keyid, body)
        event_type.project(session, index, body)
        session.flush()
        applied += 1
    return applied
