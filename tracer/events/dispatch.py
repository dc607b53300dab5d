"""One entry for every event type: parse a command by its ``type`` and call its domain function."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError
from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.events import (
    certify,
    commands,
    harvest,
    inspection,
    packaging,
    recall,
    shipping,
    transform,
    zones,
)
from tracer.events.pipeline import Recorded
from tracer.platform.errors import InvalidInput

EventCommand = Annotated[
    commands.RegisterZone
    | commands.Harvest
    | commands.Receive
    | commands.Transform
    | commands.Package
    | commands.Ship
    | commands.Recall
    | commands.Certify
    | commands.Inspect,
    Field(discriminator="type"),
]
_adapter: TypeAdapter[Any] = TypeAdapter(EventCommand)

RECORDERS: dict[type[commands.Command], Callable[..., Recorded]] = {
    commands.RegisterZone: zones.record_zone,
    commands.Harvest: harvest.record_harvest,
    commands.Receive: harvest.record_receive,
    commands.Transform: transform.record_transform,
    commands.Package: packaging.record_packaging,
    commands.Ship: shipping.record_shipment,
    commands.Recall: recall.record_recall,
    commands.Certify: certify.record_certificate,
    commands.Inspect: inspection.record_inspection,
}
EVENT_TYPES = sorted(c.model_fields["type"].default for c in RECORDERS)


def parse_command(data: Any) -> commands.Command:
    """The typed command in ``data``; InvalidInput naming the first offending field otherwise."""
    if not isinstance(data, dict):
        raise InvalidInput("an event must be a JSON object")
    if "type" not in data:
        raise InvalidInput(f"type is required: one of {', '.join(EVENT_TYPES)}", field="type")
    if data["type"] not in EVENT_TYPES:
        raise InvalidInput(
            f"unknown event type {data['type']!r}: one of {', '.join(EVENT_TYPES)}", field="type"
        )
    try:
        return _adapter.validate_python(data)
    except ValidationError as error:
        raise invalid_input(error, skip_first=True) from None


def invalid_input(error: ValidationError, *, skip_first: bool = False) -> InvalidInput:
    """Our InvalidInput for pydantic's first error, its field a path such as ``inputs[0].quantity``."""
    first = error.errors()[0]
    location = list(first["loc"])[1:] if skip_first else list(first["loc"])
    field = ""
    for part in location:
        field += f"[{part}]" if isinstance(part, int) else (f".{part}" if field else str(part))
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "extra_forbidden":
        message = "unknown field"
    elif first["type"] == "missing":
        message = "is required"
    return InvalidInput(f"{field}: {message}" if field else message, field=field or None)


def record(*, session: Session, actor: Actor, command: commands.Command) -> Recorded:
    return RECORDERS[type(command)](session=session, actor=actor, command=command)
