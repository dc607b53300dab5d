"""Tiles and entry bundles (c2sp.org/tlog-tiles, ``tiles``) read from the SQL store.

A tile is ONE query over ``ledger_hashes`` (its hashes are stored hashes at height ``8 * L``, Go
``sumdb/tlog`` layout), an entry bundle one range query over ``ledger_entries``. Only what the committed log
holds is served: a tile beyond the log's size is NotFoundError, never a tile with hashes still to come.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from tracer.ledger.connection import read_state
from tracer.ledger.errors import LedgerError
from tracer.ledger.hashstore import read_hashes
from tracer.ledger.schema import ledger_entries
from tracer.ledger.tiles import Tile, check_within, encode_entry_bundle, entry_range, tile_hash_indexes


def read_tile(conn: Connection, tile: Tile) -> bytes:
    """The bytes of ``tile`` (a hash tile or an entry bundle); NotFoundError beyond the log."""
    state = read_state(conn)
    check_within(tile, 0 if state is None else state[0])
    if tile.is_entries:
        return encode_entry_bundle(read_entries(conn, *entry_range(tile)))
    return b"".join(read_hashes(conn, tile_hash_indexes(tile)))


def read_entries(conn: Connection, start: int, end: int) -> list[bytes]:
    """The envelopes at [start, end), in order; LedgerError if one is missing (a damaged store)."""
    rows = conn.execute(
        select(ledger_entries.c.idx, ledger_entries.c.envelope)
        .where(ledger_entries.c.idx >= start, ledger_entries.c.idx < end)
        .order_by(ledger_entries.c.idx)
    ).all()
    if [int(row.idx) for row in rows] != list(range(start, end)):
        raise LedgerError(f"the store lacks entries between {start} and {end}")
    return [bytes(row.envelope) for row in rows]
