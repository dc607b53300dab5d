"""Property tests: every proof for tree sizes up to 300 against a naive RFC 9162 reference, and bit flips.

The reference below is the RFC's recursive definitions taken literally (MTH, PATH, PROOF/SUBPROOF), with no
shared code. Proofs come from the in-memory functions and from Go-layout stored hashes read through a dict
(the same index math the SQL store uses); both must equal the reference, verify, and fail once any bit of
the proof, leaf or root is flipped.
"""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracer.ledger.errors import VerificationError
from tracer.ledger.merkle import (
    consistency_proof_from_leaves,
    inclusion_proof_from_leaves,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from tracer.ledger.tlog_index import (
    extend_frontier,
    record_proof_from_hashes,
    record_proof_indexes,
    stored_hash_count,
    tree_hash_from_hashes,
    tree_hash_indexes,
    tree_proof_from_hashes,
    tree_proof_indexes,
)


def ref_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def ref_mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return ref_leaf(d[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + ref_mth(d[:k]) + ref_mth(d[k:])).digest()


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return ref_path(m, d[:k]) + [ref_mth(d[k:])]
    return ref_path(m - k, d[k:]) + [ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return ref_subproof(m, d[:k], b) + [ref_mth(d[k:])]
    return ref_subproof(m - k, d[k:], False) + [ref_mth(d[:k])]


def _flip(value: bytes, bit: int) -> bytes:
    bit %= len(value) * 8
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def _data(n: int) -> list[bytes]:
    return [f"entry {i} · Đắk Lắk".encode() * (i % 3) for i in range(n)]


def _stored(leaves: list[bytes]) -> dict[int, bytes]:
    rows = extend_frontier([], 0, leaves)
    assert [idx for idx, _ in rows] == list(range(stored_hash_count(len(leaves))))
    return dict(rows)


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=300), bit=st.integers(min_value=0), pick=st.integers(min_value=0)
)
def test_every_inclusion_proof(size: int, bit: int, pick: int) -> None:
    data = _data(size)
    leaves = [ref_leaf(x) for x in data]
    stored = _stored(leaves)
    root = ref_mth(data)
    assert root_hash(leaves) == root
    assert tree_hash_from_hashes(size, [stored[i] for i in tree_hash_indexes(size)]) == root
    for index in range(size):
        expected = ref_path(index, data)
        assert inclusion_proof_from_leaves(leaves, index) == expected
        hashes = [stored[i] for i in record_proof_indexes(size, index)]
        assert record_proof_from_hashes(size, index, hashes) == expected
        verify_inclusion(index, size, leaves[index], expected, root)
    index = pick % size
    proof = ref_path(index, data)
    flips = [(leaves[index], proof, _flip(root, bit)), (_flip(leaves[index], bit), proof, root)]
    if proof:
        position = pick % len(proof)
        bad = [*proof[:position], _flip(proof[position], bit), *proof[position + 1 :]]
        flips.append((leaves[index], bad, root))
    for leaf, bad_proof, bad_root in flips:
        with pytest.raises(VerificationError):
            verify_inclusion(index, size, leaf, bad_proof, bad_root)


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(min_value=1, max_value=300), bit=st.integers(min_value=0), pick=st.integers(min_value=0)
)
def test_every_consistency_proof(size: int, bit: int, pick: int) -> None:
    data = _data(size)
    leaves = [ref_leaf(x) for x in data]
    stored = _stored(leaves)
    roots = [ref_mth(data[:m]) for m in range(size + 1)]
    for m in range(1, size + 1):
        expected = ref_subproof(m, data, True)
        assert consistency_proof_from_leaves(leaves, m) == expected
        hashes = [stored[i] for i in tree_proof_indexes(size, m)]
        assert tree_proof_from_hashes(size, m, hashes) == expected
        verify_consistency(m, size, roots[m], roots[size], expected)
    m = 1 + pick % size
    proof = ref_subproof(m, data, True)
    flips = [(_flip(roots[m], bit), roots[size], proof), (roots[m], _flip(roots[size], bit), proof)]
    if proof:
        position = pick % len(proof)
        flips.append(
            (roots[m], roots[size], [*proof[:position], _flip(proof[position], bit), *proof[position + 1 :]])
        )
    for old, new, bad in flips:
        with pytest.raises(VerificationError):
            verify_consistency(m, size, old, new, bad)
