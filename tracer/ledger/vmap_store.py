"""The verifiable map in SQL (``ledger_map_*``): batch updates inside the appender's transaction, proofs.

The appender calls ``apply_updates`` with one ``MapUpdate`` (map key, log index, leaf hash) per entry and
subject, inside the transaction that appends the entries and while it holds the log's write lock, and
puts the returned root on the checkpoint it signs (``vmap.map_extension``). One call reads each changed
key's state (one statement) and the nodes on the changed keys' paths (one statement per 12 levels: two or
three at 10^6 keys), recomputes each changed node once, and writes nodes, states and entry lists with one
executemany each. ``prove`` reads one key's path in one statement. Reads must share a snapshot with the
checkpoint they are verified against: read both in one transaction.

Works on SQLite and PostgreSQL: positions are looked up with a row-value ``(depth, prefix) IN (VALUES
...)`` on the primary key.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, select, tuple_

from tracer.ledger.connection import insert_rows
from tracer.ledger.errors import InvalidRequestError, LedgerError
from tracer.ledger.schema import ledger_map_entries, ledger_map_nodes, ledger_map_values
from tracer.ledger.vmap import MapEntry, MapKeyHash, MapRoot, MapValue, check_entries, key_hash, map_value
from tracer.ledger.vmap_tree import (
    MapLookup,
    MapUpdate,
    Node,
    Position,
    SubjectState,
    apply_changes,
    build_nodes,
    path_end,
    path_positions,
    plan_updates,
    proof_from_nodes,
    root_from_nodes,
)

# Path levels read per statement. A proof reads one path: one statement of 48 levels covers every path up to
# 10^7 random keys. An update reads many: shorter windows, one more statement per 12 levels, waste fewer
# lookups below where paths end (about log2 n + 2 deep).
WINDOW = 48
UPDATE_WINDOW = 12
CHUNK = 8000  # positions per statement (16,000 parameters, inside SQLite's 32,766 and PostgreSQL's 65,535)
_NODE_COLUMNS = ("depth", "prefix", "left_hash", "right_hash", "key_hash", "value")

_SELECTED = ", ".join(f"n.{c}" for c in _NODE_COLUMNS)
# SQLite plans ``(depth, prefix) IN (VALUES ...)`` as a table scan, but a join with the VALUES list as a
# primary-key lookup per row; PostgreSQL gets the positions as two arrays.
_SELECT_NODES_SQLITE = (
    "SELECT {columns} FROM (VALUES {values}) AS q "
    "JOIN ledger_map_nodes AS n ON n.depth = q.column1 AND n.prefix = q.column2"
)
_SELECT_NODES_POSTGRESQL = (
    f"SELECT {_SELECTED} FROM unnest(%s::smallint[], %s::bytea[]) AS q(depth, prefix) "  # noqa: S608 (constants)
    "JOIN ledger_map_nodes AS n ON n.depth = q.depth AND n.prefix = q.prefix"
)
_values = ledger_map_values.c
_SELECT_STATES = select(
    _values.key_hash, _values.map_key, _values.value, _values.entries, _values.last_index
).where(_values.key_hash.in_(bindparam("keys", expanding=True)))
_entries = ledger_map_entries.c
_SELECT_ENTRIES = (
    select(_entries.idx, _entries.leaf_hash)
    .where(_entries.key_hash == bindparam("key"))
    .order_by(_entries.idx)
)


def _blob(value: Any) -> bytes | None:
    return None if value is None else bytes(value)


def _select_nodes(conn: Connection, positions: Sequence[Position]) -> Any:
    if conn.dialect.name == "postgresql":
        depths, prefixes = [d for d, _ in positions], [p for _, p in positions]
        return conn.exec_driver_sql(_SELECT_NODES_POSTGRESQL, (depths, prefixes))
    if conn.dialect.name == "sqlite":
        values = ", ".join(["(?, ?)"] * len(positions))
        sql = _SELECT_NODES_SQLITE.format(columns=_SELECTED, values=values)
        return conn.exec_driver_sql(sql, tuple(x for pos in positions for x in pos))
    nodes = ledger_map_nodes.c
    query = select(*(nodes[c] for c in _NODE_COLUMNS)).where(tuple_(nodes.depth, nodes.prefix).in_(positions))
    return conn.execute(query)


def read_nodes(conn: Connection, positions: Collection[Position]) -> dict[Position, Node]:
    """The stored nodes at ``positions`` (absent ones are empty subtrees)."""
    found: dict[Position, Node] = {}
    wanted = list(positions)
    for at in range(0, len(wanted), CHUNK):
        for depth, prefix, left, right, key, value in _select_nodes(conn, wanted[at : at + CHUNK]).fetchall():
            leaf_key, leaf_value = _blob(key), _blob(value)
            found[(int(depth), bytes(prefix))] = Node(
                _blob(left),
                _blob(right),
                None if leaf_key is None else MapKeyHash(leaf_key),
                None if leaf_value is None else MapValue(leaf_value),
            )
    return found


def path_nodes(conn: Connection, keys: Iterable[bytes], window: int) -> dict[Position, Node]:
    """Every stored node on the paths of ``keys``, ``window`` levels per statement."""
    nodes: dict[Position, Node] = {}
    pending = dict.fromkeys(keys, 0)
    while pending:
        wanted = {pos for key, start in pending.items() for pos in path_positions(key, start, start + window)}
        nodes.update(read_nodes(conn, wanted))
        ends = ((key, path_end(nodes, key, start, start + window)) for key, start in pending.items())
        pending = {key: stop for key, stop in ends if stop is not None}
    return nodes


def read_states(conn: Connection, keys: Collection[bytes]) -> dict[MapKeyHash, SubjectState]:
    """The stored state of each of ``keys`` that is in the map."""
    states: dict[MapKeyHash, SubjectState] = {}
    wanted = list(keys)
    for at in range(0, len(wanted), CHUNK):
        for key, map_key, value, entries, last_index in conn.execute(
            _SELECT_STATES, {"keys": wanted[at : at + CHUNK]}
        ):
            states[MapKeyHash(bytes(key))] = SubjectState(
                map_key, MapValue(bytes(value)), int(entries), int(last_index)
            )
    return states


def has_keys(conn: Connection) -> bool:
    """Whether the stored map holds any key (its root node exists)."""
    return bool(read_nodes(conn, [(0, b"")]))


def map_root(conn: Connection) -> MapRoot:
    """The current root (``vmap.EMPTY_ROOT`` for a map without keys)."""
    return root_from_nodes(read_nodes(conn, [(0, b"")]))


def apply_updates(conn: Connection, updates: Iterable[MapUpdate]) -> MapRoot:
    """Add a batch of entries to the stored map; the new root. Call it inside the appender's transaction,
    under the log's write lock. Every update is checked before anything is written (InvalidRequestError
    for a malformed key, index or leaf hash, or an index not above the key's last one)."""
    batch = list(updates)
    if not batch:
        return map_root(conn)
    keys = [key_hash(update.map_key) for update in batch]
    states = read_states(conn, set(keys))
    changed = plan_updates(batch, states)
    nodes = path_nodes(conn, changed, UPDATE_WINDOW)
    root, writes = apply_changes(nodes, {key: state.value for key, state in changed.items()})
    _write_nodes(conn, nodes, writes)
    _update_rows(
        conn,
        ledger_map_values,
        ("value", "entries", "last_index"),
        ("key_hash",),
        [(s.value, s.entries, s.last_index, k) for k, s in changed.items() if k in states],
    )
    insert_rows(
        conn,
        ledger_map_values,
        ("key_hash", "map_key", "value", "entries", "last_index"),
        [(k, s.map_key, s.value, s.entries, s.last_index) for k, s in changed.items() if k not in states],
    )
    insert_rows(
        conn,
        ledger_map_entries,
        ("key_hash", "idx", "leaf_hash"),
        [(key, u.index, u.leaf_hash) for key, u in zip(keys, batch, strict=True)],
    )
    return root


