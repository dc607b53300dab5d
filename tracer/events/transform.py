"""process: input lots, with the quantity taken from each, become output lots (ép dầu gấc, sấy...).

EPCIS: a TransformationEvent (``creating_class_instance``) from the inputs' quantities to the outputs'.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.codes.identifiers import new_lot_id
from tracer.events import balance, journey, pipeline
from tracer.events.commands import Transform
from tracer.events.eventtype import Body, EpcisTerms, EventType
from tracer.events.journey import Journey, Step
from tracer.events.rules import held_lot, not_in_future, own_product
from tracer.ledger.appender import Appender
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import EventRecord, LotEvent, LotInput
from tracer.models.lots import Lot
from tracer.platform.errors import InvalidInput, RuleViolation
from tracer.platform.messages import Message


def record_transform(
    *, session: Session, actor: Actor, command: Transform, ledger: Appender
) -> pipeline.Recorded:
    actor.require(Role.PRODUCER)
    org = actor.require_organisation()
    not_in_future(command.processed_on, "processed_on")
    seen: set[str] = set()
    taken: list[tuple[Lot, Decimal]] = []
    for i, item in enumerate(command.inputs):
        field = f"inputs[{i}]"
        if item.lot_id in seen:
            raise InvalidInput(Message.LOT_LISTED_TWICE, field=f"{field}.lot_id", lot=item.lot_id)
        seen.add(item.lot_id)
        lot = held_lot(session, org, item.lot_id, f"{field}.lot_id")
        if item.quantity > lot.remaining:
            raise RuleViolation(
                Message.PROCESS_OVERDRAW,
                field=f"{field}.quantity",
                lot=lot.id,
                remaining=lot.remaining,
                unit=lot.unit,
                quantity=item.quantity,
            )
        if command.processed_on < lot.produced_on:
            raise RuleViolation(
                Message.PROCESSED_BEFORE_PRODUCED,
                field="processed_on",
                lot=lot.id,
                produced=lot.produced_on.isoformat(),
            )
        taken.append((lot, item.quantity))
    outputs = []
    weighed: list[balance.Output] = []
    for i, out in enumerate(command.outputs):
        product = None
        if out.product_id is not None:
            product = own_product(session, org, out.product_id, f"outputs[{i}].product_id")
        outputs.append({"id": new_lot_id(), **out.model_dump(exclude_none=True)})
        weighed.append(balance.Output(f"outputs[{i}]", out.name, out.quantity, out.unit, product))
    balance.check_process(taken, weighed)
    fields = {
        "step": command.step,
        "facility": command.facility,
        "processed_on": command.processed_on,
        "inputs": [i.model_dump() for i in command.inputs],
        "outputs": outputs,
    }
    body = pipeline.body_of(actor, command.type, fields)
    return pipeline.commit(session, ledger, actor, body, project_transform)


def project_transform(session: Session, index: int, body: dict[str, Any]) -> None:
    for item in body["inputs"]:
        lot = session.get(Lot, item["lot_id"])
        assert lot is not None
        lot.remaining = lot.remaining - Decimal(item["quantity"])
        if lot.remaining == 0 and lot.status == "active":
            lot.status = "used"
        session.add(lot)
        session.add(rows.new(LotEvent, lot_id=lot.id, ledger_index=index, role="input"))
    for out in body["outputs"]:
        quantity = Decimal(out["quantity"])
        session.add(
            rows.new(
                Lot,
                id=out["id"],
                organisation_id=body["org"],
                product_id=out.get("product_id"),
                name=out["name"],
                quantity=quantity,
                remaining=quantity,
                unit=out["unit"],
                produced_on=pipeline.day(body["processed_on"]),
                created_index=index,
            )
        )
        session.add(rows.new(LotEvent, lot_id=out["id"], ledger_index=index, role="created"))
        for item in body["inputs"]:
            session.add(
                rows.new(
                    LotInput,
                    output_lot_id=out["id"],
                    input_lot_id=item["lot_id"],
                    quantity=Decimal(item["quantity"]),
                    ledger_index=index,
                )
            )


def transform_epcis(terms: EpcisTerms, _index: int, body: Body) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "TransformationEvent",
        **terms.times(body, body["processed_on"]),
        "inputQuantityList": [terms.quantity(i["lot_id"], i["quantity"]) for i in body["inputs"]],
        "outputQuantityList": [terms.quantity(o["id"], o["quantity"], o["unit"]) for o in body["outputs"]],
        "bizStep": "creating_class_instance",
        "disposition": "active",
        "ocop:step": body["step"],
    }
    if body.get("facility"):
        event["ocop:facility"] = body["facility"]
    return event


def transform_step(story: Journey, record: EventRecord, body: Body) -> Step:
    return Step(
        "process",
        record.occurred_on,
        name=body["step"],
        facility=body.get("facility", ""),
        organisation=story.org_name(record.organisation_id),
        inputs=tuple(story.lots[i["lot_id"]].name for i in body["inputs"] if i["lot_id"] in story.lots),
        outputs=tuple(f"{o['name']} ({journey.quantity(o['quantity'], o['unit'])})" for o in body["outputs"]),
        signature=story.signed(record),
    )


PROCESS = EventType(
    command=Transform,
    record=record_transform,
    project=project_transform,
    created=lambda body: {
        "lot_ids": [out["id"] for out in body["outputs"]],
        "input_lot_ids": [item["lot_id"] for item in body["inputs"]],
    },
    location=lambda created: f"lots/{created['lot_ids'][0]}",
    signers=("org",),
    epcis=transform_epcis,
    step=transform_step,
    step_kind="process",
    step_title=_l("Processing"),
)
