"""The stored-hash layout of Go's ``golang.org/x/mod/sumdb/tlog`` (after Crosby and Wallach, section 3.3).

Every complete subtree (level L, n-th at that level) has one dense storage index. Appending record ``n``
stores ``1 + ctz(n + 1)`` hashes, consecutively from ``stored_hash_index(0, n)``: the leaf hash and the
subtrees it completes. A tree hash or an RFC 9162 inclusion or consistency proof for any tree size needs at
most O(log n) stored hashes, which the ``*_indexes`` functions list so a store can fetch them in ONE query;
the matching ``*_from_hashes`` functions assemble the answer from the fetched hashes in the same order
(ports of Go's ``TreeHash``, ``ProveRecord`` and ``ProveTree``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tracer.ledger.errors import InvalidRequestError
from tracer.ledger.merkle import node_hash

HashReader = Callable[[Sequence[int]], Sequence[bytes]]


def stored_hash_index(level: int, n: int) -> int:
    """The storage index of the ``n``-th hash at ``level`` (Go ``StoredHashIndex``)."""
    # Level L's n-th hash is written right after level 0's hash of record ((n+1) << L) - 1; level 0's
    # n-th hash sits at n + n/2 + n/4 + ... = 2n - popcount(n).
    last = ((n + 1) << level) - 1
    return 2 * last - last.bit_count() + level


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """Inverse of ``stored_hash_index``: (level, n) (Go ``SplitStoredHashIndex``)."""
    n = index // 2
    index_n = stored_hash_index(0, n)
    while True:
        following = index_n + 1 + _ctz(n + 1)
        if following > index:
            break
        n += 1
        index_n = following
    level = index - index_n
    return level, n >> level


def stored_hash_count(n: int) -> int:
    """How many hashes a tree of ``n`` records stores (Go ``StoredHashCount``)."""
    return 2 * n - n.bit_count()


def record_of_stored_hash(index: int) -> int:
    """The record whose append wrote stored hash ``index``."""
    level, n = split_stored_hash_index(index)
    return ((n + 1) << level) - 1


def _ctz(x: int) -> int:
    return (x & -x).bit_length() - 1


def _maxpow2(n: int) -> tuple[int, int]:
    """The largest power of two strictly below ``n``, and its log2 (Go ``maxpow2``)."""
    level = (n - 1).bit_length() - 1
    return 1 << level, level


def record_hash_indexes(n: int) -> list[int]:
    """Indexes of the earlier hashes that appending record ``n`` combines with (sorted)."""
    m = _ctz(n + 1)
    return [stored_hash_index(i, (n >> i) - 1) for i in reversed(range(m))]


def subtree_indexes(lo: int, hi: int, need: list[int]) -> list[int]:
    """Append the indexes needed for the hash of records [lo, hi) (Go ``subTreeIndex``)."""
    while lo < hi:
        k, level = _maxpow2(hi - lo + 1)
        need.append(stored_hash_index(level, lo >> level))
        lo += k
    return need


def subtree_hash(lo: int, hi: int, hashes: list[bytes], at: int) -> tuple[bytes, int]:
    """Hash of records [lo, hi) from ``hashes[at:]``; return it and the next unused position."""
    count = 0
    while lo < hi:
        k, _ = _maxpow2(hi - lo + 1)
        count += 1
        lo += k
    h = hashes[at + count - 1]
    for i in range(at + count - 2, at - 1, -1):
        h = node_hash(hashes[i], h)
    return h, at + count


def tree_hash_indexes(n: int) -> list[int]:
    """Indexes needed for the root of the tree of ``n`` records."""
    return subtree_indexes(0, n, [])


def tree_hash_from_hashes(n: int, hashes: list[bytes]) -> bytes:
    """The root of the tree of ``n > 0`` records from the hashes at ``tree_hash_indexes(n)``."""
    h, _ = subtree_hash(0, n, hashes, 0)
    return h


def record_proof_indexes(size: int, index: int) -> list[int]:
    """Indexes needed for the inclusion proof of record ``index`` in the tree of ``size`` records."""
    if not 0 <= index < size:
        raise InvalidRequestError(f"index {index} is not inside a tree of size {size}")
    return _leaf_proof_index(0, size, index, [])


def _leaf_proof_index(lo: int, hi: int, n: int, need: list[int]) -> list[int]:
    if lo + 1 == hi:
        return need
    k, _ = _maxpow2(hi - lo)
    if n < lo + k:
        _leaf_proof_index(lo, lo + k, n, need)
        return subtree_indexes(lo + k, hi, need)
    subtree_indexes(lo, lo + k, need)
    return _leaf_proof_index(lo + k, hi, n, need)


def record_proof_from_hashes(size: int, index: int, hashes: list[bytes]) -> list[bytes]:
    """The inclusion proof, leaf's sibling first, from the hashes at ``record_proof_indexes``."""
    proof: list[bytes] = []
    _leaf_proof(0, size, index, hashes, 0, proof)
    return proof


