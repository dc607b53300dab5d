"""recall: lots are withdrawn, with a reason; the recall reaches every descendant lot and package.

EPCIS: an ObjectEvent with disposition ``recalled`` over every lot the recall reached when it was recorded
(its projection), not only those of the document's lineage, so the event and its hash ID are the same in
every document.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlmodel import Session, col, select

from tracer.accounts.actors import Actor
from tracer.events import pipeline
from tracer.events.commands import Recall
from tracer.events.eventtype import Body, EpcisTerms, EventType
from tracer.events.journey import Journey, Step
from tracer.events.lineage import descendants
from tracer.ledger.appender import Appender
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import EventRecord, LotEvent
from tracer.models.lots import Lot, Package
from tracer.platform.errors import NotFound, RuleViolation
from tracer.platform.messages import Message


def record_recall(*, session: Session, actor: Actor, command: Recall, ledger: Appender) -> pipeline.Recorded:
    """A producer recalls lots it holds or made; the programme authority may recall any lot."""
    actor.require(Role.PRODUCER, Role.AUTHORITY)
    for i, lot_id in enumerate(command.lot_ids):
        lot = session.get(Lot, lot_id)
        field = f"lot_ids[{i}]"
        if lot is None or (actor.role is Role.PRODUCER and lot.organisation_id != actor.organisation_id):
            raise NotFound(Message.LOT_NOT_OURS, field=field, lot=lot_id)
        if lot.status == "recalled":
            raise RuleViolation(Message.LOT_ALREADY_RECALLED, field=field, lot=lot_id)
    body = pipeline.body_of(
        actor, command.type, {"lot_ids": list(dict.fromkeys(command.lot_ids)), "reason": command.reason}
    )
    return pipeline.commit(session, ledger, actor, body, project_recall)


def project_recall(session: Session, index: int, body: dict[str, Any]) -> None:
    reached = descendants(session, body["lot_ids"])
    conn = session.connection()
    conn.execute(
        update(Lot)
        .where(col(Lot.id).in_(reached))
        .values(status="recalled", recall_index=index, recall_reason=body["reason"])
    )
    conn.execute(update(Package).where(col(Package.lot_id).in_(reached)).values(status="recalled"))
    session.add_all(
        [rows.new(LotEvent, lot_id=lot_id, ledger_index=index, role="recalled") for lot_id in reached]
    )


def recall_epcis(terms: EpcisTerms, index: int, body: Body) -> dict[str, Any]:
    reached = terms.session.exec(
        select(LotEvent.lot_id).where(LotEvent.ledger_index == index, LotEvent.role == "recalled")
    )
    return {
        "type": "ObjectEvent",
        **terms.times(body, None),
        "action": "OBSERVE",
        "disposition": "recalled",
        "quantityList": [terms.quantity(lot) for lot in sorted(set(reached) | set(body["lot_ids"]))],
        "ocop:reason": body["reason"],
    }


def recall_step(story: Journey, record: EventRecord, body: Body) -> Step:
    return Step(
        "recall",
        record.recorded_at.date(),
        detail=body["reason"],
        organisation=story.org_name(record.organisation_id),
        signature=story.signed(record),
    )


RECALL = EventType(
    command=Recall,
    record=record_recall,
    project=project_recall,
    created=lambda body: {"lot_ids": body["lot_ids"]},
    location=lambda _created: None,  # several lots: none of them is the one to look at
    signers=("org", "authority"),
    epcis=recall_epcis,
    step=recall_step,
    step_kind="recall",
    step_title=_l("Recall"),
)
