"""The verifiable map's tree as stored nodes: incremental batch updates and proofs, for SQL and memory alike.

A node is kept at its position (depth, prefix), ``prefix`` being the first ``depth`` bits of the keys below
it, packed most significant bit first into ceil(depth / 8) bytes, unused bits zero. Only non-empty subtrees
have a node: an interior node (two keys or more below it) keeps its two children's hashes, so a path read
from the root gives every sibling of a proof without reading the siblings themselves; a leaf (the one key
of its subtree, at the shallowest depth where its prefix is unique) keeps that key's hash and value. The
hashing is ``vmap``'s (docs/verifiable-map.md).

``apply_changes`` takes new values for a batch of keys, sorted, and recomputes each changed node once,
bottom-up, reading only the nodes on the changed keys' paths (``path_positions``); ``proof_from_nodes``
walks one key's path. Both work on any mapping of positions to nodes: the whole tree in memory
(``vmap_memory``), or the nodes one SQL statement fetched (``vmap_store``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from tracer.ledger.errors import InvalidRequestError, LedgerError
from tracer.ledger.vmap import (
    EMPTY,
    HASH_SIZE,
    KEY_BITS,
    MAX_INDEX,
    NODE_PREFIX,
    VALUE_START,
    MapKeyHash,
    MapRoot,
    MapValue,
    bit,
    extend_value,
    key_hash,
    leaf_hash,
    node_hash,
    split,
)
from tracer.ledger.vmap_proof import MapProof, Terminal

Position = tuple[int, bytes]  # (depth, packed prefix)
_MASK = [(0xFF << (8 - r)) & 0xFF for r in range(8)]


class Node(NamedTuple):
    """An interior node (``left``, ``right``: its children's hashes) or a leaf (``key``, ``value``).

    A named tuple rather than a frozen dataclass: an update makes one per level per key, and a tuple is
    made several times faster."""

    left: bytes | None = None
    right: bytes | None = None
    key: MapKeyHash | None = None
    value: MapValue | None = None

    @property
    def hash(self) -> bytes:
        if self.key is not None and self.value is not None:
            return leaf_hash(self.key, self.value)
        if self.left is not None and self.right is not None:
            return node_hash(self.left, self.right)
        raise LedgerError("a map node is neither a leaf nor an interior node")


@dataclass(frozen=True, slots=True)
class MapUpdate:
    """One ledger entry bearing on one map key, fed in as the entry is appended."""

    map_key: str
    index: int
    leaf_hash: bytes


@dataclass(frozen=True, slots=True)
class SubjectState:
    """What the map holds for one key: its value, how many entries made it, the last one's index."""

    map_key: str
    value: MapValue
    entries: int
    last_index: int


@dataclass(frozen=True, slots=True)
class MapLookup:
    """A key's value (None: absent) and the proof of either against the current root."""

    map_key: str
    value: MapValue | None
    proof: MapProof


class NodeSink(Protocol):
    """Where new nodes go: a dict, or a writer that streams them into a table."""

    def __setitem__(self, position: Position, node: Node, /) -> None: ...


def prefix(key: bytes, depth: int) -> bytes:
    """The first ``depth`` bits of ``key``, packed, unused bits zero."""
    whole, rest = divmod(depth, 8)
    if not rest:
        return key[:whole]
    return key[:whole] + bytes([key[whole] & _MASK[rest]])


def child_prefix(parent: bytes, depth: int, side: int) -> bytes:
    """The prefix of child ``side`` (0 left, 1 right) of the node at ``depth`` with prefix ``parent``."""
    if not depth & 7:
        return parent + (b"\x80" if side else b"\x00")
    if not side:
        return parent
    return parent[:-1] + bytes([parent[-1] | (0x80 >> (depth & 7))])


def path_positions(key: bytes, start: int, stop: int) -> list[Position]:
    """The positions on ``key``'s path at depths ``start`` .. ``stop - 1`` (at most 256)."""
    return [(d, prefix(key, d)) for d in range(start, min(stop, KEY_BITS + 1))]


def path_end(nodes: Mapping[Position, Node], key: bytes, start: int, stop: int) -> int | None:
    """Walk ``key``'s path from ``start``: None if it ends (empty or leaf) before ``stop``, else ``stop``."""
    for depth in range(start, min(stop, KEY_BITS + 1)):
        node = nodes.get((depth, prefix(key, depth)))
        if node is None or node.key is not None:
            return None
    return stop if stop <= KEY_BITS else None


def root_from_nodes(nodes: Mapping[Position, Node]) -> MapRoot:
    node = nodes.get((0, b""))
    return MapRoot(EMPTY if node is None else node.hash)


def plan_updates(
    updates: Iterable[MapUpdate], states: Mapping[MapKeyHash, SubjectState]
) -> dict[MapKeyHash, SubjectState]:
    """The new state of every key that ``updates`` change, chaining each key's entries onto its current
    value in order. Raise InvalidRequestError, before anything is written, for a malformed key, index or
    leaf hash, or an index not above the key's last one (an entry fed twice, or out of order)."""
    changed: dict[MapKeyHash, SubjectState] = {}
    for update in updates:
        key = key_hash(update.map_key)
        if type(update.index) is not int or not 0 <= update.index <= MAX_INDEX:
            raise InvalidRequestError(f"{update.map_key}: index {update.index!r} is not in 0..2^63-1")
        if not isinstance(update.leaf_hash, bytes) or len(update.leaf_hash) != HASH_SIZE:
            raise InvalidRequestError(f"{update.map_key}: a leaf hash is {HASH_SIZE} bytes")
        state = changed.get(key) or states.get(key)
        if state is not None and state.map_key != update.map_key:
            raise LedgerError(f"map keys {state.map_key!r} and {update.map_key!r} have the same hash")
        if state is not None and update.index <= state.last_index:
            raise InvalidRequestError(
                f"{update.map_key}: entry {update.index} is not after its last entry {state.last_index}"
            )
        previous, count = (state.value, state.entries) if state is not None else (VALUE_START, 0)
        value = extend_value(previous, update.index, update.leaf_hash)
        changed[key] = SubjectState(update.map_key, value, count + 1, update.index)
    return changed


def apply_changes(
    nodes: Mapping[Position, Node], values: Mapping[MapKeyHash, MapValue]
) -> tuple[MapRoot, dict[Position, Node]]:
    """Set the keys of ``values`` to their values: the new root, and the nodes to write by position.

    ``nodes`` must hold every node on the paths of the keys of ``values`` (``path_positions``); the
    written positions are those paths' new nodes, each computed once, plus where a leaf moved down when a
    new key came to share its prefix. Nothing is ever deleted: no key leaves the map.
    """
    if not values:
        return root_from_nodes(nodes), {}
    items = sorted((k, leaf_hash(k, v), v) for k, v in values.items())
    writes: dict[Position, Node] = {}
    root = _update(nodes, writes, items, 0, b"", 0, len(items))
    return MapRoot(root), writes


Item = tuple[bytes, bytes, bytes]  # (key hash, leaf hash, value), sorted by key hash


def _update(
    nodes: Mapping[Position, Node],
    writes: dict[Position, Node],
    items: Sequence[Item],
    depth: int,
    at: bytes,
    lo: int,
    hi: int,
) -> bytes:
    if hi - lo == 1:
        return _update_one(nodes, writes, items[lo], depth, at)
    node = nodes.get((depth, at))
    if node is None or node.key is None:
        if node is None:  # an empty subtree: the new keys alone
            return _build(writes, items, depth, at, lo, hi)
        if depth >= KEY_BITS:
            raise LedgerError("a map path has an interior node at depth 256")
        mid = split(items, depth, lo, hi)
        left = (
            _update(nodes, writes, items, depth + 1, child_prefix(at, depth, 0), lo, mid)
            if lo < mid
            else node.left
        )
        right = (
            _update(nodes, writes, items, depth + 1, child_prefix(at, depth, 1), mid, hi)
            if mid < hi
            else node.right
        )
        if left is None or right is None:
            raise LedgerError(f"map node at depth {depth} has no child hashes")
        writes[(depth, at)] = Node(left, right)
        return node_hash(left, right)
    # One key's leaf: build the subtree afresh from the new keys and that key (unless it is among them).
    members = list(items[lo:hi])
    if node.value is not None and all(m[0] != node.key for m in members):
        members.append((node.key, node.hash, node.value))
        members.sort()
    return _build(writes, members, depth, at, 0, len(members))


def _update_one(
    nodes: Mapping[Position, Node], writes: dict[Position, Node], item: Item, depth: int, at: bytes
) -> bytes:
    """``_update`` for one key: down its path to where it ends, then up, one hash per level (the hot loop
    of an update: ``bit``, ``child_prefix`` and ``node_hash`` are written out)."""
    key, leaf, value = item
    path: list[tuple[int, bytes, Node, int]] = []
    node = nodes.get((depth, at))
    while node is not None and node.key is None:
        if depth >= KEY_BITS:
            raise LedgerError("a map path has an interior node at depth 256")
        side = (key[depth >> 3] >> (7 - (depth & 7))) & 1
        path.append((depth, at, node, side))
        if not depth & 7:
            at += b"\x80" if side else b"\x00"
        elif side:
            at = at[:-1] + bytes([at[-1] | (0x80 >> (depth & 7))])
        depth += 1
        node = nodes.get((depth, at))
    if node is None or node.key == key:
        writes[(depth, at)] = Node(key=MapKeyHash(key), value=MapValue(value))
        h = leaf
    elif node.key is not None and node.value is not None:  # another key's leaf: both move down
        h = _build(writes, sorted([item, (node.key, node.hash, node.value)]), depth, at, 0, 2)
    else:
        raise LedgerError(f"map leaf at depth {depth} has no value")
    sha256 = hashlib.sha256
    for depth, at, node, side in reversed(path):
        left, right = (node.left, h) if side else (h, node.right)
        if left is None or right is None:
            raise LedgerError(f"map node at depth {depth} has no child hashes")
        writes[(depth, at)] = Node(left, right)
        h = sha256(NODE_PREFIX + left + right).digest()
    return h


def _build(writes: NodeSink, members: Sequence[Item], depth: int, at: bytes, lo: int, hi: int) -> bytes:
    if hi - lo == 1:
        key, leaf, value = members[lo]
        writes[(depth, at)] = Node(key=MapKeyHash(key), value=MapValue(value))
        return leaf
    if depth >= KEY_BITS:
        raise LedgerError("two map entries have the same key hash")
    mid = split(members, depth, lo, hi)
    left = _build(writes, members, depth + 1, child_prefix(at, depth, 0), lo, mid) if lo < mid else EMPTY
    right = _build(writes, members, depth + 1, child_prefix(at, depth, 1), mid, hi) if mid < hi else EMPTY
    writes[(depth, at)] = Node(left, right)
    return node_hash(left, right)


def build_nodes(values: Mapping[MapKeyHash, MapValue], sink: NodeSink) -> MapRoot:
    """Every node of the map holding ``values``, built from nothing into ``sink``; the root."""
    if not values:
        return MapRoot(EMPTY)
    items = sorted((k, leaf_hash(k, v), v) for k, v in values.items())
    return MapRoot(_build(sink, items, 0, b"", 0, len(items)))


def proof_from_nodes(nodes: Mapping[Position, Node], key: bytes) -> tuple[MapValue | None, MapProof]:
    """``key``'s value (None if absent) and its proof; ``nodes`` holds the nodes on its path."""
    siblings: list[bytes] = []
    depth = 0
    while True:
        node = nodes.get((depth, prefix(key, depth)))
        if node is None:
            return None, MapProof(Terminal.EMPTY, tuple(siblings))
        if node.key is not None:
            if node.key == key:
                return node.value, MapProof(Terminal.INCLUDED, tuple(siblings))
            return None, MapProof(Terminal.OTHER, tuple(siblings), node.key, node.value)
        if node.left is None or node.right is None or depth >= KEY_BITS:
            raise LedgerError(f"map node at depth {depth} is not a proper interior node")
        siblings.append(node.right if bit(key, depth) == 0 else node.left)
        depth += 1
