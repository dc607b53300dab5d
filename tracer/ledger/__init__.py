"""The OCOP Tracer transparency log: a Certificate-Transparency-style Merkle log of signed events in SQL.

Modules, each importable on its own (this package re-exports nothing):

- ``errors``      the exception tree (``LedgerError`` and its children)
- ``encoding``    strict RFC 4648 base64
- ``canonical``   RFC 8785 canonical JSON for event bodies
- ``dsse``        DSSE v1 envelopes signed with Ed25519 (RFC 8032)
- ``keys``        key ids, key generation, private keys encrypted at rest (AES-256-GCM)
- ``merkle``      RFC 9162 section 2.1 tree hashing, proofs and their verification, in memory
- ``tlog_index``  the stored-hash layout of Go's ``golang.org/x/mod/sumdb/tlog``
- ``note``        C2SP signed notes (c2sp.org/signed-note) with Ed25519
- ``checkpoint``  C2SP tlog-checkpoint
- ``bundle``      C2SP tlog-proof@v1 offline inclusion proofs
- ``keyevents``   key registration and revocation entries and which key is valid at which index
- ``parallel``    signature checks spread over threads (Ed25519 verification releases the GIL)
- ``schema``      SQLAlchemy Core tables ``ledger_*``
- ``connection``  SQLite/PostgreSQL engine set-up and the single-writer lock
- ``hashstore``   stored hashes in SQL: appending leaves, one-query proofs
- ``keystore``    the ``ledger_keys`` table: custodial and submitted keys
- ``batch``       one append under the lock: admission, background signature checks, rows, checkpoint
- ``store``       ``LedgerStore``: bootstrap, append, checkpoints, proofs, bundles
- ``appender``    ``Appender``: a transaction's appends, each with its receipt at once, sealed in one batch
- ``audit``       ``verify_store`` / ``check_head``: re-derive everything and report the first bad index
- ``verify``      the standalone, offline bundle verifier (public data only)
- ``vmap``        the verifiable map's hashing: map keys, the value chain, leaf/node/empty hashes, the root
- ``vmap_proof``  map inclusion and absence proofs: binary and JSON forms, ``verify_*``
- ``vmap_tree``   the map as stored nodes: incremental batch updates and proofs (memory and SQL alike)
- ``vmap_memory`` the map in memory, for auditors and tests
- ``vmap_store``  the map in SQL (``ledger_map_*``): batch updates in the appender's transaction, proofs
"""
