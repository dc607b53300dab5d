"""One entry for every event type: parse a command by its ``type``, record it (``tracer.events.registry``)."""

from __future__ import annotations

import functools
import operator
from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError
from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.events import commands, pipeline
from tracer.events.pipeline import Recorded
from tracer.events.registry import EVENT_TYPES
from tracer.ledger.appender import Appender
from tracer.platform.errors import InvalidInput

EventCommand: Any = Annotated[  # the union of every registered command, told apart by ``type``
    functools.reduce(operator.or_, EVENT_TYPES.commands()),
    Field(discriminator="type"),
]
_adapter: TypeAdapter[Any] = TypeAdapter(EventCommand)
KINDS = sorted(EVENT_TYPES)


def parse_command(data: Any) -> commands.Command:
    """The typed command in ``data``; InvalidInput naming the first offending field otherwise."""
    if not isinstance(data, dict):
        raise InvalidInput("an event must be a JSON object")
    if "type" not in data:
        raise InvalidInput(f"type is required: one of {', '.join(KINDS)}", field="type")
    if data["type"] not in KINDS:
        raise InvalidInput(f"unknown event type {data['type']!r}: one of {', '.join(KINDS)}", field="type")
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


def record(
    *, session: Session, actor: Actor, command: commands.Command, ledger: Appender | None = None
) -> Recorded:
    """Record ``command``'s event in the session's transaction. With ``ledger``, the caller's appender
    (a batch: group commit, a CSV file), the event is appended when the caller seals it; without, the event
    is appended at once under a checkpoint of its own (add, then seal)."""
    event_type = EVENT_TYPES.of(command)
    if ledger is not None:
        return event_type.record(session=session, actor=actor, command=command, ledger=ledger)
    own = pipeline.appender(session)
    recorded = event_type.record(session=session, actor=actor, command=command, ledger=own)
    session.flush()
    own.seal()
    return recorded


def preview(*, session: Session, actor: Actor, command: commands.Command) -> dict[str, Any]:
    """The body ``command``'s event would be signed with, after every rule of its domain function: what a
    person confirms before the entry is made (``tracer.web.producer``). Its envelope goes to an appender that
    is never sealed and its projection into the session: the caller MUST roll the transaction back."""
    event_type = EVENT_TYPES.of(command)
    own = pipeline.appender(session)
    return event_type.record(session=session, actor=actor, command=command, ledger=own).body
