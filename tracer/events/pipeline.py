"""Record an event: lock the log, sign the body with the actor's key, append it, project it.

Every domain function (``record_harvest`` ...) validates its command under the ledger's write lock, builds
the event body and hands it here. Signing, appending and projecting happen in the caller's transaction, so a
failure anywhere leaves nothing behind: no ledger entry without its projection, and no projection without
its ledger entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session

from tracer import journal
from tracer.accounts.actors import Actor
from tracer.errors import Forbidden
from tracer.ledger.batch import Receipt
from tracer.ledger.canonical import canonical_json
from tracer.ledger.connection import lock_state
from tracer.ledger.dsse import sign_envelope
from tracer.ledger.errors import KeyRefusedError
from tracer.ledger.store import LedgerStore

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


HELD = "tracer.ledger_held"  # Session.info: the transaction holds the write lock and seals at its end


def lock(session: Session) -> LedgerStore:
    """Take the ledger's write lock for this transaction; rules are checked only after this."""
    store = journal.store()
    if not session.info.get(HELD):
        lock_state(session.connection())
    return store


def hold(session: Session) -> LedgerStore:
    """Take the write lock for a transaction that records several events (``tracer.events.group``): each
    event's append then leaves the checkpoint to ``seal``, called once before the transaction commits."""
    store = lock(session)
    session.info[HELD] = True
    return store


def seal(session: Session) -> None:
    """Sign the checkpoint of what a held transaction appended, and release the hold."""
    journal.store().seal(session.connection())
    session.info.pop(HELD, None)


def signing_key(session: Session, owner: str, *, fresh: bool = False) -> str:
    """The key id that signs for ``owner`` now: its newest registered, unrevoked key."""
    keyid = journal.store().signing_key(session.connection(), owner, fresh=fresh)
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
    session: Session, store: LedgerStore, actor: Actor, body: dict[str, Any], project: Projector
) -> Recorded:
    """Sign ``body`` with the actor's key, append it and project it, all in the session's transaction."""
    keyid, receipt = _append(session, store, actor.signer_owner, canonical_json(body))
    from tracer.events.projection import record_event

    record_event(session, receipt.index, keyid, body)
    project(session, receipt.index, body)
    session.flush()
    return Recorded(index=receipt.index, leaf_hash=bytes(receipt.leaf_hash), keyid=keyid, body=body)


def _append(session: Session, store: LedgerStore, owner: str, payload: bytes) -> tuple[str, Receipt]:
    """Sign ``payload`` with ``owner``'s key and append it (its checkpoint left to ``seal`` when held)."""
    conn = session.connection()
    seal = not session.info.get(HELD)
    for fresh in (False, True):
        keyid = signing_key(session, owner, fresh=fresh)
        envelope = sign_envelope(payload, store.private_key(conn, keyid), keyid)
        try:
            [receipt] = store.append(conn, [envelope], seal=seal)
        except KeyRefusedError:  # a remembered key revoked since: refused before anything was written
            if fresh:
                raise
            continue
        return keyid, receipt
    raise AssertionError("unreachable")


def day(value: str) -> date:
    """A date of an event body (ISO text) as a ``date``."""
    return date.fromisoformat(value)


def maybe_day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
