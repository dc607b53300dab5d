"""inspect: a market inspector records a finding on a package or lot, signed with the inspector's key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.events import pipeline
from tracer.events.commands import Inspect
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import Inspection, LotEvent
from tracer.models.lots import Lot, Package
from tracer.platform.errors import NotFound


def record_inspection(*, session: Session, actor: Actor, command: Inspect) -> pipeline.Recorded:
    actor.require(Role.INSPECTOR)
    store = pipeline.lock(session)
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
    return pipeline.commit(session, store, actor, body, project_inspection)


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
