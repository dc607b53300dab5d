"""inspect: a market inspector records a finding on a package or lot, signed with the inspector's key.

EPCIS: an ObjectEvent ``inspecting``, disposition ``conformant``, ``non_conformant`` or ``unknown``. Not a
step of a lot's journey on the origin page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.events import pipeline
from tracer.events.commands import Inspect
from tracer.events.eventtype import Body, EpcisTerms, EventType
from tracer.ledger.appender import Appender
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import Inspection, LotEvent
from tracer.models.lots import Lot, Package
from tracer.platform.errors import NotFound

DISPOSITIONS = {"pass": "conformant", "fail": "non_conformant", "suspect": "unknown"}


def record_inspection(
    *, session: Session, actor: Actor, command: Inspect, ledger: Appender
) -> pipeline.Recorded:
    actor.require(Role.INSPECTOR)
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
    return pipeline.commit(session, ledger, actor, body, project_inspection)


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
