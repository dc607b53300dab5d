"""``POST /api/v1/events``: record one event (zone.register, harvest, receive, process, package, ship, recall,
certify, inspect, review) and answer 201 with its ledger receipt and the ids of what it made.

The body is one command, discriminated by ``type`` (``tracer.events.commands``), or an array of up to
``MAX_BATCH`` commands (a phone syncing what it recorded offline, an import): a batch is recorded in order
and all or nothing, in one transaction, and answers ``{"events": [receipt, ...]}``; a refusal names the
event by its place, as in ``[3].quantity``, and nothing of the batch is written. An ``Idempotency-Key``
header (IETF httpapi draft) makes retries safe: the key is looked up and stored in the same transaction as
the event, after the ledger's write lock is taken, so concurrent retries record the event exactly once.
Events posted at the same time share a transaction (``tracer.events.group``), each in its own savepoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, request
from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.accounts.auth import current_actor
from tracer.api.http import answer, json_body
from tracer.events import commands, dispatch, group
from tracer.events.registry import EVENT_TYPES
from tracer.ledger.appender import Appender
from tracer.platform import idempotency
from tracer.platform.errors import InvalidInput, TracerError

bp = Blueprint("events", __name__)
REPLAYED = "Idempotent-Replayed"
MAX_BATCH = 100  # events in one request; the body's 1 MB cap applies as well


@bp.post("/events")
def post_event() -> Response:
    actor = current_actor()
    key = idempotency.check_key(request.headers.get(idempotency.HEADER))
    data = json_body()
    batch = isinstance(data, list)
    parsed = _parse_batch(data) if batch else [dispatch.parse_command(data)]
    digest = idempotency.request_hash("POST", request.path, data)

    # A group commit job, run on the leader's thread: it adds its events to the transaction's appender.
    def record(session: Session, ledger: Appender) -> tuple[int, dict[str, Any], bool]:
        if key is not None:
            stored = idempotency.replay(session, user_id=actor.user_id, key=key, digest=digest)
            if stored is not None:
                return stored.status, stored.body, True
        if batch:
            receipts = [_at(n, _record, session, ledger, actor, c) for n, c in enumerate(parsed)]
            body: dict[str, Any] = {"events": receipts}
        else:
            body = _record(session, ledger, actor, parsed[0])
        if key is not None:
            idempotency.remember(
                session, user_id=actor.user_id, key=key, digest=digest, status=201, body=body
            )
        return 201, body, False

    status, body, replayed = group.of(current_app).run(record)
    return _respond(status, body, replayed=replayed)


def _record(session: Session, ledger: Appender, actor: Actor, command: commands.Command) -> dict[str, Any]:
    recorded = dispatch.record(session=session, actor=actor, command=command, ledger=ledger)
    return {**recorded.receipt(), "created": created_ids(recorded.body), "event": recorded.body}


def _parse_batch(data: list[Any]) -> list[commands.Command]:
    if not data:
        raise InvalidInput(
            f"the batch is empty: send one event or 1 to {MAX_BATCH} in an array", field="body"
        )
    if len(data) > MAX_BATCH:
        raise InvalidInput(
            f"a batch holds at most {MAX_BATCH} events (got {len(data)}): send it in parts", field="body"
        )
    return [_at(n, dispatch.parse_command, item) for n, item in enumerate(data)]


T = TypeVar("T")


def _at(position: int, work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` for the batch's event at ``position``; its refusal names that event."""
    try:
        return work(*args)
    except TracerError as error:
        raise error.within(f"[{position}]", f"event {position} of the batch") from None


def _respond(status: int, body: dict[str, Any], *, replayed: bool) -> Response:
    headers = {REPLAYED: "true"} if replayed else {}
    if "events" in body:  # a batch: each receipt says where its event's lots and zones are
        return answer(body, status, headers)
    location = location_of(body["event"], body["created"])
    if location is not None:
        headers["Location"] = location
    return answer(body, status, headers)


def created_ids(event: dict[str, Any]) -> dict[str, Any]:
    """What a client needs to address what the event made or touched, from the signed body."""
    event_type = EVENT_TYPES.get(event["type"])
    return {} if event_type is None else event_type.created(event)


def location_of(event: dict[str, Any], created: dict[str, Any]) -> str | None:
    """The resource to look at next: the zone, the new lot, or a packaged lot's packages."""
    event_type = EVENT_TYPES.get(event["type"])
    path = None if event_type is None else event_type.location(created)
    return None if path is None else f"/api/v1/{path}"