def _write_nodes(conn: Connection, old: Mapping[Position, Node], writes: Mapping[Position, Node]) -> None:
    rows = [(*pos, n.left, n.right, n.key, n.value) for pos, n in writes.items() if pos not in old]
    insert_rows(conn, ledger_map_nodes, _NODE_COLUMNS, rows)
    changed = [(n.left, n.right, n.key, n.value, *pos) for pos, n in writes.items() if pos in old]
    _update_rows(conn, ledger_map_nodes, _NODE_COLUMNS[2:], _NODE_COLUMNS[:2], changed)


def _update_rows(
    conn: Connection,
    table: Any,
    columns: Sequence[str],
    where: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
) -> None:
    """UPDATE ``columns`` of the rows matching ``where`` with the driver's executemany (as insert_rows)."""
    if not rows:
        return
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sets = ", ".join(f"{table.c[c].name} = {mark}" for c in columns)  # only our own tables' column names
    match = " AND ".join(f"{table.c[c].name} = {mark}" for c in where)
    conn.exec_driver_sql(f"UPDATE {table.name} SET {sets} WHERE {match}", list(rows))  # noqa: S608


def prove(conn: Connection, map_key: str) -> MapLookup:
    """``map_key``'s value (None if it has no entries) and its proof against ``map_root``."""
    key = key_hash(map_key)
    value, proof = proof_from_nodes(path_nodes(conn, [key], WINDOW), key)
    return MapLookup(map_key, value, proof)


