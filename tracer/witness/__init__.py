"""A witness anyone can run (c2sp.org/tlog-witness): its own small WSGI app, its own SQLite file and its own
Ed25519 key. It cosigns a log's checkpoint only when it extends the last one it cosigned for that origin.
Imports nothing of tracer but the ledger library."""
