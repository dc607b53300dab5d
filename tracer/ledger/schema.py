"""SQLAlchemy Core tables of the ledger (prefix ``ledger_``); the Alembic migration 0002_ledger is their copy.

- ``ledger_state``: the single row (id = 1) holding the current size and root; appends lock it.
- ``ledger_entries``: one row per log index: the envelope bytes exactly as hashed, their RFC 9162 leaf hash
  and the key id whose signature admitted them.
- ``ledger_hashes``: Go ``sumdb/tlog`` stored hashes keyed by their stored-hash index (``tlog_index``).
- ``ledger_checkpoints``: every signed checkpoint, by tree size.
- ``ledger_keys``: the log key, authority keys and organisations' signing keys; ``private_key_enc`` is set
  for custodial keys only; ``registered_index`` / ``revoked_index`` mirror the key events in the log.
- ``ledger_cosignatures``: the witnesses' cosignatures (c2sp.org/tlog-cosignature) on checkpoints, by tree
  size and witness name: the signature line as the witness returned it, and its timestamp (migration 0010).
- ``ledger_map_*``: the verifiable map (``vmap_store``; migration 0006_vmap): its tree's nodes by (depth,
  prefix), each key's value, entry count and last index, and the (index, leaf hash) list behind each value.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

# On SQLite, INTEGER PRIMARY KEY makes the key the rowid itself: one B-tree per table instead of two.
Index = BigInteger().with_variant(Integer(), "sqlite")

ledger_state = Table(
    "ledger_state",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("size", BigInteger, nullable=False),
    Column("root_hash", LargeBinary, nullable=False),
)

ledger_entries = Table(
    "ledger_entries",
    metadata,
    Column("idx", Index, primary_key=True, autoincrement=False),
    Column("envelope", LargeBinary, nullable=False),
    Column("leaf_hash", LargeBinary, nullable=False),
    Column("keyid", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

ledger_hashes = Table(
    "ledger_hashes",
    metadata,
    Column("idx", Index, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("size", Index, primary_key=True, autoincrement=False),
    Column("root_hash", LargeBinary, nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

ledger_cosignatures = Table(
    "ledger_cosignatures",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("witness", String(200), primary_key=True),
    Column("timestamp", BigInteger, nullable=False),
    Column("line", Text, nullable=False),
)

ledger_keys = Table(
    "ledger_keys",
    metadata,
    Column("keyid", String(64), primary_key=True),
    Column("owner", String(100), nullable=False),
    Column("role", String(20), nullable=False),
    Column("public_key", LargeBinary, nullable=False),
    Column("private_key_enc", LargeBinary, nullable=True),
    Column("registered_index", BigInteger, nullable=True),
    Column("revoked_index", BigInteger, nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

# The map's tables are keyed by hashes: on SQLite, WITHOUT ROWID keeps each row in its primary key's B-tree.
ledger_map_nodes = Table(
    "ledger_map_nodes",
    metadata,
    Column("depth", SmallInteger, primary_key=True, autoincrement=False),
    Column("prefix", LargeBinary(32), primary_key=True),
    Column("left_hash", LargeBinary(32), nullable=True),  # interior node: both children's hashes
    Column("right_hash", LargeBinary(32), nullable=True),
    Column("key_hash", LargeBinary(32), nullable=True),  # leaf: its key and value
    Column("value", LargeBinary(32), nullable=True),
    sqlite_with_rowid=False,
)

ledger_map_values = Table(
    "ledger_map_values",
    metadata,
    Column("key_hash", LargeBinary(32), primary_key=True),
    Column("map_key", String(200), nullable=False),
    Column("value", LargeBinary(32), nullable=False),
    Column("entries", BigInteger, nullable=False),
    Column("last_index", BigInteger, nullable=False),
    sqlite_with_rowid=False,
)

ledger_map_entries = Table(
    "ledger_map_entries",
    metadata,
    Column("key_hash", LargeBinary(32), primary_key=True),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    sqlite_with_rowid=False,
)
