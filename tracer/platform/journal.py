"""The app's handle on the ledger: one ``LedgerStore`` per app, configured from settings.

``tracer.ledger`` is a library that knows nothing of Flask or of the domain; this module is where the
service gives it its origin name and master key, and where the app bootstraps and checks it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from sqlalchemy import Connection, Engine, select
from sqlalchemy.exc import SQLAlchemyError

from config.settings import Settings
from tracer.ledger import schema as ledger_schema
from tracer.ledger import witnessing
from tracer.ledger.bundle import format_bundle
from tracer.ledger.checkpoint import parse_checkpoint
from tracer.ledger.connection import read_state, write_turn
from tracer.ledger.cosignature import note_body
from tracer.ledger.errors import LedgerError, VerificationError
from tracer.ledger.note import MAX_SIGNATURES
from tracer.ledger.store import LedgerStore
from tracer.ledger.vmap_feed import Subjects, no_subjects
from tracer.platform.db import WRITE_OPTIONS
from tracer.platform.services import services

log = logging.getLogger(__name__)


def make_store(settings: Settings, subjects: Subjects = no_subjects) -> LedgerStore:
    """The store of the log that ``settings`` name; ``subjects`` is the service's verifiable-map rule
    (``tracer.events.subjects``, given by ``create_app``). Without it a store may only bootstrap an empty
    log, whose first entry is a key event (the ledger's own rule)."""
    return LedgerStore(origin=settings.log_origin, master_key=settings.master_key, subjects=subjects)


def store() -> LedgerStore:
    """The current app's ledger store."""
    return services().ledger


def cosigned_checkpoint(conn: Connection, size: int | None = None) -> str:
    """The signed checkpoint of ``size`` (the latest if None) with the witnesses' cosignatures kept for it
    appended as signature lines (at most ``MAX_SIGNATURES - 1``: a note has at most 16)."""
    note = store().checkpoint(conn, size)
    if size is None:
        size = parse_checkpoint(note_body(note)).size
    lines = [line for _, _, line in witnessing.cosignatures(conn, size)][: MAX_SIGNATURES - 1]
    return witnessing.cosigned(note, lines)


def proof_bundle(conn: Connection, index: int, size: int | None = None) -> str:
    """A C2SP tlog-proof@v1 of entry ``index`` against the checkpoint of ``size`` (the latest if None), the
    checkpoint carrying the witnesses' cosignatures kept for it (tlog-proof includes them)."""
    note = cosigned_checkpoint(conn, size)
    size = parse_checkpoint(note_body(note)).size
    return format_bundle(index, store().inclusion_proof(conn, index, size), note)


def bootstrap(engine: Engine, settings: Settings) -> None:
    """Create the log and authority keys and the ledger's first entry, once."""
    with write_turn(engine), engine.connect() as conn, conn.execution_options(**WRITE_OPTIONS).begin():
        make_store(settings).bootstrap(conn)


def check_head_at_startup(engine: Engine, settings: Settings) -> None:
    """Refuse to start (VerificationError) when the stored root does not match the latest signed checkpoint.

    A database that does not answer, is not migrated yet or not bootstrapped yet is no reason to refuse:
    ``/healthz`` then says 503, and ``tracer init`` can still run.
    """
    try:
        with engine.connect() as conn:
            if read_state(conn) is None:
                return
        check_head(engine, settings)
    except VerificationError as error:
        raise VerificationError(
            f"refusing to start: {error}; the ledger may have been tampered with "
            f"(run `python -m tracer ledger verify`)",
            index=error.index,
        ) from error
    except LedgerError as error:  # e.g. keys not made yet: `tracer init` will finish the job
        log.warning("ledger head not checked at start-up: %s", error)
    except SQLAlchemyError as error:
        log.warning(
            "ledger head not checked at start-up (database not ready): %s",
            str(getattr(error, "orig", None) or error).strip().splitlines()[0],
        )


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
