"""``Appender`` on a real SQLite file and on PostgreSQL: receipts at once, one checkpoint per seal, undo."""

from __future__ import annotations

import pytest
from sqlalchemy import Connection, Engine, func, select

from tests.ledger.helpers import registered_signer, signed, tx
from tracer.ledger.appender import Appender
from tracer.ledger.checkpoint import verify_checkpoint
from tracer.ledger.connection import read_state
from tracer.ledger.errors import KeyRefusedError, LedgerError
from tracer.ledger.merkle import leaf_hash
from tracer.ledger.schema import ledger_checkpoints, ledger_entries
from tracer.ledger.store import LedgerStore


def _checkpoints(conn: Connection) -> list[int]:
    return [int(size) for size in conn.execute(select(ledger_checkpoints.c.size).order_by("size")).scalars()]


def _leaf_at(conn: Connection, index: int) -> bytes:
    return bytes(
        conn.execute(select(ledger_entries.c.leaf_hash).where(ledger_entries.c.idx == index)).scalar_one()
    )


def test_receipts_given_at_add_are_where_seal_appends(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    size = store.size(conn)
    with tx(conn):
        ledger = Appender(store, conn)
        envelopes = [signed(store, conn, keyid, n) for n in range(5)]
        given = [ledger.add(envelope) for envelope in envelopes]
        assert [r.index for r in given] == list(range(size, size + 5))
        assert [r.leaf_hash for r in given] == [leaf_hash(e.to_json()) for e in envelopes]
        assert ledger.size == size + 5 and store.size(conn) == size  # nothing written before the seal
        assert ledger.seal() == given  # what LedgerStore.append returned
    assert store.size(conn) == size + 5
    for receipt, envelope in zip(given, envelopes, strict=True):
        assert store.entry(conn, receipt.index) == envelope.to_json()
        assert _leaf_at(conn, receipt.index) == receipt.leaf_hash
    store.verify_store(conn)


def test_one_checkpoint_per_seal(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    size, before = store.size(conn), _checkpoints(conn)
    with tx(conn):
        ledger = Appender(store, conn)
        for n in range(20):
            ledger.add(signed(store, conn, keyid, n))
        ledger.seal()
        ledger.add(signed(store, conn, keyid, 100))
        ledger.seal()  # a second seal in the same transaction: its own checkpoint
    assert _checkpoints(conn) == [*before, size + 20, size + 21]
    note = store.checkpoint(conn)
    assert verify_checkpoint(note, store.verifier_key(conn)).size == size + 21
    store.check_head(conn)


def test_seal_with_nothing_added_writes_nothing(store: LedgerStore, conn: Connection) -> None:
    state, before = read_state(conn), _checkpoints(conn)
    with tx(conn):
        ledger = Appender(store, conn)
        assert ledger.seal() == []
        assert ledger.seal() == []
    assert read_state(conn) == state and _checkpoints(conn) == before


def test_undo_forgets_what_was_added_after_the_mark(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    size = store.size(conn)
    with tx(conn):
        ledger = Appender(store, conn)
        kept = [ledger.add(signed(store, conn, keyid, n)) for n in range(3)]
        mark = ledger.mark()
        dropped = [ledger.add(signed(store, conn, keyid, 10 + n)) for n in range(2)]
        ledger.undo(mark)
        assert ledger.size == size + 3
        again = ledger.add(signed(store, conn, keyid, 20))  # the receipts close up: no gap
        assert again.index == dropped[0].index == size + 3
        assert again.leaf_hash != dropped[0].leaf_hash
        assert ledger.seal() == [*kept, again]
    assert store.size(conn) == size + 4
    store.verify_store(conn)


def test_undo_to_nothing_and_back_to_a_mark_already_sealed(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    size, before = store.size(conn), _checkpoints(conn)
    with tx(conn):
        ledger = Appender(store, conn)
        mark = ledger.mark()
        ledger.add(signed(store, conn, keyid, 1))
        ledger.undo(mark)
        assert ledger.seal() == []  # everything undone: a no-op seal
        ledger.add(signed(store, conn, keyid, 2))
        ledger.seal()
        with pytest.raises(LedgerError, match=f"cannot undo to {size}: the log was sealed at {size + 1}"):
            ledger.undo(mark)
    assert store.size(conn) == size + 1 and _checkpoints(conn) == [*before, size + 1]


def test_a_transaction_rolled_back_after_its_seal_leaves_nothing(
    store: LedgerStore, conn: Connection
) -> None:
    keyid = registered_signer(store, conn)
    state, before = read_state(conn), _checkpoints(conn)
    if conn.in_transaction():
        conn.rollback()
    with conn.begin() as transaction:
        ledger = Appender(store, conn)
        ledger.add(signed(store, conn, keyid, 1))
        ledger.seal()
        transaction.rollback()  # the caller's transaction fails after the seal: the append goes with it
    assert read_state(conn) == state and _checkpoints(conn) == before


def test_seal_refuses_when_the_log_moved_under_the_receipts(store: LedgerStore, conn: Connection) -> None:
    """The lock keeps other writers out; an append that bypasses the appender on the same connection is a
    bug, and the seal says so rather than hand out receipts that lie."""
    keyid = registered_signer(store, conn)
    size = store.size(conn)
    with tx(conn):
        ledger = Appender(store, conn)
        ledger.add(signed(store, conn, keyid, 1))
        store.append(conn, [signed(store, conn, keyid, 2)])  # behind the appender's back
        with pytest.raises(LedgerError, match=f"differently from the receipts given at {size}"):
            ledger.seal()
        conn.rollback()
    assert store.size(conn) == size


def test_a_refused_envelope_refuses_the_whole_seal(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    size = store.size(conn)
    with tx(conn):
        ledger = Appender(store, conn)
        ledger.add(signed(store, conn, keyid, 1))
        ledger.add(store.key_revoke_envelope(conn, keyid))
        ledger.add(signed(store, conn, keyid, 2))  # signed by the key revoked just before it
        with pytest.raises(KeyRefusedError, match=rf"envelope 2 \(index {size + 2}\)"):
            ledger.seal()
    assert store.size(conn) == size


def test_signing_key_is_read_once_until_the_seal(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn, owner="org:7")
    with tx(conn):
        ledger = Appender(store, conn)
        assert ledger.signing_key("org:7") == keyid
        assert ledger.signing_key("org:8") is None
        ledger.add(store.key_revoke_envelope(conn, keyid))
        assert ledger.signing_key("org:7") == keyid  # not revoked until sealed
        ledger.seal()
        assert ledger.signing_key("org:7") is None


def test_an_appender_needs_a_bootstrapped_ledger(engine: Engine, store: LedgerStore) -> None:
    with engine.connect() as conn, conn.begin(), pytest.raises(LedgerError, match="not bootstrapped"):
        Appender(store, conn)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ledger_entries)).scalar_one() == 0
