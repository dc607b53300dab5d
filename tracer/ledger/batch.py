"""Appending one batch of DSSE envelopes under the single-writer lock: admit, check signatures, write rows.

Admission (``keyevents.admit``) runs first and sequentially, since a batch may register or revoke keys for
the envelopes after it. Ed25519 checks then run on other threads (``parallel``) while this thread writes the
entries, the Go ``sumdb/tlog`` stored hashes, key changes, the new state and the signed checkpoint inside a
SAVEPOINT, so that a bad signature undoes exactly the batch and leaves the caller's transaction as it was.
Small batches are checked before anything is written, without a savepoint.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, insert, update

from tracer.ledger import connection, hashstore, keystore, vmap_store
from tracer.ledger.dsse import Envelope
from tracer.ledger.errors import InvalidRequestError, KeyRefusedError
from tracer.ledger.keyevents import Admission, KeyRecord, admit, parse_key_event
from tracer.ledger.merkle import LeafHash, RootHash, leaf_hash
from tracer.ledger.parallel import in_background, start_signature_checks
from tracer.ledger.schema import ledger_checkpoints, ledger_entries, ledger_state
from tracer.ledger.vmap import MapRoot
from tracer.ledger.vmap_feed import Subjects, no_subjects, updates_for
from tracer.ledger.vmap_tree import MapUpdate

SignCheckpoint = Callable[[int, RootHash, MapRoot], str]

_SET_STATE = (
    update(ledger_state)
    .where(ledger_state.c.id == connection.STATE_ID)
    .values(size=bindparam("new_size"), root_hash=bindparam("new_root"))
)
_SET_KEYID = (
    update(ledger_entries).where(ledger_entries.c.idx == bindparam("at")).values(keyid=bindparam("signer"))
)


@dataclass(frozen=True, slots=True)
class Receipt:
    """Where an appended envelope landed: its log index and leaf hash."""

    index: int
    leaf_hash: LeafHash


def admit_batch(
    conn: Connection, size: int, envelopes: Sequence[Envelope]
) -> tuple[list[Admission], dict[str, KeyRecord]]:
    """Admit each envelope at its index, in order; return the admissions and the key changes they make."""
    events = [parse_key_event(env.payload) for env in envelopes]
    wanted = {s.keyid for env in envelopes for s in env.signatures}
    keys = keystore.records(conn, wanted | {e.keyid for e in events if e is not None})
    admissions: list[Admission] = []
    changes: dict[str, KeyRecord] = {}
    for offset, (env, event) in enumerate(zip(envelopes, events, strict=True)):
        try:
            admission = admit(size + offset, env, event, keys)
        except (KeyRefusedError, InvalidRequestError) as exc:
            raise type(exc)(f"envelope {offset} (index {size + offset}): {exc}") from exc
        if admission.key_change is not None:
            keys[admission.key_change.keyid] = changes[admission.key_change.keyid] = admission.key_change
        admissions.append(admission)
    return admissions, changes


def _checks(
    admissions: list[Admission], vouched: Sequence[str | None]
) -> tuple[Callable[[], list[str | None]], int]:
    """Start checking the signatures of the admissions not vouched for: (a function giving every signer,
    how many signatures are being checked)."""
    known = [
        keyid if keyid is not None and any(c[0] == keyid for c in admission.candidates) else None
        for admission, keyid in zip(admissions, vouched, strict=True)
    ]
    unknown = [a for a, keyid in zip(admissions, known, strict=True) if keyid is None]
    collect = start_signature_checks(unknown)

    def signers() -> list[str | None]:
        checked = iter(collect())
        return [keyid if keyid is not None else next(checked) for keyid in known]

    return signers, len(unknown)


def _admitted(signers: list[str | None], admissions: list[Admission], size: int) -> list[str]:
    for offset, signer in enumerate(signers):
        if signer is None:
            tried = ", ".join(c[0] for c in admissions[offset].candidates)
            raise KeyRefusedError(f"envelope {offset} (index {size + offset}): signature by {tried} is bad")
    return [s for s in signers if s is not None]


def append_batch(
    conn: Connection,
    size: int,
    envelopes: Sequence[Envelope],
    sign: SignCheckpoint,
    vouched: Sequence[str | None] | None = None,
    subjects: Subjects = no_subjects,
) -> list[Receipt]:
    """Append ``envelopes`` to a locked log of ``size`` entries; ``sign`` makes the checkpoint note of the
    new size and map root. ``vouched[i]``, when given, is the key id the store itself signed envelope ``i``
    with (``LedgerStore.sign``): it is admitted by that key, if valid at its index, without checking the
    signature again. ``subjects`` says which map keys each entry bears on (``vmap_feed``)."""
    admissions, changes = admit_batch(conn, size, envelopes)
    collect, checking = _checks(admissions, vouched or [None] * len(admissions))
    entries = [env.to_json() for env in envelopes]
    leaves = [leaf_hash(entry) for entry in entries]
    updates = updates_for(size, [env.payload for env in envelopes], leaves, subjects)
    if not in_background(checking):
        signers = _admitted(collect(), admissions, size)
        _write(conn, size, entries, leaves, signers, changes, sign, updates)
    else:
        with conn.begin_nested():
            expected = [a.candidates[0][0] for a in admissions]  # the signer unless its signature fails
            _write(conn, size, entries, leaves, expected, changes, sign, updates)
            signers = _admitted(collect(), admissions, size)
            for offset, (signer, guess) in enumerate(zip(signers, expected, strict=True)):
                if signer != guess:
                    conn.execute(_SET_KEYID, {"at": size + offset, "signer": signer})
    return [Receipt(size + i, leaf) for i, leaf in enumerate(leaves)]


def _write(
    conn: Connection,
    size: int,
    entries: list[bytes],
    leaves: list[LeafHash],
    signers: list[str],
    changes: dict[str, KeyRecord],
    sign: SignCheckpoint,
    updates: Sequence[MapUpdate],
) -> None:
    root = hashstore.append_leaf_hashes(conn, size, leaves)
    now = datetime.now(UTC)
    created = connection.bind_value(conn, ledger_entries, "created_at", now)
    rows = zip(entries, leaves, signers, strict=True)
    connection.insert_rows(
        conn,
        ledger_entries,
        ("idx", "envelope", "leaf_hash", "keyid", "created_at"),
        [(size + i, entry, leaf, keyid, created) for i, (entry, leaf, keyid) in enumerate(rows)],
    )
    keystore.apply_changes(conn, changes.values())
    new_size = size + len(entries)
    conn.execute(_SET_STATE, {"new_size": new_size, "new_root": root})
    map_root = vmap_store.apply_updates(conn, updates)
    write_checkpoint(conn, new_size, root, map_root, sign, now)


def write_checkpoint(
    conn: Connection, size: int, root: RootHash, map_root: MapRoot, sign: SignCheckpoint, now: datetime
) -> None:
    """Store the signed checkpoint note of the tree of ``size`` with ``root``, committing to ``map_root``."""
    note = sign(size, root, map_root)
    conn.execute(
        insert(ledger_checkpoints), {"size": size, "root_hash": root, "note": note, "created_at": now}
    )
