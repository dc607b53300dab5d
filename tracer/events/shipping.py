"""ship: a lot leaves for another organisation (which then receives it) or for a sale point.

EPCIS: an ObjectEvent ``shipping`` (``in_transit``) from the owning party to the receiving one.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.events import journey, pipeline
from tracer.events.commands import Ship
from tracer.events.eventtype import Body, EpcisTerms, EventType
from tracer.events.journey import Journey, Step
from tracer.events.rules import held_lot, not_in_future
from tracer.ledger.appender import Appender
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import EventRecord, LotEvent, Shipment
from tracer.models.lots import Lot, Package
from tracer.models.organisations import Organisation, OrgKind
from tracer.platform.errors import InvalidInput, NotFound
from tracer.platform.messages import Message


def record_shipment(*, session: Session, actor: Actor, command: Ship, ledger: Appender) -> pipeline.Recorded:
    actor.require(Role.PRODUCER)
    org = actor.require_organisation()
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
    return pipeline.commit(session, ledger, actor, body, project_shipment)


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


def shipment_epcis(terms: EpcisTerms, _index: int, body: Body) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        **terms.times(body, body["shipped_on"]),
        "quantityList": [terms.quantity(body["lot_id"])],
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
    }
    if body.get("org") is not None:
        event["sourceList"] = [{"type": "owning_party", "source": terms.thing("org", body["org"])}]
    if body.get("to_org") is not None:
        event["destinationList"] = [
            {"type": "owning_party", "destination": terms.thing("org", body["to_org"])}
        ]
    if body.get("sale_point"):
        # prefixed keys: the EPCIS context is protected and has no default vocabulary, so a bare ``name``
        # would expand to nothing in JSON-LD
        event["ocop:salePoint"] = {f"ocop:{key}": value for key, value in body["sale_point"].items()}
    return event


def shipment_step(story: Journey, record: EventRecord, body: Body) -> Step:
    shipment = story.shipments.get(record.ledger_index)
    point = body.get("sale_point") or {}
    to = story.org_name(body.get("to_org")) if body.get("to_org") is not None else ""
    return Step(
        "ship",
        record.occurred_on,
        name=point.get("name") or to,
        place=journey.place(point.get("address"), point.get("province")) if point else "",
        organisation=story.org_name(record.organisation_id),
        detail=str(shipment.package_count) if shipment else "",
        signature=story.signed(record),
    )


SHIP = EventType(
    command=Ship,
    record=record_shipment,
    project=project_shipment,
    created=lambda body: {"lot_id": body["lot_id"]},
    location=lambda created: f"lots/{created['lot_id']}",
    signers=("org",),
    epcis=shipment_epcis,
    step=shipment_step,
    step_kind="ship",
    step_title=_l("Shipping"),
)
