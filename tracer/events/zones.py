"""zone.register: a producer records a raw-material zone (vùng nguyên liệu)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.codes.identifiers import new_zone_id
from tracer.events import pipeline
from tracer.events.commands import RegisterZone
from tracer.models import rows
from tracer.models.accounts import Role
from tracer.models.zones import Zone


def record_zone(*, session: Session, actor: Actor, command: RegisterZone) -> pipeline.Recorded:
    actor.require(Role.PRODUCER)
    actor.require_organisation()
    store = pipeline.lock(session)
    fields = command.model_dump(exclude={"type", "polygon"}, exclude_none=True)
    if command.polygon is not None:
        # GeoJSON coordinates are display data, not quantities: kept as text so the body holds no float.
        fields["polygon_geojson"] = json.dumps(
            command.polygon, default=float, ensure_ascii=False, separators=(",", ":")
        )
    body = pipeline.body_of(actor, command.type, {"zone": {"id": new_zone_id(), **fields}})
    return pipeline.commit(session, store, actor, body, project_zone)


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
            district=zone["district"],
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
