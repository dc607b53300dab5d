"""Tamper evidence: change, delete, swap or add rows of each ledger table; verify_store names the index.

The log built here has 33 entries: 0 bootstrap, 1 registration of org:3's key, 2-21 a batch of 20,
22 registration of org:4's key, 23-27 single appends, 28 revocation of org:4's key, 29-32 a batch of 4.
Checkpoints exist at sizes 1, 2, 22, 23, 24, 25, 26, 27, 28, 29, 33.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Connection, delete, insert, select, update

from tests.ledger.helpers import registered_signer, signed, tx
from tracer.ledger.checkpoint import Checkpoint, sign_checkpoint
from tracer.ledger.errors import VerificationError
from tracer.ledger.keys import generate_key, public_key_raw
from tracer.ledger.merkle import leaf_hash
from tracer.ledger.schema import ledger_checkpoints, ledger_entries, ledger_hashes, ledger_keys, ledger_state
from tracer.ledger.store import LedgerStore
from tracer.ledger.tlog_index import extend_frontier, frontier_root, stored_hash_index

SIZE = 33
Tamper = Callable[[LedgerStore, Connection], None]


def _build(store: LedgerStore, conn: Connection) -> dict[str, str]:
    org3 = registered_signer(store, conn, "org:3")
    with tx(conn):
        store.append(conn, [signed(store, conn, org3, n) for n in range(20)])
    org4 = registered_signer(store, conn, "org:4")
    for n in range(5):
        with tx(conn):
            store.append(conn, [signed(store, conn, org4 if n % 2 else org3, 100 + n)])
    with tx(conn):
        store.append(conn, [store.key_revoke_envelope(conn, org4)])
    with tx(conn):
        store.append(conn, [signed(store, conn, org3, 200 + n) for n in range(4)])
    with tx(conn):
        store.create_key(conn, "org:5")  # on record, never registered
    assert store.size(conn) == SIZE
    return {"org3": org3, "org4": org4}


def _set_entry(conn: Connection, index: int, **values: object) -> None:
    conn.execute(update(ledger_entries).where(ledger_entries.c.idx == index).values(**values))


def _row(conn: Connection, index: int) -> dict[str, object]:
    row = conn.execute(select(ledger_entries).where(ledger_entries.c.idx == index)).one()
    return dict(row._mapping)


def _set_hash(conn: Connection, index: int, value: bytes) -> None:
    conn.execute(update(ledger_hashes).where(ledger_hashes.c.idx == index).values(hash=value))


def _swap_hashes(conn: Connection, a: int, b: int) -> None:
    hashes = dict(
        conn.execute(
            select(ledger_hashes.c.idx, ledger_hashes.c.hash).where(ledger_hashes.c.idx.in_([a, b]))
        ).all()
    )
    _set_hash(conn, a, bytes(hashes[b]))
    _set_hash(conn, b, bytes(hashes[a]))


def _rehash_everything(conn: Connection) -> None:
    """What an attacker without the log key can do: make entries, stored hashes and state agree again."""
    leaves = [
        bytes(r.leaf_hash)
        for r in conn.execute(select(ledger_entries.c.leaf_hash).order_by(ledger_entries.c.idx))
    ]
    frontier: list[bytes] = []
    rows = extend_frontier(frontier, 0, leaves)
    conn.execute(delete(ledger_hashes))
    conn.execute(insert(ledger_hashes), [{"idx": i, "hash": h} for i, h in rows])
    conn.execute(update(ledger_state).values(root_hash=frontier_root(frontier)))


def _forged_entry(store: LedgerStore, conn: Connection, index: int, keyid: str) -> None:
    envelope = signed(store, conn, keyid, 999).to_json()
    _set_entry(conn, index, envelope=envelope, leaf_hash=leaf_hash(envelope))


def _swap_entries(conn: Connection, a: int, b: int) -> None:
    row_a, row_b = _row(conn, a), _row(conn, b)
    _set_entry(conn, a, envelope=row_b["envelope"], leaf_hash=row_b["leaf_hash"], keyid=row_b["keyid"])
    _set_entry(conn, b, envelope=row_a["envelope"], leaf_hash=row_a["leaf_hash"], keyid=row_a["keyid"])


def _resign(store: LedgerStore, conn: Connection, size: int, root: bytes) -> None:
    key = store.private_key(conn, next(k.keyid for k in store.keys(conn) if k.role == "log"))
    note = sign_checkpoint(Checkpoint(store.origin, size, root), key)
    conn.execute(
        update(ledger_checkpoints).where(ledger_checkpoints.c.size == size).values(note=note, root_hash=root)
    )


def _note(conn: Connection, size: int) -> str:
    return str(
        conn.execute(select(ledger_checkpoints.c.note).where(ledger_checkpoints.c.size == size)).scalar()
    )


def _key(conn: Connection, who: str, **values: object) -> None:
    conn.execute(update(ledger_keys).where(ledger_keys.c.owner == who).values(**values))


CASES: dict[str, tuple[Tamper, int, str]] = {
    # ledger_entries
    "entry changed": (
        lambda s, c: _set_entry(c, 5, envelope=_row(c, 6)["envelope"]),
        5,
        "entry 5: leaf hash does not match",
    ),
    "entry and leaf hash changed": (
        lambda s, c: _forged_entry(s, c, 5, next(k.keyid for k in s.keys(c) if k.owner == "org:3")),
        5,
        r"entry 5: stored hash \d+ is altered",
    ),
    "entry deleted": (
        lambda s, c: c.execute(delete(ledger_entries).where(ledger_entries.c.idx == 5)),
        5,
        "entry 5 is missing",
    ),
    "last entry deleted": (
        lambda s, c: c.execute(delete(ledger_entries).where(ledger_entries.c.idx == 32)),
        32,
        "entry 32 is missing",
    ),
    "entries swapped": (lambda s, c: _swap_entries(c, 4, 9), 4, "entry 4: stored hash"),
    "entry keyid changed": (lambda s, c: _set_entry(c, 7, keyid="0000000000000000"), 7, "recorded as 0000"),
    "entry added": (
        lambda s, c: c.execute(insert(ledger_entries).values({**_row(c, 3), "idx": SIZE})),
        SIZE,
        f"entry {SIZE} is beyond the log size",
    ),
    "history rewritten without the log key": (
        lambda s, c: (_forged_entry(s, c, 24, s.create_key(c, "org:6")), _rehash_everything(c)),
        24,
        "entry 24: unknown key",
    ),
    "entry by a revoked key slipped in": (
        lambda s, c: (
            _forged_entry(s, c, 30, next(k.keyid for k in s.keys(c) if k.owner == "org:4")),
            _rehash_everything(c),
        ),
        30,
        "entry 30: key [0-9a-f]+ was revoked at index 28",
    ),
    # ledger_hashes
    "leaf stored hash changed": (
        lambda s, c: _set_hash(c, stored_hash_index(0, 12), bytes(32)),
        12,
        "entry 12: stored hash",
    ),
    "interior stored hash changed": (
        lambda s, c: _set_hash(c, stored_hash_index(3, 1), bytes(32)),
        15,
        "entry 15: stored hash",
    ),
    "stored hash deleted": (
        lambda s, c: c.execute(delete(ledger_hashes).where(ledger_hashes.c.idx == stored_hash_index(1, 4))),
        9,
        "entry 9: stored hash",
    ),
    "stored hashes swapped": (lambda s, c: _swap_hashes(c, 40, 41), 21, "entry 21: stored hash 40"),
    "stored hash added": (
        lambda s, c: c.execute(insert(ledger_hashes).values(idx=10_000, hash=bytes(32))),
        None,
        "stored hash 10000 is extra",
    ),
    # ledger_checkpoints
    "checkpoint note altered": (
        lambda s, c: c.execute(
            update(ledger_checkpoints)
            .where(ledger_checkpoints.c.size == 22)
            .values(note=_note(c, 22).replace("\n22\n", "\n21\n"))
        ),
        21,
        "checkpoint of size 22: invalid signature",
    ),
    "checkpoint root column changed": (
        lambda s, c: c.execute(
            update(ledger_checkpoints).where(ledger_checkpoints.c.size == 25).values(root_hash=bytes(32))
        ),
        24,
        "checkpoint of size 25: note does not match",
    ),
    "checkpoint re-signed over a wrong root": (
        lambda s, c: _resign(s, c, 26, bytes(32)),
        25,
        "checkpoint of size 26: root is not the root",
    ),
    "checkpoint notes swapped": (
        lambda s, c: (
            n23 := _note(c, 23),
            n24 := _note(c, 24),
            c.execute(update(ledger_checkpoints).where(ledger_checkpoints.c.size == 23).values(note=n24)),
            c.execute(update(ledger_checkpoints).where(ledger_checkpoints.c.size == 24).values(note=n23)),
        ),
        22,
        "checkpoint of size 23: note does not match",
    ),
    "latest checkpoint deleted": (
        lambda s, c: c.execute(delete(ledger_checkpoints).where(ledger_checkpoints.c.size == SIZE)),
        29,
        f"ledger state \\(size {SIZE}\\) does not match the latest checkpoint \\(size 29\\)",
    ),
    "checkpoint beyond the log": (
        lambda s, c: c.execute(
            insert(ledger_checkpoints).values(
                size=40, root_hash=bytes(32), note="x\n", created_at=_row(c, 0)["created_at"]
            )
        ),
        39,
        "checkpoint of size 40 is beyond",
    ),
    # ledger_state
    "state size lowered": (
        lambda s, c: c.execute(update(ledger_state).values(size=SIZE - 1)),
        SIZE - 1,
        f"entry {SIZE - 1} is beyond the log size",
    ),
    "state size raised": (
        lambda s, c: c.execute(update(ledger_state).values(size=SIZE + 1)),
        SIZE,
        f"entry {SIZE} is missing",
    ),
    "state root changed": (
        lambda s, c: c.execute(update(ledger_state).values(root_hash=bytes(32))),
        SIZE,
        "root hash does not match the tree",
    ),
    # ledger_keys
    "signer public key replaced": (
        lambda s, c: _key(c, "org:3", public_key=public_key_raw(generate_key())),
        1,
        "row disagrees with the log's key events",
    ),
    "revocation erased": (
        lambda s, c: _key(c, "org:4", revoked_index=None),
        22,
        "key [0-9a-f]+: ledger_keys row",
    ),
    "revocation moved later": (
        lambda s, c: _key(c, "org:4", revoked_index=31),
        22,
        "ledger_keys row disagrees",
    ),
    "key row deleted": (
        lambda s, c: c.execute(delete(ledger_keys).where(ledger_keys.c.owner == "org:3")),
        1,
        "registered in the log is missing",
    ),
    "unregistered key marked registered": (
        lambda s, c: _key(c, "org:5", registered_index=3),
        3,
        "marked registered/revoked at index 3 but the log has no such event",
    ),
    "owner changed": (lambda s, c: _key(c, "org:4", owner="org:9"), 22, "ledger_keys row disagrees"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_tampering_is_reported_with_its_index(store: LedgerStore, conn: Connection, case: str) -> None:
    _build(store, conn)
    report = store.verify_store(conn)
    assert (report.entries, report.checkpoints) == (SIZE, 11)
    tamper, index, message = CASES[case]
    with tx(conn):
        tamper(store, conn)
    with pytest.raises(VerificationError, match=message) as caught:
        store.verify_store(conn)
    if index is not None:
        assert caught.value.index == index
