"""The verifiable map wired into the log (issue #16, item 2): every append feeds it in its own transaction,
every checkpoint commits to its root, ``verify_store`` replays it from the entries, a log kept before the
map is brought into it, and each edit of the map's tables by someone without the log key is named."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest
from sqlalchemy import Connection, select, text, update

from tests.ledger.conftest import MASTER_KEY, ORIGIN
from tests.ledger.helpers import registered_signer, signed, tx
from tracer.ledger import vmap_store
from tracer.ledger.checkpoint import Checkpoint, parse_checkpoint, sign_checkpoint
from tracer.ledger.cosignature import note_body
from tracer.ledger.errors import VerificationError
from tracer.ledger.schema import ledger_checkpoints, ledger_map_entries, ledger_map_nodes, ledger_map_values
from tracer.ledger.store import LedgerStore
from tracer.ledger.vmap import EMPTY_ROOT, parse_map_extension
from tracer.ledger.vmap_feed import committed_root, payload_subjects
from tracer.ledger.vmap_proof import verify_entries


def lots(payload: bytes) -> Iterable[str]:
    """A test domain's rule: the event's ``lot`` field is its subject (and a bad one is ignored)."""
    body = json.loads(payload)
    return [f"lot:{body['lot']}"] if "lot" in body else []


@pytest.fixture
def store() -> LedgerStore:
    return LedgerStore(ORIGIN, MASTER_KEY, subjects=lots)


def latest(store: LedgerStore, conn: Connection) -> Checkpoint:
    return parse_checkpoint(note_body(store.checkpoint(conn)))


def append_events(store: LedgerStore, conn: Connection, keyid: str, numbers: Iterable[int]) -> None:
    with tx(conn):
        store.append(conn, [signed(store, conn, keyid, n) for n in numbers])


def test_every_checkpoint_commits_to_the_map_and_proofs_verify(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    append_events(store, conn, keyid, [1, 2, 1])  # the lot GAC-00001 twice
    append_events(store, conn, keyid, [1])
    cp = latest(store, conn)
    root = parse_map_extension(cp.extensions)
    assert cp.extensions == (f"map {cp.extensions[0].split(' ')[1]}",)
    listed = vmap_store.entries_of(conn, "lot:GAC-00001")
    assert [index for index, _ in listed] == [2, 4, 5]
    verify_entries(root, "lot:GAC-00001", listed, vmap_store.prove(conn, "lot:GAC-00001").proof)
    verify_entries(root, f"key:{keyid}", vmap_store.entries_of(conn, f"key:{keyid}"),
                   vmap_store.prove(conn, f"key:{keyid}").proof)  # fmt: skip
    with pytest.raises(VerificationError):  # a list with the middle entry left out
        verify_entries(
            root, "lot:GAC-00001", [listed[0], listed[2]], vmap_store.prove(conn, "lot:GAC-00001").proof
        )
    c = ledger_checkpoints.c
    notes = conn.execute(select(c.note).order_by(c.size)).scalars().all()
    assert all(committed_root(parse_checkpoint(note_body(n))) is not None for n in notes)
    report = store.verify_store(conn)
    assert (report.entries, report.map_checkpoints) == (6, report.checkpoints)


def test_the_subject_rule_is_checked_and_deduplicated() -> None:
    payload = json.dumps({"type": "x", "lot": "A B"}).encode()  # a space: not a map key
    assert payload_subjects(payload, lots) == []
    assert payload_subjects(b'{"lot": "L1"}', lambda p: ["lot:L1", "lot:L1", "lot:Lé"]) == ["lot:L1"]
    assert payload_subjects(b'{"type": "key.revoke", "keyid": "ab"}', lambda p: []) == ["key:ab"]


def test_a_refused_append_leaves_the_map_as_it_was(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    before = vmap_store.map_root(conn)
    good = signed(store, conn, keyid, 7)
    forged = signed(store, conn, keyid, 8)
    bad = type(forged)(forged.payload, forged.payload_type, (type(forged.signatures[0])(keyid, bytes(64)),))
    with pytest.raises(Exception), tx(conn):  # noqa: B017,PT011 (KeyRefusedError, whatever the path)
        store.append(conn, [good, bad])
    assert vmap_store.map_root(conn) == before
    assert vmap_store.entries_of(conn, "lot:GAC-00007") == []


def _log_key(store: LedgerStore, conn: Connection) -> Any:
    return store.private_key(conn, next(k.keyid for k in store.keys(conn) if k.role == "log"))


def _strip_map_lines(store: LedgerStore, conn: Connection) -> None:
    """Make the log look as it did before the map: checkpoints re-signed without their map line (with the
    log key, as a log of then signed them), the map's tables empty."""
    log_key = _log_key(store, conn)
    c = ledger_checkpoints.c
    for size, note in conn.execute(select(c.size, c.note)).all():
        cp = parse_checkpoint(note_body(note))
        old = Checkpoint(cp.origin, cp.size, cp.root_hash)
        conn.execute(
            update(ledger_checkpoints).where(c.size == size).values(note=sign_checkpoint(old, log_key))
        )
    for table in (ledger_map_nodes, ledger_map_values, ledger_map_entries):
        conn.execute(table.delete())


