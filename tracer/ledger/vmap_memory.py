"""The verifiable map in memory: what an auditor or a test rebuilds from the log's entries, no database.

``MemoryMap`` keeps every node in a dict and takes the same batches as the stored map (``vmap_store``),
through the same ``vmap_tree`` code, so one can follow the other entry by entry and compare roots at each
checkpoint. ``map_from_entries`` builds a whole map at once from each key's entry list.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tracer.ledger.vmap import MapEntry, MapKeyHash, MapRoot, MapValue, check_entries, key_hash, map_value
from tracer.ledger.vmap_tree import (
    MapLookup,
    MapUpdate,
    Node,
    Position,
    SubjectState,
    apply_changes,
    build_nodes,
    plan_updates,
    proof_from_nodes,
    root_from_nodes,
)


class MemoryMap:
    """A verifiable map held in memory: nodes, each key's state and entry list."""

    def __init__(self) -> None:
        self.nodes: dict[Position, Node] = {}
        self.states: dict[MapKeyHash, SubjectState] = {}
        self.lists: dict[MapKeyHash, list[MapEntry]] = {}

    @property
    def root(self) -> MapRoot:
        return root_from_nodes(self.nodes)

    def apply(self, updates: Iterable[MapUpdate]) -> MapRoot:
        """Add a batch of entries (all of it, or nothing if any is refused); the new root."""
        batch = list(updates)
        changed = plan_updates(batch, self.states)
        root, writes = apply_changes(self.nodes, {k: s.value for k, s in changed.items()})
        self.nodes.update(writes)
        self.states.update(changed)
        for update in batch:
            self.lists.setdefault(key_hash(update.map_key), []).append((update.index, update.leaf_hash))
        return root

    def prove(self, map_key: str) -> MapLookup:
        key = key_hash(map_key)
        value, proof = proof_from_nodes(self.nodes, key)
        return MapLookup(map_key, value, proof)

    def entries(self, map_key: str) -> list[MapEntry]:
        """Every entry about ``map_key``, in index order (what its value is computed from)."""
        return list(self.lists.get(key_hash(map_key), []))


def map_from_entries(entries: Mapping[str, Sequence[MapEntry]]) -> MemoryMap:
    """The map of every key's full entry list (keys without entries are left out), built in one pass."""
    memory = MemoryMap()
    values: dict[MapKeyHash, MapValue] = {}
    for map_key, listed in entries.items():
        if not listed:
            continue
        check_entries(listed)
        key = key_hash(map_key)
        values[key] = map_value(listed)
        memory.states[key] = SubjectState(map_key, values[key], len(listed), listed[-1][0])
        memory.lists[key] = list(listed)
    build_nodes(values, memory.nodes)
    return memory
