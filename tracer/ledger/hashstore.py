"""Stored hashes in SQL (``ledger_hashes``, Go ``sumdb/tlog`` layout): appends and one-query proofs.

Every read is ONE ``SELECT idx, hash FROM ledger_hashes WHERE idx IN (...)`` over O(log n) primary-key
values. A proof for tree size ``t`` also asks for the leaf hash of record ``t - 1``: its presence proves the
log has at least ``t`` records, so no second query is needed to validate the size.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, bindparam, select

from tracer.ledger.connection import insert_rows
from tracer.ledger.errors import InvalidRequestError, NotFoundError
from tracer.ledger.merkle import EMPTY_ROOT, RootHash
from tracer.ledger.schema import ledger_hashes
from tracer.ledger.tlog_index import (
    extend_frontier,
    frontier_root,
    record_proof_from_hashes,
    record_proof_indexes,
    stored_hash_index,
    tree_hash_indexes,
    tree_proof_from_hashes,
    tree_proof_indexes,
)

_SELECT = select(ledger_hashes.c.idx, ledger_hashes.c.hash).where(
    ledger_hashes.c.idx.in_(bindparam("ids", expanding=True))
)


def read_hashes(conn: Connection, indexes: Sequence[int]) -> list[bytes]:
    """The hashes at ``indexes`` (in that order) in one query; NotFoundError if any is missing."""
    if not indexes:
        return []
    found = {int(idx): bytes(value) for idx, value in conn.execute(_SELECT, {"ids": sorted(set(indexes))})}
    missing = [i for i in indexes if i not in found]
    if missing:
        raise NotFoundError(f"stored hash {missing[0]} is not in the log")
    return [found[i] for i in indexes]


def frontier(conn: Connection, size: int) -> list[bytes]:
    """The hashes of the maximal complete subtrees of the tree of ``size`` records."""
    return read_hashes(conn, tree_hash_indexes(size))


def append_leaf_hashes(conn: Connection, size: int, leaf_hashes: Sequence[bytes]) -> RootHash:
    """Write the stored hashes for ``leaf_hashes`` appended to a log of ``size``; return the new root."""
    if not leaf_hashes:
        return tree_root(conn, size)
    subtrees = frontier(conn, size)
    rows = extend_frontier(subtrees, size, leaf_hashes)
    insert_rows(conn, ledger_hashes, ("idx", "hash"), rows)
    return RootHash(frontier_root(subtrees))


def tree_root(conn: Connection, size: int) -> RootHash:
    """The root of the tree of ``size`` records (Go ``TreeHash``)."""
    return RootHash(frontier_root(frontier(conn, size))) if size else EMPTY_ROOT


def _guarded(conn: Connection, indexes: list[int], size: int) -> list[bytes]:
    try:
        return read_hashes(conn, [*indexes, stored_hash_index(0, size - 1)])[:-1]
    except NotFoundError as exc:
        raise NotFoundError(f"the log has fewer than {size} entries") from exc


def inclusion_proof(conn: Connection, index: int, size: int) -> list[bytes]:
    """The RFC 9162 inclusion proof of record ``index`` in the tree of ``size`` records."""
    if not 0 <= index < size:
        raise InvalidRequestError(f"index {index} is not inside a tree of size {size}")
    hashes = _guarded(conn, record_proof_indexes(size, index), size)
    return record_proof_from_hashes(size, index, hashes)


def consistency_proof(conn: Connection, m: int, n: int) -> list[bytes]:
    """The RFC 9162 consistency proof from the tree of ``m`` records to the tree of ``n``."""
    if not 1 <= m <= n:
        raise InvalidRequestError(f"cannot prove consistency from size {m} to size {n}")
    hashes = _guarded(conn, tree_proof_indexes(n, m), n)
    return tree_proof_from_hashes(n, m, hashes)
