"""Merkle tree hashing, proofs and their verification, in memory (RFC 9162 section 2.1, as RFC 6962).

``leaf = SHA-256(0x00 || data)``, ``node = SHA-256(0x01 || left || right)``, the empty tree hashes to
``SHA-256("")``. Building the tree level by level, promoting an odd last node unchanged, gives exactly the
RFC's split-at-the-largest-power-of-two tree, so roots and inclusion paths cost O(n) hashes; ``tree_levels``
is kept so that many proofs over one tree (a packaging event's 10,000 serials) cost O(log n) each.
The verifiers are the algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2, with the edge cases of
transparency-dev/merkle's test vectors.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import NewType

from tracer.ledger.errors import VerificationError

LeafHash = NewType("LeafHash", bytes)
RootHash = NewType("RootHash", bytes)

HASH_SIZE = 32
EMPTY_ROOT = RootHash(hashlib.sha256(b"").digest())

_sha256 = hashlib.sha256


def leaf_hash(data: bytes) -> LeafHash:
    """SHA-256(0x00 || data)."""
    return LeafHash(_sha256(b"\x00" + data).digest())


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right)."""
    return _sha256(b"\x01" + left + right).digest()


def tree_levels(leaf_hashes: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree, leaves first, root level (one hash) last; ``[[]]`` for no leaves."""
    level = list(leaf_hashes)
    levels = [level]
    while len(level) > 1:
        paired = [_sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
        levels.append(level)
    return levels


def root_hash(leaf_hashes: Sequence[bytes]) -> RootHash:
    """The Merkle tree hash of ``leaf_hashes``; O(n)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    return RootHash(tree_levels(leaf_hashes)[-1][0])


def inclusion_proof_from_levels(levels: Sequence[Sequence[bytes]], index: int) -> list[bytes]:
    """The audit path of leaf ``index`` from ``tree_levels`` output; O(log n)."""
    if not 0 <= index < len(levels[0]):
        raise ValueError(f"leaf index {index} outside a tree of {len(levels[0])} leaves")
    proof = []
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            proof.append(level[sibling])
        index >>= 1
    return proof


def inclusion_proof_from_leaves(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """The RFC 9162 section 2.1.3.1 audit path of leaf ``index``; O(n)."""
    return inclusion_proof_from_levels(tree_levels(leaf_hashes), index)


def consistency_proof_from_leaves(leaf_hashes: Sequence[bytes], m: int) -> list[bytes]:
    """The RFC 9162 section 2.1.4.1 consistency proof from the first ``m`` leaves to all of them."""
    if not 0 < m <= len(leaf_hashes):
        raise ValueError(f"cannot prove consistency from size {m} to size {len(leaf_hashes)}")
    return _subproof(m, list(leaf_hashes), True)


def _subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root_hash(leaves)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), root_hash(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), root_hash(leaves[:k])]


def _check_sizes(what: str, *hashes: bytes) -> None:
    for value in hashes:
        if len(value) != HASH_SIZE:
            raise VerificationError(f"{what}: a hash is {HASH_SIZE} bytes, got {len(value)}")


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Check that ``leaf`` is at ``index`` in the tree of ``size`` leaves with ``root`` (RFC 9162 2.1.3.2)."""
    if not 0 <= index < size:
        raise VerificationError(f"inclusion: index {index} is not inside a tree of size {size}")
    _check_sizes("inclusion", leaf, root, *proof)
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            raise VerificationError("inclusion: proof is too long")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("inclusion: proof is too short")
    if r != root:
        raise VerificationError("inclusion: computed root does not match")


def verify_consistency(size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]) -> None:
    """Check that the tree (size2, root2) extends (size1, root1) (RFC 9162 section 2.1.4.2)."""
    if size1 < 1 or size2 < size1:
        raise VerificationError(f"consistency: sizes {size1} -> {size2} cannot be proven")
    if size1 == size2:
        if proof:
            raise VerificationError("consistency: equal sizes need an empty proof")
        if root1 != root2:
            raise VerificationError("consistency: equal sizes but different roots")
        return
    if not proof:
        raise VerificationError("consistency: empty proof")
    _check_sizes("consistency", root1, root2, *proof)
    path = list(proof)
    if size1 & (size1 - 1) == 0:
        path.insert(0, root1)
    fn, sn = size1 - 1, size2 - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("consistency: proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise VerificationError("consistency: proof is too short")
    if fr != root1:
        raise VerificationError("consistency: computed old root does not match")
    if sr != root2:
        raise VerificationError("consistency: computed new root does not match")
