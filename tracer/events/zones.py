"""zone.register: a producer records a raw-material zone (vùng nguyên liệu).

Not an EPCIS event of its own: the zone is the readPoint and bizLocation of the harvests from it.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.codes.identifiers import new_zone_id
from tracer.events import pipeline
from tracer.events.commands import RegisterZone
from tracer.events.eventtype import Body, EventType
from tracer.events.journey import Journey, Step
from tracer.ledger.appender import Appender
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.events import EventRecord
from tracer.models.zones import Zone


def record_zone(
    *, session: Session, actor: Actor, command: RegisterZone, ledger: Appender
) -> pipeline.Recorded:
    actor.require(Role.PRODUCER)
    actor.require_organisation()
    fields = command.model_dump(exclude={"type", "polygon"}, exclude_none=True)
    if command.polygon is not None:
        # GeoJSON coordinates are display data, not quantities: kept as text so the body holds no float.
        fields["polygon_geojson"] = json.dumps(
            command.polygon, default=float, ensure_ascii=False, separators=(",", ":")
        )
    body = pipeline.body_of(actor, command.type, {"zone": {"id": new_zone_id(), **fields}})
    return pipeline.commit(session, ledger, actor, body, project_zone)


def project_zone(session: Session, index: int, body: dict[str, Any]) -> None:
    zone = body["zone"]
    session.add(
        rows.new(
            Zone,
            id=zone["id"],
            organisation_id=body["org"],
            name=zone["name"],
            address=zone.get("address"),
            commune=zone["commune"],
            district=zone.get("district", ""),
            former_address=zone.get("former_address"),
            province=zone["province"],
            latitude=_decimal(zone.get("latitude")),
            longitude=_decimal(zone.get("longitude")),
            polygon_geojson=zone.get("polygon_geojson"),
            area_ha=_decimal(zone.get("area_ha")),
            crop=zone["crop"],
            certifications=", ".join(zone.get("certifications", [])),
            ledger_index=index,
        )
    )


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def zone_step(journey: Journey, record: EventRecord, body: Body) -> Step:
    """The zone at the start of the journey (first of all steps, whatever its index)."""
    zone = journey.zones[body["zone"]["id"]]
    return Step(
        "zone",
        None,
        name=zone.name,
        place=zone.place,
        organisation=journey.org_name(record.organisation_id),
        zone=zone,
        signature=journey.signed(record),
    )


ZONE = EventType(
    command=RegisterZone,
    record=record_zone,
    project=project_zone,
    created=lambda body: {"zone_id": body["zone"]["id"]},
    location=lambda created: f"zones/{created['zone_id']}",
    signers=("org",),
    epcis=None,
    step=zone_step,
    step_kind="zone",
    step_title=_l("Raw-material zone"),
)
