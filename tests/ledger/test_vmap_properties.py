"""Property tests of the verifiable map: random maps of up to a few hundred keys, fed in random batches.

The incremental map (``MemoryMap``, the same tree code the SQL store runs) must equal the map computed from
scratch, by the library's reference and by the second implementation in test_vmap_vectors; every key's
inclusion and every other key's absence must verify; and flipping any one bit of a value, a proof or the
root must make verification fail.
"""

from __future__ import annotations

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ledger.test_vmap_vectors import doc_key, doc_proof, doc_tree, doc_value
from tracer.ledger.errors import MapVerificationError
from tracer.ledger.vmap import key_hash, map_value, root_of
from tracer.ledger.vmap_memory import MemoryMap, map_from_entries
from tracer.ledger.vmap_proof import proof_from_bytes, verify_absence, verify_entries, verify_inclusion
from tracer.ledger.vmap_tree import MapUpdate

KINDS = ("lot", "product", "org", "key")


@st.composite
def streams(draw: st.DrawFn, max_keys: int = 300) -> tuple[list[MapUpdate], list[int]]:
    """A log's worth of map updates (each entry about 1 to 3 subjects) and where to cut it into batches."""
    subjects = draw(st.integers(min_value=0, max_value=max_keys))
    entries = draw(st.integers(min_value=0, max_value=max(1, subjects * 2)))
    updates = []
    for index in range(entries):
        about = (
            draw(st.sets(st.integers(0, max(0, subjects - 1)), min_size=1, max_size=3)) if subjects else set()
        )
        leaf = hashlib.sha256(b"\x00entry %d" % index).digest()
        updates += [MapUpdate(f"{KINDS[n % 4]}:{n}", index, leaf) for n in sorted(about)]
    cuts = sorted(draw(st.sets(st.integers(0, len(updates)), max_size=12)))
    return updates, cuts


def _lists(updates: list[MapUpdate]) -> dict[str, list[tuple[int, bytes]]]:
    lists: dict[str, list[tuple[int, bytes]]] = {}
    for u in updates:
        lists.setdefault(u.map_key, []).append((u.index, u.leaf_hash))
    return lists


@settings(max_examples=60, deadline=None)
@given(streams())
def test_incremental_batches_equal_the_map_from_scratch(stream):
    updates, cuts = stream
    memory = MemoryMap()
    for lo, hi in zip([0, *cuts], [*cuts, len(updates)], strict=True):
        root = memory.apply(updates[lo:hi])
        assert root == memory.root == root_of({k: s.value for k, s in memory.states.items()})
    lists = _lists(updates)
    pairs = [(doc_key(k), doc_value(v)) for k, v in lists.items()]
    assert memory.root == doc_tree(pairs, 0) == map_from_entries(lists).root
    for map_key, entries in list(lists.items())[:40]:
        assert memory.entries(map_key) == entries
        assert memory.prove(map_key).proof.to_bytes() == doc_proof(pairs, doc_key(map_key))


@settings(max_examples=40, deadline=None)
@given(streams(), st.lists(st.integers(0, 10**6), max_size=20))
def test_every_key_is_included_and_every_other_key_absent(stream, others):
    updates, _ = stream
    lists = _lists(updates)
    memory = map_from_entries(lists)
    for map_key, entries in lists.items():
        lookup = memory.prove(map_key)
        assert lookup.value == map_value(entries)
        verify_inclusion(memory.root, map_key, map_value(entries), lookup.proof)
        verify_entries(memory.root, map_key, entries, lookup.proof)
    for n in others:
        map_key = f"lot:absent-{n}"
        lookup = memory.prove(map_key)
        assert lookup.value is None
        verify_absence(memory.root, map_key, lookup.proof)
        verify_entries(memory.root, map_key, [], lookup.proof)


def _fails(check, *args) -> bool:
    try:
        check(*args)
    except MapVerificationError:
        return True
    return False


def _flips(data: bytes):
    for at in range(len(data)):
        for b in range(8):
            out = bytearray(data)
            out[at] ^= 1 << b
            yield bytes(out)


def _inclusion(root: bytes, map_key: str, value: bytes, raw: bytes) -> None:
    verify_inclusion(root, map_key, value, proof_from_bytes(raw))


def _absence(root: bytes, map_key: str, raw: bytes) -> None:
    verify_absence(root, map_key, proof_from_bytes(raw))


@settings(max_examples=25, deadline=None)
@given(streams(max_keys=200), st.data())
def test_any_flipped_bit_of_value_proof_or_root_fails(stream, data):
    updates, _ = stream
    lists = _lists(updates)
    memory = map_from_entries(lists)
    root = memory.root
    if lists:
        map_key = data.draw(st.sampled_from(sorted(lists)))
        value = map_value(lists[map_key])
        raw = memory.prove(map_key).proof.to_bytes()
        _inclusion(root, map_key, value, raw)
        assert all(_fails(_inclusion, root, map_key, value, bad) for bad in _flips(raw))
        assert all(_fails(_inclusion, root, map_key, bad, raw) for bad in _flips(value))
        assert all(_fails(_inclusion, bad, map_key, value, raw) for bad in _flips(root))
        assert _fails(_absence, root, map_key, raw)
    absent = f"org:absent-{data.draw(st.integers(0, 10**6))}"
    raw = memory.prove(absent).proof.to_bytes()
    _absence(root, absent, raw)
    assert all(_fails(_absence, root, absent, bad) for bad in _flips(raw))
    assert all(_fails(_absence, bad, absent, raw) for bad in _flips(root))


@settings(max_examples=30, deadline=None)
@given(streams(max_keys=60), st.data())
def test_a_list_missing_adding_or_changing_an_entry_fails(stream, data):
    updates, _ = stream
    lists = _lists(updates)
    if not lists:
        return
    memory = map_from_entries(lists)
    map_key = data.draw(st.sampled_from(sorted(lists)))
    entries = lists[map_key]
    proof = memory.prove(map_key).proof
    verify_entries(memory.root, map_key, entries, proof)
    drop = data.draw(st.integers(0, len(entries) - 1))
    assert _fails(verify_entries, memory.root, map_key, entries[:drop] + entries[drop + 1 :], proof)
    extra = (entries[-1][0] + 1, hashlib.sha256(b"late").digest())
    assert _fails(verify_entries, memory.root, map_key, [*entries, extra], proof)
    index, leaf = entries[drop]
    changed = [*entries[:drop], (index, hashlib.sha256(leaf).digest()), *entries[drop + 1 :]]
    assert _fails(verify_entries, memory.root, map_key, changed, proof)
    assert key_hash(map_key) in memory.states
