"""inspect: a market inspector records a finding on a package or lot, signed with the inspector's key.

EPCIS: an ObjectEvent ``inspecting``, disposition ``conformant``, ``non_conformant`` or ``unknown``. Not a
step of a lot's journey on the origin page.

An inspection may carry the phone's own id for it (``client_id``, a UUID, signed with the rest): the scanner
queues inspections made offline and sends them when the phone is back online, perhaps twice (an answer lost
on a bad network). The same inspector sending the same ``client_id`` again gets the receipt of the entry
already recorded, looked up under the ledger's write lock, and nothing new is signed; the same id with
different content is refused (409). A unique index on (inspector, client_id) backs the rule.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracer.accounts.actors import Actor
from tracer.events import pipeline
from tracer.events.commands import Inspect
from tracer.events.eventtype import Body, EpcisTerms, EventType
from tracer.ledger.appender import Appender
from tracer.ledger.schema import ledger_entries
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import EventRecord, Inspection, LotEvent
from tracer.models.lots import Lot, Package
from tracer.platform.errors import Conflict, NotFound

PENDING = (
    "tracer.inspections.pending"  # session.info: this transaction's inspections by index, not yet sealed
)
DISPOSITIONS = {"pass": "conformant", "fail": "non_conformant", "suspect": "unknown"}


def record_inspection(
    *, session: Session, actor: Actor, command: Inspect, ledger: Appender
) -> pipeline.Recorded:
    actor.require(Role.INSPECTOR)
    if command.client_id is not None:
        earlier = _already_recorded(session, actor, command)
        if earlier is not None:
            return earlier
    lot_id = command.lot_id
    if command.serial is not None:
        package = session.get(Package, command.serial)
        if package is None:
            raise NotFound(f"no package {command.serial}", field="serial")
        lot_id = package.lot_id
    elif command.lot_id is not None and session.get(Lot, command.lot_id) is None:
        raise NotFound(f"no lot {command.lot_id}", field="lot_id")
    fields = command.model_dump(exclude={"type"}, exclude_none=True)
    fields["lot_id"] = lot_id
    body = pipeline.body_of(actor, command.type, fields)
    recorded = pipeline.commit(session, ledger, actor, body, project_inspection)
    if command.client_id is not None:
        session.info.setdefault(PENDING, {})[recorded.index] = recorded
    return recorded


def _already_recorded(session: Session, actor: Actor, command: Inspect) -> pipeline.Recorded | None:
    """The inspection this inspector already recorded under ``command.client_id``, as its receipt; None if
    there is none; Conflict if there is one with other content (a phone reusing an id is a bug, not a retry).
    Called with the ledger's write lock held, so a concurrent twin waits for this one's commit."""
    found = session.exec(
        select(Inspection).where(
            col(Inspection.inspector_user_id) == actor.user_id, col(Inspection.client_id) == command.client_id
        )
    ).first()
    if found is None:
        return None
    record = session.get(EventRecord, found.ledger_index)
    leaf = (
        session.connection()
        .execute(sa_select(ledger_entries.c.leaf_hash).where(ledger_entries.c.idx == found.ledger_index))
        .scalar_one_or_none()
    )
    if record is None or leaf is None:  # recorded earlier in this transaction (a batch): not appended yet
        recorded = session.info.get(PENDING, {}).get(found.ledger_index)
        if recorded is None:
            raise Conflict(f"inspection {command.client_id} is being recorded", field="client_id")
        body, leaf, keyid = recorded.body, recorded.leaf_hash, recorded.keyid
    else:
        body, keyid = json.loads(record.body), record.keyid
    asked = command.model_dump(exclude={"type"}, exclude_none=True)
    signed = {key: body.get(key) for key in asked}
    if signed != asked:
        raise Conflict(
            f"client_id {command.client_id} was already used for another inspection", field="client_id"
        )
    return pipeline.Recorded(index=found.ledger_index, leaf_hash=bytes(leaf), keyid=keyid, body=body)


def project_inspection(session: Session, index: int, body: dict[str, Any]) -> None:
    session.add(
        rows.new(
            Inspection,
            ledger_index=index,
            inspector_user_id=int(body["by"].split(":")[1]),
            lot_id=body.get("lot_id"),
            serial=body.get("serial"),
            result=body["result"],
            place=body["place"],
            province=body.get("province"),
            notes=body.get("notes"),
            photo_sha256=body.get("photo_sha256"),
            inspected_at=datetime.fromisoformat(body["recorded_at"].replace("Z", "+00:00")),
            client_id=body.get("client_id"),
        )
    )
    if body.get("lot_id"):
        session.add(rows.new(LotEvent, lot_id=body["lot_id"], ledger_index=index, role="inspected"))


def inspection_epcis(terms: EpcisTerms, _index: int, body: Body) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        **terms.times(body, None),
        "action": "OBSERVE",
        "bizStep": "inspecting",
        "disposition": DISPOSITIONS.get(body["result"], "unknown"),
        "ocop:result": body["result"],
        "ocop:place": body["place"],
    }
    if body.get("serial"):
        event["epcList"] = [terms.package(body["lot_id"], body["serial"])]
    else:
        event["quantityList"] = [terms.quantity(body["lot_id"])]
    return event


INSPECT = EventType(
    command=Inspect,
    record=record_inspection,
    project=project_inspection,
    created=lambda body: {key: body[key] for key in ("lot_id", "serial") if body.get(key)},
    location=lambda created: f"lots/{created['lot_id']}" if "lot_id" in created else None,
    signers=("inspector",),
    epcis=inspection_epcis,
    step=None,
    step_kind="inspect",
    step_title=None,
)
