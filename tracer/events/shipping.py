"""ship: a lot leaves for another organisation (which then receives it) or for a sale point."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.events import pipeline
from tracer.events.commands import Ship
from tracer.events.rules import held_lot, not_in_future
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import LotEvent, Shipment
from tracer.models.lots import Lot, Package
from tracer.models.organisations import Organisation, OrgKind
from tracer.platform.errors import InvalidInput, NotFound
from tracer.platform.messages import Message


def record_shipment(*, session: Session, actor: Actor, command: Ship) -> pipeline.Recorded:
    actor.require(Role.PRODUCER)
    org = actor.require_organisation()
    store = pipeline.lock(session)
    lot = held_lot(session, org, command.lot_id, "lot_id")
    not_in_future(command.shipped_on, "shipped_on")
    if command.shipped_on < lot.produced_on:
        raise InvalidInput(Message.SHIPPED_BEFORE_PRODUCED, field="shipped_on")
    if command.to_organisation_id is not None:
        receiver = session.get(Organisation, command.to_organisation_id)
        if receiver is None or receiver.kind == OrgKind.AUTHORITY:
            raise NotFound(
                Message.NO_ORGANISATION, field="to_organisation_id", org=command.to_organisation_id
            )
        if receiver.id == org:
            raise InvalidInput(Message.SHIPPED_TO_HOLDER, field="to_organisation_id")
    fields = {
        "lot_id": lot.id,
        "shipped_on": command.shipped_on,
        "to_org": command.to_organisation_id,
        "sale_point": command.sale_point.model_dump(exclude_none=True) if command.sale_point else None,
    }
    body = pipeline.body_of(actor, command.type, fields)
    return pipeline.commit(session, store, actor, body, project_shipment)


def project_shipment(session: Session, index: int, body: dict[str, Any]) -> None:
    lot = session.get(Lot, body["lot_id"])
    assert lot is not None
    point = body.get("sale_point") or {}
    moved = (
        session.connection()
        .execute(
            update(Package)
            .where(Package.lot_id == lot.id, Package.status == "active")  # type: ignore[arg-type]
            .values(status="shipped")
        )
        .rowcount
    )
    session.add(
        rows.new(
            Shipment,
            ledger_index=index,
            lot_id=lot.id,
            from_organisation_id=body["org"],
            to_organisation_id=body.get("to_org"),
            sale_point=point.get("name"),
            sale_point_address=point.get("address"),
            province=point.get("province"),
            shipped_on=pipeline.day(body["shipped_on"]),
            package_count=moved or 0,
        )
    )
    if body.get("to_org") is not None:
        lot.in_transit_to = body["to_org"]
        session.add(lot)
    session.add(rows.new(LotEvent, lot_id=lot.id, ledger_index=index, role="shipped"))