def _leaf_proof(lo: int, hi: int, n: int, hashes: list[bytes], at: int, proof: list[bytes]) -> int:
    if lo + 1 == hi:
        return at
    k, _ = _maxpow2(hi - lo)
    if n < lo + k:
        at = _leaf_proof(lo, lo + k, n, hashes, at, proof)
        h, at = subtree_hash(lo + k, hi, hashes, at)
    else:
        h, at = subtree_hash(lo, lo + k, hashes, at)
        at = _leaf_proof(lo + k, hi, n, hashes, at, proof)
    proof.append(h)
    return at


def tree_proof_indexes(size: int, old_size: int) -> list[int]:
    """Indexes needed for the consistency proof from ``old_size`` to ``size`` (1 <= old_size <= size)."""
    if not 1 <= old_size <= size:
        raise InvalidRequestError(f"cannot prove consistency from size {old_size} to size {size}")
    return _tree_proof_index(0, size, old_size, [])


def _tree_proof_index(lo: int, hi: int, n: int, need: list[int]) -> list[int]:
    if n == hi:
        return need if lo == 0 else subtree_indexes(lo, hi, need)
    k, _ = _maxpow2(hi - lo)
    if n <= lo + k:
        _tree_proof_index(lo, lo + k, n, need)
        return subtree_indexes(lo + k, hi, need)
    subtree_indexes(lo, lo + k, need)
    return _tree_proof_index(lo + k, hi, n, need)


def tree_proof_from_hashes(size: int, old_size: int, hashes: list[bytes]) -> list[bytes]:
    """The consistency proof from the hashes at ``tree_proof_indexes``."""
    proof: list[bytes] = []
    _tree_proof(0, size, old_size, hashes, 0, proof)
    return proof


def _tree_proof(lo: int, hi: int, n: int, hashes: list[bytes], at: int, proof: list[bytes]) -> int:
    if n == hi:
        if lo == 0:
            return at
        h, at = subtree_hash(lo, hi, hashes, at)
        proof.append(h)
        return at
    k, _ = _maxpow2(hi - lo)
    if n <= lo + k:
        at = _tree_proof(lo, lo + k, n, hashes, at, proof)
        h, at = subtree_hash(lo + k, hi, hashes, at)
    else:
        h, at = subtree_hash(lo, lo + k, hashes, at)
        at = _tree_proof(lo + k, hi, n, hashes, at, proof)
    proof.append(h)
    return at


def extend_frontier(
    frontier: list[bytes], size: int, leaf_hashes: Sequence[bytes]
) -> list[tuple[int, bytes]]:
    """Append leaves to a tree of ``size`` records; return the new (stored index, hash) rows, in order.

    ``frontier`` holds the hashes of the tree's maximal complete subtrees, largest first (the hashes at
    ``tree_hash_indexes(size)``) and is updated in place. Record n merges with the ctz(n + 1) smallest of
    them, which is Go's ``StoredHashes`` without any reads.
    """
    rows: list[tuple[int, bytes]] = []
    append, pop = rows.append, frontier.pop
    for n, h in enumerate(leaf_hashes, start=size):
        base = 2 * n - n.bit_count()
        append((base, h))
        for level in range(1, _ctz(n + 1) + 1):
            h = node_hash(pop(), h)
            append((base + level, h))
        frontier.append(h)
    return rows


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """The root of a tree from its maximal complete subtrees (non-empty), largest first."""
    h = frontier[-1]
    for left in reversed(frontier[:-1]):
        h = node_hash(left, h)
    return h
