"""Record an event: sign the body with the actor's key, add it to the ledger's appender, project it.

Every domain function (``record_harvest`` ...) is given the transaction's ``Appender``
(``tracer.ledger.appender``), whose making took the ledger's write lock; it validates its command, builds
the event body and hands it here. Signing, appending and projecting happen in the caller's transaction, so
a failure anywhere leaves nothing behind: no ledger entry without its projection, and no projection without
its ledger entry. Whoever made the appender seals it (``tracer.events.dispatch.record`` for one event, the
group committer or the CSV import for many) before the transaction commits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.ledger.appender import Appender
from tracer.ledger.canonical import canonical_json
from tracer.models import rows
from tracer.models.events import EventRecord
from tracer.platform import journal
from tracer.platform.errors import Forbidden

FORMAT_VERSION = 1


@dataclass(frozen=True)
class Recorded:
    """What a client gets back: the ledger receipt and the event as signed."""

    index: int
    leaf_hash: bytes
    keyid: str
    body: dict[str, Any]

    def receipt(self) -> dict[str, Any]:
        return {
            "ledger_index": self.index,
            "leaf_hash": self.leaf_hash.hex(),
            "keyid": self.keyid,
            "type": self.body["type"],
        }


def appender(session: Session) -> Appender:
    """Take the ledger's write lock for this transaction: an appender of the app's log on the session's
    connection. Rules are checked only after this."""
    return Appender(journal.store(), session.connection())


def hold(session: Session) -> Appender:
    """An appender for a transaction that records several events (``tracer.events.group``, a CSV file):
    each event is signed and projected at once, and appended by the appender's one ``seal`` before the
    transaction commits. The transaction keeps what it loads: the session's identity map is weak, and the
    next event of the batch would load the same zone or lot again."""
    ledger = appender(session)
    loaded: list[object] = []
    event.listen(session, "loaded_as_persistent", lambda _session, instance: loaded.append(instance))
    return ledger


def signing_key(ledger: Appender, owner: str) -> str:
    """The key id that signs for ``owner`` now: its newest registered, unrevoked key (read under the lock)."""
    keyid = ledger.signing_key(owner)
    if keyid is None:
        raise Forbidden(f"no active signing key for {owner}; ask the programme office to issue one")
    return keyid


def body_of(actor: Actor, event_type: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The event body: common header, then the type's fields (no floats, no None)."""
    body: dict[str, Any] = {
        "type": event_type,
        "v": FORMAT_VERSION,
        "org": actor.organisation_id,
        "by": f"user:{actor.user_id}",
        "recorded_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    body.update(fields)
    return _plain(body)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool | int | str):
        return value
    return str(value)  # Decimal: its exact text


Projector = Callable[[Session, int, dict[str, Any]], None]


def commit(
    session: Session, ledger: Appender, actor: Actor, body: dict[str, Any], project: Projector
) -> Recorded:
    """Sign ``body`` with the actor's key, add it to ``ledger`` and project it, in the session's transaction;
    the envelope is appended when the ledger's owner seals it."""
    keyid = signing_key(ledger, actor.signer_owner)
    receipt = ledger.add(ledger.sign(keyid, canonical_json(body)))
    record_event(session, receipt.index, keyid, body)
    project(session, receipt.index, body)
    return Recorded(index=receipt.index, leaf_hash=bytes(receipt.leaf_hash), keyid=keyid, body=body)


OCCURRED = ("harvested_on", "processed_on", "packed_on", "shipped_on", "received_on")


def record_event(session: Session, index: int, keyid: str, body: dict[str, Any]) -> None:
    """The event's row in ``events``: its signed body, who signed it, when it happened."""
    occurred = next((body[k] for k in OCCURRED if k in body), None)
    if body["type"] == "certify":
        occurred = body["certificate"]["issued_on"]
    elif body["type"] == "zone.diary":
        occurred = body["diary"]["applied_on"]
    session.add(
        rows.new(
            EventRecord,
            ledger_index=index,
            type=body["type"],
            organisation_id=body.get("org"),
            actor=body.get("by", ""),
            keyid=keyid,
            recorded_at=datetime.fromisoformat(body["recorded_at"].replace("Z", "+00:00")),
            occurred_on=date.fromisoformat(occurred) if occurred else None,
            body=json.dumps(body, ensure_ascii=False, sort_keys=True),
        )
    )


def day(value: str) -> date:
    """A date of an event body (ISO text) as a ``date``."""
    return date.fromisoformat(value)


def maybe_day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
