"""The stored verifiable map on SQLite and PostgreSQL: batches equal the in-memory map, proofs from storage
verify, reads are one statement, refused batches write nothing, and edits to the tables are caught."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, delete, event, func, select, update

from tests.ledger.helpers import tx
from tests.ledger.vmap_vectors import entry_leaf
from tracer.ledger import vmap_store
from tracer.ledger.errors import InvalidRequestError, LedgerError, MapVerificationError
from tracer.ledger.schema import ledger_map_entries, ledger_map_nodes, ledger_map_values
from tracer.ledger.vmap import EMPTY_ROOT, bit, key_hash, map_value
from tracer.ledger.vmap_memory import MemoryMap, map_from_entries
from tracer.ledger.vmap_proof import proof_from_base64, verify_absence, verify_entries, verify_inclusion
from tracer.ledger.vmap_tree import MapUpdate, prefix

KINDS = ("lot", "product", "org", "key")


def stream(count: int, subjects: int, seed: int, start: int = 0) -> list[MapUpdate]:
    """``count`` log entries from ``start``, each about one to three of ``subjects`` subjects."""
    rng = random.Random(seed)
    out = []
    for index in range(start, start + count):
        for n in sorted(rng.sample(range(subjects), rng.choice((1, 1, 2, 3)))):
            out.append(MapUpdate(f"{KINDS[n % 4]}:S{n}", index, entry_leaf(index)))
    return out


def lists_of(updates: list[MapUpdate]) -> dict[str, list[tuple[int, bytes]]]:
    lists: dict[str, list[tuple[int, bytes]]] = {}
    for u in updates:
        lists.setdefault(u.map_key, []).append((u.index, u.leaf_hash))
    return lists


@pytest.fixture
def db(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        yield conn


def counts(conn: Connection) -> tuple[int, ...]:
    tables = (ledger_map_nodes, ledger_map_values, ledger_map_entries)
    return tuple(conn.execute(select(func.count()).select_from(t)).scalar_one() for t in tables)


def statements(conn: Connection) -> list[str]:
    """Every SQL statement ``conn`` runs from now on (appended to the returned list)."""
    seen: list[str] = []
    event.listen(conn, "before_cursor_execute", lambda *args: seen.append(args[2]))
    return seen


def test_batches_equal_the_memory_map_and_proofs_from_storage_verify(db):
    updates = stream(1500, 400, seed=7)
    memory = MemoryMap()
    assert vmap_store.map_root(db) == EMPTY_ROOT
    at, rng = 0, random.Random(3)
    while at < len(updates):
        batch = updates[at : at + rng.choice((1, 2, 17, 100, 250))]
        at += len(batch)
        with tx(db):
            root = vmap_store.apply_updates(db, batch)
        assert root == memory.apply(batch) == vmap_store.map_root(db)
    lists = lists_of(updates)
    assert root == map_from_entries(lists).root
    with tx(db):
        for map_key, entries in lists.items():
            lookup = vmap_store.prove(db, map_key)
            assert lookup.value == map_value(entries)
            assert lookup.proof == memory.prove(map_key).proof
            assert vmap_store.entries_of(db, map_key) == entries
            state = vmap_store.state_of(db, map_key)
            assert state is not None and (state.entries, state.last_index) == (len(entries), entries[-1][0])
            # through its transport form, as a bundle would carry it
            verify_entries(root, map_key, entries, proof_from_base64(lookup.proof.to_base64()))
        for n in range(400, 700):
            lookup = vmap_store.prove(db, f"lot:S{n}")
            assert lookup.value is None and vmap_store.state_of(db, f"lot:S{n}") is None
            verify_absence(root, f"lot:S{n}", lookup.proof)
            assert vmap_store.entries_of(db, f"lot:S{n}") == []


def test_bulk_load_equals_batches_and_refuses_a_map_with_keys(db):
    updates = stream(600, 300, seed=11)
    lists = lists_of(updates)
    with tx(db):
        root = vmap_store.load_map(db, {**lists, "lot:none": []})
        assert root == map_from_entries(lists).root == vmap_store.map_root(db)
        assert counts(db)[1:] == (len(lists), len(updates))
        with pytest.raises(
            InvalidRequestError, match="the map already has keys: load_map fills an empty map"
        ):
            vmap_store.load_map(db, lists)
        more = stream(100, 300, seed=12, start=600)
        assert vmap_store.apply_updates(db, more) == map_from_entries(lists_of(updates + more)).root


def test_a_proof_reads_one_statement_and_an_update_a_few(db):
    lists = lists_of(stream(3000, 2000, seed=5))
    with tx(db):
        vmap_store.load_map(db, lists)
    with tx(db):
        seen = statements(db)
        vmap_store.prove(db, "lot:S4")
        assert len(seen) == 1 and "ledger_map_nodes" in seen[0]
        seen.clear()
        vmap_store.apply_updates(db, stream(100, 2000, seed=6, start=3000))
        # the states, the paths 12 levels at a time (about 13 deep here), then new nodes, changed nodes,
        # changed states, new states, entry lists
        kinds = [" ".join(s.split()[:3]) for s in seen]
        assert kinds[0].startswith("SELECT ledger_map_values.key_hash")
        assert 1 <= sum("JOIN ledger_map_nodes" in s for s in seen) <= 2
        assert kinds[-5:] == [
            "INSERT INTO ledger_map_nodes",
            "UPDATE ledger_map_nodes SET",
            "UPDATE ledger_map_values SET",
            "INSERT INTO ledger_map_values",
            "INSERT INTO ledger_map_entries",
        ]


def test_paths_deeper_than_one_window_are_read_in_several_statements(db, monkeypatch):
    monkeypatch.setattr(vmap_store, "WINDOW", 2)
    monkeypatch.setattr(vmap_store, "UPDATE_WINDOW", 1)
    updates = stream(400, 150, seed=8)
    memory = MemoryMap()
    for at in range(0, len(updates), 50):
        with tx(db):
            assert vmap_store.apply_updates(db, updates[at : at + 50]) == memory.apply(updates[at : at + 50])
    with tx(db):
        seen = statements(db)
        lookup = vmap_store.prove(db, "lot:S0")
        assert lookup.proof == memory.prove("lot:S0").proof
        assert len(seen) == (lookup.proof.depth + 2) // 2  # depths 0 .. D, two per statement


def test_a_refused_batch_writes_nothing(db):
    with tx(db):
        vmap_store.apply_updates(db, stream(50, 20, seed=1))
    before, root = counts(db), vmap_store.map_root(db)
    last = vmap_store.state_of(db, "lot:S0")
    assert last is not None
    bad_batches = [
        [MapUpdate("lot:fresh", 100, entry_leaf(100)), MapUpdate("lot:S0", last.last_index, entry_leaf(1))],
        [MapUpdate("lot:fresh", 100, entry_leaf(100)), MapUpdate("lot:fr\u00eash", 101, entry_leaf(101))],
        [MapUpdate("lot:fresh", 2**63, entry_leaf(100))],
        [MapUpdate("lot:fresh\x00", 100, entry_leaf(100))],
    ]
    for batch in bad_batches:
        with pytest.raises(InvalidRequestError):
            with tx(db):
                vmap_store.apply_updates(db, batch)
        assert counts(db) == before and vmap_store.map_root(db) == root


def test_an_entry_fed_twice_is_refused(db):
    batch = [MapUpdate("lot:L1", 5, entry_leaf(5))]
    with tx(db):
        vmap_store.apply_updates(db, batch)
    with (
        pytest.raises(InvalidRequestError, match="lot:L1: entry 5 is not after its last entry 5"),
        tx(db),
    ):
        vmap_store.apply_updates(db, batch)


# --- an attacker with the database but not the log key ------------------------------------------------------


def committed(db: Connection) -> tuple[bytes, dict[str, list[tuple[int, bytes]]]]:
    """A map of 300 subjects; its root as a signed checkpoint would carry it."""
    lists = lists_of(stream(800, 300, seed=21))
    with tx(db):
        root = vmap_store.load_map(db, lists)
    return root, lists


def test_deleting_a_recall_from_the_entry_list_fails_verification(db):
    root, lists = committed(db)
    victim = max(lists, key=lambda k: len(lists[k]))
    with tx(db):
        recall = vmap_store.entries_of(db, victim)[-1]
        db.execute(
            delete(ledger_map_entries).where(
                ledger_map_entries.c.key_hash == key_hash(victim), ledger_map_entries.c.idx == recall[0]
            )
        )
    with tx(db):
        shown = vmap_store.entries_of(db, victim)
        assert len(shown) == len(lists[victim]) - 1
        with pytest.raises(
            MapVerificationError, match=f"{victim}: the {len(shown)} entries given do not lead"
        ):
            verify_entries(root, victim, shown, vmap_store.prove(db, victim).proof)


def test_editing_a_node_or_deleting_a_leaf_fails_verification(db):
    root, lists = committed(db)
    key = sorted(lists)[0]
    k = key_hash(key)
    with tx(db):
        depth = vmap_store.prove(db, key).proof.depth
        assert depth >= 1
        # rewrite the sibling hash kept in the leaf's parent
        column = "right_hash" if bit(k, depth - 1) == 0 else "left_hash"
        db.execute(
            update(ledger_map_nodes)
            .where(ledger_map_nodes.c.depth == depth - 1, ledger_map_nodes.c.prefix == prefix(k, depth - 1))
            .values({column: entry_leaf(999_999)})
        )
    with tx(db), pytest.raises(MapVerificationError, match="do not lead to the committed root"):
        verify_entries(root, key, lists[key], vmap_store.prove(db, key).proof)
    with tx(db):
        db.execute(delete(ledger_map_nodes).where(ledger_map_nodes.c.key_hash == k))
    with tx(db):
        lookup = vmap_store.prove(db, key)
        assert lookup.value is None  # the key now looks absent ...
        with pytest.raises(MapVerificationError, match="absence proof does not lead to the committed root"):
            verify_absence(root, key, lookup.proof)  # ... which the committed root refutes


def test_a_changed_stored_value_is_caught_by_replaying_the_log(db):
    root, lists = committed(db)
    key = sorted(lists)[1]
    with tx(db):
        db.execute(
            update(ledger_map_values)
            .where(ledger_map_values.c.key_hash == key_hash(key))
            .values(value=bytes(32))
        )
    more = [MapUpdate(key, 10_000, entry_leaf(10_000))]
    with tx(db):
        stored = vmap_store.apply_updates(db, more)
    replayed = MemoryMap()
    replayed.apply([MapUpdate(k, i, h) for k, v in lists.items() for i, h in v])
    assert replayed.apply(more) != stored  # an auditor replaying the log sees the next root is wrong
    with tx(db), pytest.raises(MapVerificationError, match="do not lead to the committed root"):
        verify_inclusion(stored, key, map_value([*lists[key], (10_000, entry_leaf(10_000))]),
                         vmap_store.prove(db, key).proof)  # fmt: skip
    assert root != stored


def test_a_broken_node_row_is_a_ledger_error_not_a_crash(db):
    _, lists = committed(db)
    key = sorted(lists)[2]
    with tx(db):
        db.execute(
            update(ledger_map_nodes)
            .where(ledger_map_nodes.c.depth == 0)
            .values(left_hash=None, right_hash=None, key_hash=None, value=None)
        )
    with tx(db), pytest.raises(LedgerError, match="map node at depth 0 is not a proper interior node"):
        vmap_store.prove(db, key)
    with tx(db), pytest.raises(LedgerError, match="map node at depth 0 has no child hashes"):
        vmap_store.apply_updates(db, [MapUpdate(key, 10_000, entry_leaf(10_000))])
    with tx(db), pytest.raises(LedgerError, match="neither a leaf nor an interior node"):
        vmap_store.map_root(db)
