"""Sequencing across OS processes: 4 spawned processes x 500 single-entry appends, on SQLite and PostgreSQL.

The database alone serialises the writers (SQLite ``BEGIN IMMEDIATE`` with a busy timeout, PostgreSQL's row
lock on ``ledger_state``); the result must be exactly 2,000 more entries with contiguous indexes, each
worker's entries in its own order, and a log that passes the full audit.
"""

from __future__ import annotations

import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from sqlalchemy import Connection, func, select

from tests.ledger.conftest import MASTER_KEY, ORIGIN
from tests.ledger.helpers import registered_signer
from tests.ledger.workers import append_singly
from tracer.ledger.dsse import Envelope
from tracer.ledger.schema import ledger_checkpoints, ledger_entries
from tracer.ledger.store import LedgerStore

WORKERS = 4
PER_WORKER = 500


def test_four_processes_append_without_gaps_or_duplicates(
    store: LedgerStore, conn: Connection, database_url: str
) -> None:
    keyid = registered_signer(store, conn)
    start = store.size(conn)
    conn.rollback()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(WORKERS, mp_context=context) as pool:
        futures = [
            pool.submit(append_singly, database_url, ORIGIN, MASTER_KEY, keyid, worker, PER_WORKER)
            for worker in range(WORKERS)
        ]
        assert [f.result(timeout=120) for f in futures] == [PER_WORKER] * WORKERS
    total = start + WORKERS * PER_WORKER
    assert store.size(conn) == total
    e = ledger_entries.c
    assert conn.execute(select(func.count(), func.min(e.idx), func.max(e.idx))).one() == (total, 0, total - 1)
    assert conn.execute(select(func.count()).select_from(ledger_checkpoints)).scalar() == total
    seen: dict[int, list[str]] = {w: [] for w in range(WORKERS)}
    for (envelope,) in conn.execute(select(e.envelope).where(e.idx >= start).order_by(e.idx)):
        body = json.loads(Envelope.from_json(bytes(envelope)).payload)
        seen[body["worker"]].append(body["lot"])
    for lots in seen.values():
        assert lots == [f"GAC-{n:05d}" for n in range(PER_WORKER)]
    report = store.verify_store(conn)
    assert (report.entries, report.checkpoints) == (total, total)
