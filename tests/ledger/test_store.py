"""The SQL store on a real SQLite file and on PostgreSQL: bootstrap, appends, keys, proofs, bundles."""

from __future__ import annotations

import base64
import json

import pytest
from sqlalchemy import Connection, Engine, func, select

from tests.ledger.conftest import MASTER_KEY, ORIGIN
from tests.ledger.helpers import event, registered_signer, signed, tx
from tracer.ledger.bundle import verify_bundle
from tracer.ledger.checkpoint import verify_checkpoint
from tracer.ledger.connection import WRITE_OPTION
from tracer.ledger.dsse import Envelope, sign_envelope
from tracer.ledger.errors import InvalidRequestError, KeyRefusedError, LedgerError, NotFoundError
from tracer.ledger.keyevents import register_payload
from tracer.ledger.keys import generate_key, key_id, public_key_raw
from tracer.ledger.merkle import (
    consistency_proof_from_leaves,
    inclusion_proof_from_leaves,
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from tracer.ledger.schema import ledger_checkpoints, ledger_entries, ledger_hashes, ledger_keys
from tracer.ledger.store import LedgerStore
from tracer.ledger.tlog_index import stored_hash_count


def _leaves(store: LedgerStore, conn: Connection) -> list[bytes]:
    return [leaf_hash(store.entry(conn, i)) for i in range(store.size(conn))]


def test_bootstrap_registers_the_authority_at_index_0(store: LedgerStore, conn: Connection) -> None:
    assert store.size(conn) == 1
    body = json.loads(Envelope.from_json(store.entry(conn, 0)).payload)
    authority = next(k for k in store.keys(conn) if k.role == "authority")
    assert body == {
        "type": "key.register",
        "keyid": authority.keyid,
        "owner": "authority",
        "public_key": base64.b64encode(authority.public_key).decode(),
        "role": "authority",
    }
    assert authority.registered_index == 0
    assert authority.custodial
    assert {k.role for k in store.keys(conn)} == {"log", "authority"}
    cp = verify_checkpoint(store.checkpoint(conn), store.verifier_key(conn))
    assert (cp.origin, cp.size) == (ORIGIN, 1)
    assert store.verifier_key(conn).startswith(ORIGIN + "+")


def test_bootstrap_is_idempotent(store: LedgerStore, conn: Connection) -> None:
    keys = store.keys(conn)
    for _ in range(2):
        with tx(conn):
            store.bootstrap(conn)
    assert store.size(conn) == 1
    assert store.keys(conn) == keys
    # another process with its own store object and the same master key agrees
    with tx(conn):
        LedgerStore(ORIGIN, MASTER_KEY).bootstrap(conn)
    assert store.size(conn) == 1


def test_append_batch_receipts_and_checkpoint(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    envelopes = [signed(store, conn, keyid, n) for n in range(25)]
    with tx(conn):
        receipts = store.append(conn, envelopes)
    assert [r.index for r in receipts] == list(range(2, 27))
    assert store.size(conn) == 27
    for receipt, env in zip(receipts, envelopes, strict=True):
        assert store.entry(conn, receipt.index) == env.to_json()
        assert receipt.leaf_hash == leaf_hash(env.to_json())
    leaves = _leaves(store, conn)
    cp = verify_checkpoint(store.checkpoint(conn), store.verifier_key(conn))
    assert (cp.size, cp.root_hash) == (27, root_hash(leaves))
    # one checkpoint per append call: bootstrap, registration, batch
    assert conn.execute(select(func.count()).select_from(ledger_checkpoints)).scalar() == 3
    assert conn.execute(select(func.count()).select_from(ledger_hashes)).scalar() == stored_hash_count(27)
    store.check_head(conn)
    assert store.verify_store(conn).entries == 27


def test_proofs_match_memory_for_every_index_and_size(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    for batch in range(6):
        with tx(conn):
            store.append(conn, [signed(store, conn, keyid, batch * 10 + n) for n in range(batch + 1)])
    leaves = _leaves(store, conn)
    for size in range(1, len(leaves) + 1):
        root = root_hash(leaves[:size])
        for index in range(size):
            proof = store.inclusion_proof(conn, index, size)
            assert proof == inclusion_proof_from_leaves(leaves[:size], index)
            verify_inclusion(index, size, leaves[index], proof, root)
        for m in range(1, size + 1):
            proof = store.consistency_proof(conn, m, size)
            assert proof == consistency_proof_from_leaves(leaves[:size], m)
            verify_consistency(m, size, root_hash(leaves[:m]), root, proof)


def test_proof_requests_out_of_range(store: LedgerStore, conn: Connection) -> None:
    with pytest.raises(InvalidRequestError, match="index 1 is not inside a tree of size 1"):
        store.inclusion_proof(conn, 1, 1)
    with pytest.raises(NotFoundError, match="fewer than 5 entries"):
        store.inclusion_proof(conn, 0, 5)
    with pytest.raises(NotFoundError, match="fewer than 2 entries"):
        store.inclusion_proof(conn, 1, 2)
    with pytest.raises(InvalidRequestError, match="consistency"):
        store.consistency_proof(conn, 0, 1)
    with pytest.raises(NotFoundError):
        store.consistency_proof(conn, 1, 3)
    with pytest.raises(NotFoundError, match="no entry at index 7"):
        store.entry(conn, 7)
    with pytest.raises(NotFoundError, match="no checkpoint of size 3"):
        store.checkpoint(conn, 3)


def test_bundle_verifies_offline(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    with tx(conn):
        receipts = store.append(conn, [signed(store, conn, keyid, n) for n in range(10)])
    vkey = store.verifier_key(conn)
    target = receipts[4].index
    text = store.bundle(conn, target)
    assert text.startswith(f"c2sp.org/tlog-proof@v1\nindex {target}\n")
    cp = verify_bundle(text, store.entry(conn, target), vkey)
    assert cp.size == 12
    older = store.bundle(conn, 0, size=2)  # against an earlier checkpoint
    assert verify_bundle(older, store.entry(conn, 0), vkey).size == 2
    with pytest.raises(InvalidRequestError):
        store.bundle(conn, 5, size=2)


def test_custodial_key_lifecycle_and_refusals(store: LedgerStore, conn: Connection) -> None:
    with tx(conn):
        keyid = store.create_key(conn, "org:7")
    info = next(k for k in store.keys(conn) if k.keyid == keyid)
    assert (info.owner, info.role, info.registered_index, info.custodial) == ("org:7", "signer", None, True)
    assert keyid == key_id(info.public_key)
    assert len(keyid) == 16
    with pytest.raises(KeyRefusedError, match=f"key {keyid} is not registered"), tx(conn):
        store.append(conn, [signed(store, conn, keyid, 1)])
    with tx(conn):
        [receipt] = store.append(conn, [store.key_register_envelope(conn, keyid)])
        store.append(conn, [signed(store, conn, keyid, 1)])
    with tx(conn):
        [revocation] = store.append(conn, [store.key_revoke_envelope(conn, keyid)])
    info = next(k for k in store.keys(conn) if k.keyid == keyid)
    assert (info.registered_index, info.revoked_index) == (receipt.index, revocation.index)
    with pytest.raises(KeyRefusedError, match=f"revoked at index {revocation.index}"), tx(conn):
        store.append(conn, [signed(store, conn, keyid, 2)])
    with pytest.raises(InvalidRequestError, match="already revoked"), tx(conn):
        store.append(conn, [store.key_revoke_envelope(conn, keyid)])
    with pytest.raises(InvalidRequestError, match="already registered"), tx(conn):
        store.append(conn, [store.key_register_envelope(conn, keyid)])
    store.verify_store(conn)


def test_refusals_write_nothing(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    stranger = generate_key()
    good = signed(store, conn, keyid, 1)
    wrong_key = sign_envelope(event(2), stranger, keyid)  # claims our key id, signed by another key
    unknown = sign_envelope(event(3), stranger, key_id(public_key_raw(stranger)))
    forged_register = sign_envelope(
        register_payload(key_id(public_key_raw(stranger)), "org:9", public_key_raw(stranger)),
        store.private_key(conn, keyid),
        keyid,
    )
    before = store.size(conn)
    cases = [
        (wrong_key, KeyRefusedError, f"envelope 1 \\(index {before + 1}\\): signature by {keyid} is bad"),
        (unknown, KeyRefusedError, "unknown key"),
        (forged_register, KeyRefusedError, "key.register must be signed by an authority key"),
        (sign_envelope(b"not json", store.private_key(conn, keyid), keyid), InvalidRequestError, "not JSON"),
        (
            sign_envelope(event(4), store.private_key(conn, keyid), keyid, "text/plain"),
            InvalidRequestError,
            "payloadType",
        ),
    ]
    for bad, error, message in cases:
        with pytest.raises(error, match=message), tx(conn):
            store.append(conn, [good, bad])
    assert store.size(conn) == before
    assert conn.execute(select(func.count()).select_from(ledger_entries)).scalar() == before
    store.verify_store(conn)


def test_non_custodial_key(store: LedgerStore, conn: Connection) -> None:
    own = generate_key()
    with tx(conn):
        keyid = store.register_public_key(conn, "org:5", public_key_raw(own))
        assert store.register_public_key(conn, "org:5", public_key_raw(own)) == keyid  # idempotent
        store.append(conn, [store.key_register_envelope(conn, keyid)])
    with pytest.raises(LedgerError, match="not custodial"):
        store.private_key(conn, keyid)
    with tx(conn):
        [receipt] = store.append(conn, [sign_envelope(event(1), own, keyid)])
    assert Envelope.from_json(store.entry(conn, receipt.index)).signatures[0].keyid == keyid
    with pytest.raises(InvalidRequestError, match="another owner"), tx(conn):
        store.register_public_key(conn, "org:6", public_key_raw(own))
    store.verify_store(conn)


def test_private_keys_are_encrypted_at_rest(store: LedgerStore, conn: Connection) -> None:
    rows = conn.execute(select(ledger_keys.c.keyid, ledger_keys.c.private_key_enc)).all()
    for keyid, blob in rows:
        seed = store.private_key(conn, keyid).private_bytes_raw()
        assert seed not in bytes(blob)
    with pytest.raises(LedgerError, match="cannot decrypt"):
        LedgerStore(ORIGIN, bytes(32)).private_key(conn, rows[0].keyid)


def test_append_rolls_back_with_the_callers_transaction(
    store: LedgerStore, engine: Engine, conn: Connection
) -> None:
    keyid = registered_signer(store, conn)
    size = store.size(conn)
    conn.rollback()
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as other:
        transaction = other.begin()
        store.append(other, [signed(store, other, keyid, 1)])
        transaction.rollback()
    assert store.size(conn) == size
    store.verify_store(conn)


def test_append_before_bootstrap_fails(engine: Engine) -> None:
    store = LedgerStore(ORIGIN, MASTER_KEY)
    with engine.begin() as conn, pytest.raises(LedgerError, match="not bootstrapped"):
        store.append(conn, [sign_envelope(event(1), generate_key(), "x")])


def test_large_batch_with_one_bad_signature_leaves_the_transaction_intact(
    store: LedgerStore, conn: Connection
) -> None:
    """Batches of 32+ are written inside a savepoint while other threads check signatures."""
    keyid = registered_signer(store, conn)
    size = store.size(conn)
    envelopes = [signed(store, conn, keyid, n) for n in range(100)]
    envelopes[77] = sign_envelope(event(77), generate_key(), keyid)
    with tx(conn):
        with pytest.raises(KeyRefusedError, match=f"envelope 77 \\(index {size + 77}\\)"):
            store.append(conn, envelopes)
        store.append(conn, envelopes[:77])  # the caller's transaction goes on
    assert store.size(conn) == size + 77
    store.verify_store(conn)


def test_cosigned_envelope_records_the_key_that_verified(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    other = registered_signer(store, conn, "org:4")
    forged = sign_envelope(event(1), generate_key(), keyid).signatures[0]
    for count in (1, 40):  # checked before writing, and in the background
        envelopes = []
        for n in range(count):
            good = signed(store, conn, other, n)
            envelopes.append(Envelope(good.payload, good.payload_type, (forged, *good.signatures)))
        with tx(conn):
            receipts = store.append(conn, envelopes)
        for receipt in receipts:
            row = conn.execute(select(ledger_entries.c.keyid).where(ledger_entries.c.idx == receipt.index))
            assert row.scalar() == other
    store.verify_store(conn)


def test_the_store_vouches_only_for_what_it_signed(store: LedgerStore, conn: Connection) -> None:
    """``sign`` lets ``append`` skip the signature check of what it signed, and nothing more: another payload
    under the same signature, or the same signature once more, is checked; admission is never skipped."""
    keyid = registered_signer(store, conn)
    size = store.size(conn)
    made = store.sign(conn, keyid, event(1))
    swapped = Envelope(payload=event(2), payload_type=made.payload_type, signatures=made.signatures)
    with pytest.raises(KeyRefusedError, match=f"signature by {keyid} is bad"), tx(conn):
        store.append(conn, [swapped])
    with tx(conn):
        [receipt] = store.append(conn, [made])
    assert receipt.index == size
    again = store.sign(conn, keyid, event(3))
    if conn.in_transaction():
        conn.rollback()
    transaction = conn.begin()
    store.append(conn, [again])
    transaction.rollback()  # appended, then rolled back with the caller's transaction: vouching is spent
    with tx(conn):
        store.append(conn, [again])  # checked this time, and still good
    late = store.sign(conn, keyid, event(4))
    with tx(conn):
        store.append(conn, [store.key_revoke_envelope(conn, keyid)])
    with pytest.raises(KeyRefusedError, match="revoked"), tx(conn):
        store.append(conn, [late])
    assert store.size(conn) == size + 3
    store.verify_store(conn)


def test_a_private_key_that_does_not_match_its_public_key_signs_nothing(
    store: LedgerStore, conn: Connection
) -> None:
    keyid = registered_signer(store, conn)
    other = registered_signer(store, conn, "org:4")
    public = conn.execute(select(ledger_keys.c.public_key).where(ledger_keys.c.keyid == other)).scalar_one()
    with tx(conn):
        conn.execute(ledger_keys.update().where(ledger_keys.c.keyid == keyid).values(public_key=public))
    fresh = LedgerStore(ORIGIN, MASTER_KEY)  # nothing decrypted yet
    with pytest.raises(LedgerError, match=f"stored for {keyid} does not match its public key"):
        fresh.sign(conn, keyid, event(1))
