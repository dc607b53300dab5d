"""Record an event: lock the log, sign the body with the actor's key, append it, project it.

Every domain function (``record_harvest`` ...) validates its command under the ledger's write lock, builds
the event body and hands it here. Signing, appending and projecting happen in the caller's transaction, so a
failure anywhere leaves nothing behind: no ledger entry without its projection, and no projection without
its ledger entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from tracer.accounts.actors import Actor
from tracer.ledger.batch import Receipt
from tracer.ledger.canonical import canonical_json
from tracer.ledger.connection import lock_state
from tracer.ledger.dsse import Envelope
from tracer.ledger.errors import LedgerError
from tracer.ledger.merkle import leaf_hash
from tracer.ledger.store import LedgerStore
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


HELD = "tracer.ledger_held"  # Session.info: the transaction's Held appends, sealed at its end


@dataclass
class Held:
    """What a held transaction has signed but not yet appended, with the receipts it handed out: the log had
    ``size`` entries when the lock was taken, so the next envelope lands at ``size + len(queued)``. ``seal``
    appends them all at once (one admission pass, one write of the tree's hashes, one checkpoint) and checks
    that the ledger gave the same receipts. ``signers``: each owner's key, read once under the lock, so it
    cannot have been revoked by the time of ``seal`` (a revocation is an append, which needs the lock)."""

    size: int
    queued: list[tuple[Envelope, Receipt]] = field(default_factory=list)
    signers: dict[str, str] = field(default_factory=dict)
    loaded: list[object] = field(default_factory=list)

    def keep(self, _session: Session, instance: object) -> None:
        """Hold what the transaction loaded: the session's identity map is weak, and the next event of
        the batch would load the same zone or lot again."""
        self.loaded.append(instance)

    def mark(self) -> int:
        return len(self.queued)

    def undo(self, mark: int) -> None:
        """Forget what was queued after ``mark``: the events of a job rolled back to its savepoint."""
        del self.queued[mark:]


def lock(session: Session) -> LedgerStore:
    """Take the ledger's write lock for this transaction; rules are checked only after this."""
    store = journal.store()
    if HELD not in session.info:
        lock_state(session.connection())
    return store


def hold(session: Session) -> Held:
    """Take the write lock for a transaction that records several events (``tracer.events.group``): each
    event is signed and projected at once, and its envelope appended by ``seal``, called once before the
    transaction commits."""
    state = lock_state(session.connection())
    if state is None:
        raise LedgerError("the ledger is not bootstrapped")
    held = session.info[HELD] = Held(size=state[0])
    event.listen(session, "loaded_as_persistent", held.keep)
    return held


def seal(session: Session) -> None:
    """Append what a held transaction signed and sign the checkpoint of the new size; release the hold."""
    held: Held | None = session.info.pop(HELD, None)
    store = journal.store()
    conn = session.connection()
    if held is None or not held.queued:
        store.seal(conn)
        return
    receipts = store.append(conn, [envelope for envelope, _ in held.queued])
    if receipts != [receipt for _, receipt in held.queued]:  # the lock was held throughout: a bug if so
        raise LedgerError(
            f"the ledger placed the held events differently from the receipts given at {held.size}"
        )


def signing_key(session: Session, owner: str) -> str:
    """The key id that signs for ``owner`` now: its newest registered, unrevoked key (read under the lock)."""
    keyid = journal.store().signing_key(session.connection(), owner)
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
    held: Held | None = session.info.get(HELD)
    payload = canonical_json(body)
    if held is None:
        keyid, receipt = _append(session, store, actor.signer_owner, payload)
    else:
        keyid, receipt = _queue(session, store, held, actor.signer_owner, payload)
    from tracer.events.projection import record_event

    record_event(session, receipt.index, keyid, body)
    project(session, receipt.index, body)
    if held is None:
        session.flush()  # held: flushed together at the job's savepoint (or by the next query)
    return Recorded(index=receipt.index, leaf_hash=bytes(receipt.leaf_hash), keyid=keyid, body=body)


def _queue(
    session: Session, store: LedgerStore, held: Held, owner: str, payload: bytes
) -> tuple[str, Receipt]:
    """Sign ``payload`` with ``owner``'s key and queue it for ``seal``; its receipt is already known."""
    keyid = held.signers.get(owner)
    if keyid is None:
        keyid = held.signers[owner] = signing_key(session, owner)
    envelope = store.sign(session.connection(), keyid, payload)
    receipt = Receipt(held.size + len(held.queued), leaf_hash(envelope.to_json()))
    held.queued.append((envelope, receipt))
    return keyid, receipt


def _append(session: Session, store: LedgerStore, owner: str, payload: bytes) -> tuple[str, Receipt]:
    """Sign ``payload`` with ``owner``'s key and append it with its checkpoint."""
    conn = session.connection()
    keyid = signing_key(session, owner)
    [receipt] = store.append(conn, [store.sign(conn, keyid, payload)])
    return keyid, receipt


def day(value: str) -> date:
    """A date of an event body (ISO text) as a ``date``."""
    return date.fromisoformat(value)


def maybe_day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
