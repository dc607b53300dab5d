"""receive: a shipped lot passes into the receiver's custody (EPCIS: ObjectEvent ``receiving``)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from tracer.accounts.actors import Actor
from tracer.events import pipeline
from tracer.events.commands import Receive
from tracer.events.eventtype import Body, EpcisTerms, EventType
from tracer.events.journey import Journey, Step
from tracer.events.rules import not_in_future
from tracer.ledger.appender import Appender
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import EventRecord, LotEvent, Shipment
from tracer.models.lots import Lot
from tracer.platform.errors import NotFound, RuleViolation
from tracer.platform.messages import Message


def record_receive(
    *, session: Session, actor: Actor, command: Receive, ledger: Appender
) -> pipeline.Recorded:
    actor.require(Role.PRODUCER)
    org = actor.require_organisation()
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
    return pipeline.commit(session, ledger, actor, body, project_receive)


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


def receive_epcis(terms: EpcisTerms, _index: int, body: Body) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        **terms.times(body, body["received_on"]),
        "quantityList": [terms.quantity(body["lot_id"])],
        "action": "OBSERVE",
        "bizStep": "receiving",
        "disposition": "in_progress",
        "sourceList": [{"type": "owning_party", "source": terms.thing("org", body["from_org"])}],
    }
    if body["org"] is not None:
        event["destinationList"] = [{"type": "owning_party", "destination": terms.thing("org", body["org"])}]
    return event


def receive_step(story: Journey, record: EventRecord, body: Body) -> Step:
    lot = story.lots.get(body["lot_id"])
    return Step(
        "receive",
        record.occurred_on,
        name=lot.name if lot else "",
        organisation=story.org_name(record.organisation_id),
        signature=story.signed(record),
    )


RECEIVE = EventType(
    command=Receive,
    record=record_receive,
    project=project_receive,
    created=lambda body: {"lot_id": body["lot_id"]},
    location=lambda created: f"lots/{created['lot_id']}",
    signers=("org",),
    epcis=receive_epcis,
    step=receive_step,
    step_kind="receive",
    step_title=_l("Received"),
)
