"""The app's handle on the ledger: one ``LedgerStore`` per app, configured from settings.

``tracer.ledger`` is a library that knows nothing of Flask or of the domain; this module is where the
service gives it its origin name and master key, and where the app bootstraps and checks it.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import current_app
from sqlalchemy import Connection, Engine, select

from config.settings import Settings
from tracer.db import WRITE_OPTIONS
from tracer.ledger import schema as ledger_schema
from tracer.ledger.store import LedgerStore


def make_store(settings: Settings) -> LedgerStore:
    return LedgerStore(origin=settings.log_origin, master_key=settings.master_key)


def store() -> LedgerStore:
    """The current app's ledger store."""
    app = current_app
    if "tracer.ledger" not in app.extensions:
        app.extensions["tracer.ledger"] = make_store(app.extensions["tracer.settings"])
    return app.extensions["tracer.ledger"]


def bootstrap(engine: Engine, settings: Settings) -> None:
    """Create the log and authority keys and the ledger's first entry, once."""
    with engine.connect() as conn, conn.execution_options(**WRITE_OPTIONS).begin():
        make_store(settings).bootstrap(conn)


def check_head(engine: Engine, settings: Settings) -> None:
    """Refuse to serve a ledger whose stored root does not match its latest signed checkpoint."""
    with engine.connect() as conn:
        make_store(settings).check_head(conn)


def iter_entries(conn: Connection, start: int = 0, batch: int = 1000) -> Iterator[tuple[int, bytes]]:
    """Every entry from ``start`` on, in index order, read in batches."""
    entries = ledger_schema.ledger_entries
    while True:
        rows = conn.execute(
            select(entries.c.idx, entries.c.envelope)
            .where(entries.c.idx >= start)
            .order_by(entries.c.idx)
            .limit(batch)
        ).all()
        for idx, envelope in rows:
            yield int(idx), bytes(envelope)
        if len(rows) < batch:
            return
        start = int(rows[-1][0]) + 1