def test_a_log_from_before_the_map_is_brought_into_it(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    append_events(store, conn, keyid, [1, 2, 3])
    with tx(conn):
        _strip_map_lines(store, conn)
    assert vmap_store.map_root(conn) == EMPTY_ROOT
    report = store.verify_store(conn)  # a log that never committed to a map is not tampered with
    assert report.map_checkpoints == 0
    append_events(store, conn, keyid, [1])  # the first append loads the map of all earlier entries
    assert [i for i, _ in vmap_store.entries_of(conn, "lot:GAC-00001")] == [2, 5]
    report = store.verify_store(conn)
    assert report.map_checkpoints == 1
    store.check_head(conn)


def test_a_checkpoint_that_stops_committing_is_named(store: LedgerStore, conn: Connection) -> None:
    keyid = registered_signer(store, conn)
    append_events(store, conn, keyid, [1])
    log_key = _log_key(store, conn)
    cp = latest(store, conn)
    with tx(conn):
        note = sign_checkpoint(Checkpoint(cp.origin, cp.size, cp.root_hash), log_key)
        conn.execute(update(ledger_checkpoints).where(ledger_checkpoints.c.size == cp.size).values(note=note))
    with pytest.raises(VerificationError, match="has no map line"):
        store.verify_store(conn)


@pytest.mark.parametrize(
    ("edit", "named"),
    [
        ("UPDATE ledger_map_values SET entries = entries + 1 WHERE map_key = 'lot:GAC-00001'",
         "ledger_map_values: key 'lot:GAC-00001' differs"),
        ("DELETE FROM ledger_map_values WHERE map_key = 'lot:GAC-00002'",
         "ledger_map_values: 1 keys are missing, the first 'lot:GAC-00002'"),
        ("DELETE FROM ledger_map_entries WHERE idx = 4",
         "ledger_map_entries: the list of 'lot:GAC-00001' differs"),
        ("UPDATE ledger_map_nodes SET value = key_hash WHERE key_hash IS NOT NULL AND depth > 0",
         "ledger_map_nodes: the node at depth"),
        ("UPDATE ledger_map_nodes SET left_hash = right_hash WHERE depth = 0",
         "stored verifiable map's root does not match the latest checkpoint"),
    ],
)  # fmt: skip
def test_each_edit_of_the_map_tables_is_named(
    store: LedgerStore, conn: Connection, edit: str, named: str
) -> None:
    keyid = registered_signer(store, conn)
    append_events(store, conn, keyid, [1, 2, 1])
    store.verify_store(conn)
    with tx(conn):
        conn.execute(text(edit))
    with pytest.raises(VerificationError) as caught:
        store.verify_store(conn)
    assert named in str(caught.value)


def test_a_changed_value_makes_the_next_checkpoint_commit_a_root_the_log_does_not_give(
    store: LedgerStore, conn: Connection
) -> None:
    """An edited stored value is chained onto by the next append: its checkpoint then commits to a wrong
    root, which the replay names (a verifier of a bundle fails ``completeness`` before that)."""
    keyid = registered_signer(store, conn)
    append_events(store, conn, keyid, [1])
    with tx(conn):
        conn.execute(text("UPDATE ledger_map_values SET value = key_hash WHERE map_key = 'lot:GAC-00001'"))
    append_events(store, conn, keyid, [1])
    with pytest.raises(VerificationError, match="map root is not the map of the log's first"):
        store.verify_store(conn)
