"""``POST /api/v1/events``: record one event (zone.register, harvest, receive, process, package, ship, recall,
certify, inspect) and answer 201 with its ledger receipt and the ids of what it made.

The body is one command, discriminated by ``type`` (``tracer.events.commands``). An ``Idempotency-Key``
header (IETF httpapi draft) makes retries safe: the key is looked up and stored in the same transaction as
the event, after the ledger's write lock is taken, so concurrent retries record the event exactly once.
Events posted at the same time share a transaction (``tracer.events.group``), each in its own savepoint.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request
from sqlmodel import Session

from tracer import idempotency
from tracer.api.http import answer, json_body
from tracer.auth import current_actor
from tracer.events import dispatch, group

bp = Blueprint("events", __name__)
REPLAYED = "Idempotent-Replayed"


@bp.post("/events")
def post_event() -> Response:
    actor = current_actor()
    key = idempotency.check_key(request.headers.get(idempotency.HEADER))
    data = json_body()
    command = dispatch.parse_command(data)
    digest = idempotency.request_hash("POST", request.path, data)

    def record(session: Session) -> tuple[int, dict[str, Any], bool]:  # on the group's leader thread
        if key is not None:
            stored = idempotency.replay(session, user_id=actor.user_id, key=key, digest=digest)
            if stored is not None:
                return stored.status, stored.body, True
        recorded = dispatch.record(session=session, actor=actor, command=command)
        body = {**recorded.receipt(), "created": created_ids(recorded.body), "event": recorded.body}
        if key is not None:
            idempotency.remember(
                session, user_id=actor.user_id, key=key, digest=digest, status=201, body=body
            )
        return 201, body, False

    status, body, replayed = group.of(current_app).run(record)
    return _respond(status, body, replayed=replayed)


def _respond(status: int, body: dict[str, Any], *, replayed: bool) -> Response:
    headers = {REPLAYED: "true"} if replayed else {}
    location = location_of(body["created"])
    if location is not None:
        headers["Location"] = location
    return answer(body, status, headers)


def created_ids(event: dict[str, Any]) -> dict[str, Any]:
    """What a client needs to address what the event made or touched, from the signed body."""
    kind = event["type"]
    if kind == "zone.register":
        return {"zone_id": event["zone"]["id"]}
    if kind == "harvest":
        return {"lot_ids": [event["lot"]["id"]], "zone_id": event["zone_id"]}
    if kind == "process":
        return {
            "lot_ids": [out["id"] for out in event["outputs"]],
            "input_lot_ids": [item["lot_id"] for item in event["inputs"]],
        }
    if kind == "package":
        return {
            "lot_id": event["lot_id"],
            "serial_count": event["count"],
            "serials_root": event["serials_root"],
        }
    if kind in ("receive", "ship"):
        return {"lot_id": event["lot_id"]}
    if kind == "recall":
        return {"lot_ids": event["lot_ids"]}
    if kind == "certify":
        return {
            "certificate_id": event["certificate"]["id"],
            "product_id": event["certificate"]["product_id"],
        }
    if kind == "inspect":
        return {key: event[key] for key in ("lot_id", "serial") if event.get(key)}
    return {}


def location_of(created: dict[str, Any]) -> str | None:
    """The resource to look at next: the zone, the new lot, or a packaged lot's packages."""
    base = "/api/v1"
    if "serial_count" in created:
        return f"{base}/packages?lot_id={created['lot_id']}"
    if "lot_ids" in created and "input_lot_ids" in created or "zone_id" in created and "lot_ids" in created:
        return f"{base}/lots/{created['lot_ids'][0]}"
    if "zone_id" in created:
        return f"{base}/zones/{created['zone_id']}"
    if "lot_id" in created:
        return f"{base}/lots/{created['lot_id']}"
    if "certificate_id" in created:
        return f"{base}/certificates?product_id={created['product_id']}"
    return None
