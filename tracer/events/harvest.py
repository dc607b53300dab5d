"""harvest: a raw lot comes out of a zone (EPCIS: ObjectEvent ADD ``commissioning`` at the zone)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.codes.identifiers import new_lot_id
from tracer.events import balance, diary, journey, pipeline
from tracer.events.commands import Harvest
from tracer.events.eventtype import Body, EpcisTerms, EventType
from tracer.events.journey import Journey, Step
from tracer.events.rules import not_in_future, own_product
from tracer.ledger.appender import Appender
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import EventRecord, LotEvent
from tracer.models.lots import Lot
from tracer.models.zones import Zone
from tracer.platform.errors import NotFound
from tracer.platform.messages import Message


def record_harvest(
    *, session: Session, actor: Actor, command: Harvest, ledger: Appender
) -> pipeline.Recorded:
    actor.require(Role.PRODUCER)
    org = actor.require_organisation()
    zone = session.get(Zone, command.zone_id)
    if zone is None or zone.organisation_id != org:
        raise NotFound(Message.ZONE_NOT_OURS, field="zone_id", zone=command.zone_id)
    not_in_future(command.harvested_on, "harvested_on")
    diary.refuse_inside_interval(session, zone.id, command.harvested_on)
    if command.product_id is not None:
        own_product(session, org, command.product_id, "product_id")
    balance.check_harvest(session, zone, command.quantity, command.unit, command.harvested_on)
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
    return pipeline.commit(session, ledger, actor, body, project_harvest)


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


def harvest_epcis(terms: EpcisTerms, _index: int, body: Body) -> dict[str, Any]:
    zone = {"id": terms.thing("zone", body["zone_id"])}
    lot = body["lot"]
    return {
        "type": "ObjectEvent",
        **terms.times(body, body["harvested_on"]),
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "quantityList": [terms.quantity(lot["id"], lot["quantity"], lot["unit"])],
        "readPoint": zone,
        "bizLocation": zone,
        "ocop:name": lot["name"],
    }


def harvest_step(story: Journey, record: EventRecord, body: Body) -> Step:
    zone = story.zones.get(body["zone_id"])
    return Step(
        "harvest",
        record.occurred_on,
        name=body["lot"]["name"],
        place=zone.place if zone else "",
        organisation=story.org_name(record.organisation_id),
        quantity=journey.quantity(body["lot"]["quantity"], body["lot"]["unit"]),
        zone=zone,
        signature=story.signed(record),
    )


HARVEST = EventType(
    command=Harvest,
    record=record_harvest,
    project=project_harvest,
    created=lambda body: {"lot_ids": [body["lot"]["id"]], "zone_id": body["zone_id"]},
    location=lambda created: f"lots/{created['lot_ids'][0]}",
    signers=("org",),
    epcis=harvest_epcis,
    step=harvest_step,
    step_kind="harvest",
    step_title=_l("Harvest"),
)
