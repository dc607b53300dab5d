"""Audit of the stored verifiable map: replay it from the log, compare with every checkpoint and the tables.

``verify_map`` rebuilds the map entry by entry from ``ledger_entries`` with the service's subject rule
(``vmap_feed.Replay``), checks the ``map`` line of every stored checkpoint against the map of that prefix of
the log, then compares the stored map (``ledger_map_values`` key by key, ``ledger_map_entries`` list by list,
and the root of ``ledger_map_nodes``) with the replayed one, naming the table and the key at the first
difference. A stored map that was never loaded (a log kept before the map, not appended to since) is
reported as such, not as tampering: its next append loads it (``LedgerStore``).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, select

from tracer.ledger import vmap_store
from tracer.ledger.checkpoint import parse_checkpoint
from tracer.ledger.cosignature import note_body
from tracer.ledger.errors import VerificationError
from tracer.ledger.schema import (
    ledger_checkpoints,
    ledger_entries,
    ledger_map_entries,
    ledger_map_nodes,
    ledger_map_values,
)
from tracer.ledger.vmap import key_hash
from tracer.ledger.vmap_feed import Replay, Subjects

CHUNK = 4096


def _entries(conn: Connection, size: int) -> Iterator[tuple[int, bytes, bytes]]:
    e = ledger_entries.c
    for start in range(0, size, CHUNK):
        rows = conn.execute(
            select(e.idx, e.envelope, e.leaf_hash)
            .where(e.idx >= start, e.idx < min(size, start + CHUNK))
            .order_by(e.idx)
        )
        for idx, envelope, leaf in rows:
            yield int(idx), bytes(envelope), bytes(leaf)


def verify_map(conn: Connection, size: int, subjects: Subjects) -> int:
    """Check the map of a log of ``size`` entries whose entries and checkpoints were verified already; the
    number of checkpoints that commit to a map. VerificationError names the first difference."""
    replay = Replay(subjects)
    entries = _entries(conn, size)
    c = ledger_checkpoints.c
    notes = conn.execute(select(c.size, c.note).where(c.size <= size).order_by(c.size)).all()
    for cp_size, note in notes:
        while replay.size < cp_size:
            replay.add(*next(entries))
        replay.check(parse_checkpoint(note_body(str(note))))
    for row in entries:
        replay.add(*row)
    if replay.committing_since is None:
        return 0
    _compare_tables(conn, replay)
    return sum(1 for cp_size, _ in notes if cp_size >= replay.committing_since)


def _compare_tables(conn: Connection, replay: Replay) -> None:
    root = replay.root
    states = replay.map.states
    v = ledger_map_values.c
    seen: set[bytes] = set()
    for key, map_key, value, count, last in conn.execute(
        select(v.key_hash, v.map_key, v.value, v.entries, v.last_index).order_by(v.key_hash)
    ):
        state = states.get(bytes(key))  # type: ignore[call-overload]
        if state is None or key_hash(str(map_key)) != bytes(key):
            raise VerificationError(f"ledger_map_values: key {map_key!r} is not a subject of any entry")
        if (bytes(value), int(count), int(last)) != (state.value, state.entries, state.last_index):
            raise VerificationError(f"ledger_map_values: key {map_key!r} differs from the log's entries")
        seen.add(bytes(key))
    missing = sorted(s.map_key for k, s in states.items() if k not in seen)
    if missing:
        raise VerificationError(
            f"ledger_map_values: {len(missing)} keys are missing, the first {missing[0]!r}"
        )
    m = ledger_map_entries.c
    listed: dict[bytes, list[tuple[int, bytes]]] = {}
    for key, idx, leaf in conn.execute(select(m.key_hash, m.idx, m.leaf_hash).order_by(m.key_hash, m.idx)):
        listed.setdefault(bytes(key), []).append((int(idx), bytes(leaf)))
    for key, state in sorted(states.items(), key=lambda item: item[1].map_key):
        if listed.pop(key, []) != replay.map.lists[key]:
            raise VerificationError(f"ledger_map_entries: the list of {state.map_key!r} differs from the log")
    if listed:
        raise VerificationError(f"ledger_map_entries: {len(listed)} lists belong to no subject")
    if vmap_store.map_root(conn) != root:
        raise VerificationError("ledger_map_nodes: the stored map's root is not the replayed map's root")
    _compare_nodes(conn, replay)


def _compare_nodes(conn: Connection, replay: Replay) -> None:
    """Every stored node is the replayed map's node at its position, and no node is missing."""
    nodes = replay.map.nodes
    n = ledger_map_nodes.c
    seen = 0
    for depth, prefix, left, right, key, value in conn.execute(
        select(n.depth, n.prefix, n.left_hash, n.right_hash, n.key_hash, n.value)
    ):
        stored = tuple(None if b is None else bytes(b) for b in (left, right, key, value))
        want = nodes.get((int(depth), bytes(prefix)))
        if want is None or stored != tuple(want):
            raise VerificationError(
                f"ledger_map_nodes: the node at depth {depth}, prefix {bytes(prefix).hex() or '-'} differs "
                "from the map replayed from the log"
            )
        seen += 1
    if seen != len(nodes):
        raise VerificationError(
            f"ledger_map_nodes: {len(nodes) - seen} nodes of the replayed map are missing"
        )
