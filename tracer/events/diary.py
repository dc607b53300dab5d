"""zone.diary: the farm diary (nhật ký canh tác) of a raw-material zone, one signed entry per input applied.

VietGAP producers keep such a diary and buyers ask for it: fertiliser, plant protection products (by the name
they are registered under, with the dose and the pre-harvest interval, thời gian cách ly), irrigation and
other care. A plant protection entry closes the zone to harvests until its interval has passed: a harvest
dated in ``[applied_on, applied_on + phi_days)`` is refused, naming the first day it is allowed
(``harvest_allowed_from``, called by ``tracer.events.harvest`` under the ledger's write lock).

EPCIS 2.0: an ObjectEvent OBSERVE with bizStep ``other`` at the zone (readPoint and bizLocation), with an
empty epcList (the crop on the field has no identifier yet) and the entry's terms in the ``ocop:``
namespace; it goes in the document of every lot harvested from the zone on or after its date.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from tracer.accounts.actors import Actor
from tracer.events import pipeline
from tracer.events.commands import DiaryEntry
from tracer.events.eventtype import Body, EpcisTerms, EventType
from tracer.events.rules import not_in_future
from tracer.ledger.appender import Appender
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.zones import Zone, ZoneDiary
from tracer.platform.errors import NotFound, RuleViolation
from tracer.platform.messages import Message


def zone_of(session: Session, org: int, zone_id: str) -> Zone:
    """One of this organisation's zones; another's is not found (its existence is not ours to reveal)."""
    zone = session.get(Zone, zone_id)
    if zone is None or zone.organisation_id != org:
        raise NotFound(Message.ZONE_NOT_OURS, field="zone_id", zone=zone_id)
    return zone


def record_diary(
    *, session: Session, actor: Actor, command: DiaryEntry, ledger: Appender
) -> pipeline.Recorded:
    actor.require(Role.PRODUCER)
    zone = zone_of(session, actor.require_organisation(), command.zone_id)
    not_in_future(command.applied_on, "applied_on")
    entry = command.model_dump(exclude={"type", "zone_id"}, exclude_none=True)
    body = pipeline.body_of(actor, command.type, {"zone_id": zone.id, "diary": entry})
    return pipeline.commit(session, ledger, actor, body, project_diary)


def _harvest_from(entry: dict[str, Any]) -> date | None:
    phi = entry.get("phi_days")
    if entry.get("kind") != "protection" or phi is None:
        return None
    return pipeline.day(entry["applied_on"]) + timedelta(days=int(phi))


def project_diary(session: Session, index: int, body: dict[str, Any]) -> None:
    entry = body["diary"]
    session.add(
        rows.new(
            ZoneDiary,
            ledger_index=index,
            zone_id=body["zone_id"],
            organisation_id=body["org"],
            kind=entry["kind"],
            applied_on=pipeline.day(entry["applied_on"]),
            product=entry.get("product"),
            dose=entry.get("dose"),
            phi_days=entry.get("phi_days"),
            harvest_from=_harvest_from(entry),
            notes=entry.get("notes"),
        )
    )


def harvest_allowed_from(session: Session, zone_id: str, day: date) -> date | None:
    """The first day a harvest from ``zone_id`` is allowed, when ``day`` is inside a pre-harvest interval
    (of a product applied on or before ``day``); None when a harvest on ``day`` is allowed."""
    blocking = select(func.max(col(ZoneDiary.harvest_from))).where(
        ZoneDiary.zone_id == zone_id,
        col(ZoneDiary.applied_on) <= day,
        col(ZoneDiary.harvest_from) > day,
    )
    allowed: date | None = session.exec(blocking).one()
    return allowed


def refuse_inside_interval(session: Session, zone_id: str, day: date) -> None:
    """Raise when a harvest from ``zone_id`` on ``day`` falls inside a pre-harvest interval."""
    allowed = harvest_allowed_from(session, zone_id, day)
    if allowed is not None:
        raise RuleViolation(
            Message.HARVEST_IN_PHI,
            field="harvested_on",
            zone=zone_id,
            allowed=allowed.isoformat(),
            allowed_on=allowed.strftime("%d/%m/%Y"),
        )


def entries_of(session: Session, zone_id: str, until: date | None = None) -> list[ZoneDiary]:
    """The zone's diary, newest first (applied on or before ``until``, when given)."""
    query = select(ZoneDiary).where(ZoneDiary.zone_id == zone_id)
    if until is not None:
        query = query.where(col(ZoneDiary.applied_on) <= until)
    order = (col(ZoneDiary.applied_on).desc(), col(ZoneDiary.ledger_index).desc())
    return list(session.exec(query.order_by(*order)))


def diary_epcis(terms: EpcisTerms, _index: int, body: Body) -> dict[str, Any]:
    zone = {"id": terms.thing("zone", body["zone_id"])}
    entry = body["diary"]
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        **terms.times(body, entry["applied_on"]),
        "epcList": [],
        "action": "OBSERVE",
        "bizStep": "other",
        "readPoint": zone,
        "bizLocation": zone,
        "ocop:diaryKind": entry["kind"],
    }
    for field, term in (("product", "ocop:inputProduct"), ("dose", "ocop:dose"), ("notes", "ocop:notes")):
        if field in entry:
            event[term] = entry[field]
    if "phi_days" in entry:
        event["ocop:preHarvestIntervalDays"] = entry["phi_days"]
    return event


DIARY = EventType(
    command=DiaryEntry,
    record=record_diary,
    project=project_diary,
    created=lambda body: {"zone_id": body["zone_id"]},
    location=lambda created: f"zones/{created['zone_id']}",
    signers=("org",),
    epcis=diary_epcis,
    step=None,
    step_kind="diary",
    step_title=None,
)
