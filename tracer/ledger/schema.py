"""SQLAlchemy Core tables of the ledger (prefix ``ledger_``); the Alembic migration 0002_ledger is their copy.

- ``ledger_state``: the single row (id = 1) holding the current size and root; appends lock it.
- ``ledger_entries``: one row per log index: the envelope bytes exactly as hashed, their RFC 9162 leaf hash
  and the key id whose signature admitted them.
- ``ledger_hashes``: Go ``sumdb/tlog`` stored hashes keyed by their stored-hash index (``tlog_index``).
- ``ledger_checkpoints``: every signed checkpoint, by tree size.
- ``ledger_keys``: the log key, authority keys and organisations' signing keys; ``private_key_enc`` is set
  for custodial keys only; ``registered_index`` / ``revoked_index`` mirror the key events in the log.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, LargeBinary, MetaData, String, Table, Text

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