def state_of(conn: Connection, map_key: str) -> SubjectState | None:
    """The stored value, entry count and last index of ``map_key``; None if it has no entries."""
    key = key_hash(map_key)
    return read_states(conn, [key]).get(key)


def entries_of(conn: Connection, map_key: str) -> list[MapEntry]:
    """Every entry about ``map_key``, in index order: what its value is computed from."""
    rows = conn.execute(_SELECT_ENTRIES, {"key": key_hash(map_key)})
    return [(int(idx), bytes(leaf)) for idx, leaf in rows]


class _NodeWriter:
    """A ``NodeSink`` that inserts nodes in chunks as they are built."""

    def __init__(self, conn: Connection) -> None:
        self.conn, self.rows = conn, list[tuple[Any, ...]]()

    def __setitem__(self, position: Position, node: Node, /) -> None:
        self.rows.append((*position, node.left, node.right, node.key, node.value))
        if len(self.rows) >= 50_000:
            self.flush()

    def flush(self) -> None:
        insert_rows(self.conn, ledger_map_nodes, _NODE_COLUMNS, self.rows)
        self.rows = []


def load_map(conn: Connection, entries: Mapping[str, Sequence[MapEntry]]) -> MapRoot:
    """Fill an empty stored map with every key's whole entry list at once (a rebuild from the log, or
    bringing an existing ledger into the map); the root. Far faster than ``apply_updates`` in batches."""
    if read_nodes(conn, [(0, b"")]):
        raise InvalidRequestError("the map already has keys: load_map fills an empty map")
    values: dict[MapKeyHash, MapValue] = {}
    rows: list[tuple[Any, ...]] = []
    for map_key, listed in entries.items():
        if listed:
            check_entries(listed)
            key = key_hash(map_key)
            if key in values:
                raise LedgerError(f"map key {map_key!r} given twice")
            values[key] = map_value(listed)
            rows.append((key, map_key, values[key], len(listed), listed[-1][0]))
    writer = _NodeWriter(conn)
    root = build_nodes(values, writer)
    writer.flush()
    rows.sort()
    insert_rows(conn, ledger_map_values, ("key_hash", "map_key", "value", "entries", "last_index"), rows)
    listed_rows = sorted((row[0], index, leaf) for row in rows for index, leaf in entries[row[1]])
    for at in range(0, len(listed_rows), 100_000):
        insert_rows(
            conn, ledger_map_entries, ("key_hash", "idx", "leaf_hash"), listed_rows[at : at + 100_000]
        )
    return root
