"""harvest: a raw lot comes out of a zone; receive: a shipped lot passes into the receiver's custody."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlmodel import Session, col, select

from tracer.accounts.actors import Actor
from tracer.codes.identifiers import new_lot_id
from tracer.events import pipeline
from tracer.events.commands import Harvest, Receive
from tracer.events.rules import not_in_future, own_product
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import LotEvent, Shipment
from tracer.models.lots import Lot
from tracer.models.zones import Zone
from tracer.platform.errors import NotFound, RuleViolation
from tracer.platform.messages import Message


def record_harvest(*, session: Session, actor: Actor, command: Harvest) -> pipeline.Recorded:
    actor.require(Role.PRODUCER)
    org = actor.require_organisation()
    store = pipeline.lock(session)
    zone = session.get(Zone, command.zone_id)
    if zone is None or zone.organisation_id != org:
        raise NotFound(Message.ZONE_NOT_OURS, field="zone_id", zone=command.zone_id)
    not_in_future(command.harvested_on, "harvested_on")
    if command.product_id is not None:
        own_product(session, org, command.product_id, "product_id")
    lot = {
        "id": new_lot_id(),
        "name": command.name,
        "quantity": command.quantity,
        "unit": command.unit,
        "product_id": command.product_id,
    }
    body = pipeline.body_of(
        actor, command.type, {"zone_id": zone.id, "harvested_on": command.harvested_on, "lot": lot}
    )
    return pipeline.commit(session, store, actor, body, project_harvest)


def project_harvest(session: Session, index: int, body: dict[str, Any]) -> None:
    lot = body["lot"]
    quantity = Decimal(lot["quantity"])
    session.add(
        rows.new(
            Lot,
            id=lot["id"],
            organisation_id=body["org"],
            product_id=lot.get("product_id"),
            zone_id=body["zone_id"],
            name=lot["name"],
            quantity=quantity,
            remaining=quantity,
            unit=lot["unit"],
            produced_on=pipeline.day(body["harvested_on"]),
            created_index=index,
        )
    )
    session.add(rows.new(LotEvent, lot_id=lot["id"], ledger_index=index, role="created"))


def record_receive(*, session: Session, actor: Actor, command: Receive) -> pipeline.Recorded:
    actor.require(Role.PRODUCER)
    org = actor.require_organisation()
    store = pipeline.lock(session)
    lot = session.get(Lot, command.lot_id)
    if lot is None or lot.in_transit_to != org:
        raise NotFound(Message.LOT_NOT_INCOMING, field="lot_id", lot=command.lot_id)
    if lot.status == "recalled":
        raise RuleViolation(Message.LOT_RECALLED, field="lot_id", lot=command.lot_id)
    not_in_future(command.received_on, "received_on")
    shipment = _open_shipment(session, lot.id, org)
    if command.received_on < shipment.shipped_on:
        raise RuleViolation(Message.RECEIVED_BEFORE_SHIPPED, field="received_on")
    body = pipeline.body_of(
        actor,
        command.type,
        {"lot_id": lot.id, "from_org": lot.organisation_id, "received_on": command.received_on},
    )
    return pipeline.commit(session, store, actor, body, project_receive)


def _open_shipment(session: Session, lot_id: str, org: int) -> Shipment:
    shipment = session.exec(
        select(Shipment)
        .where(
            Shipment.lot_id == lot_id,
            Shipment.to_organisation_id == org,
            col(Shipment.received_index).is_(None),
        )
        .order_by(col(Shipment.ledger_index).desc())
    ).first()
    if shipment is None:
        raise NotFound(Message.SHIPMENT_NOT_INCOMING, field="lot_id", lot=lot_id)
    return shipment


def project_receive(session: Session, index: int, body: dict[str, Any]) -> None:
    lot = session.get(Lot, body["lot_id"])
    assert lot is not None
    shipment = _open_shipment(session, lot.id, body["org"])
    shipment.received_index = index
    lot.organisation_id = body["org"]
    lot.in_transit_to = None
    session.add_all([lot, shipment, rows.new(LotEvent, lot_id=lot.id, ledger_index=index, role="received")])
