"""Code run in spawned processes by the concurrency tests (kept light: no pytest, no fixtures)."""

from __future__ import annotations

from tests.ledger.conftest import make_ledger_engine
from tests.ledger.helpers import event
from tracer.ledger.connection import WRITE_OPTION
from tracer.ledger.dsse import sign_envelope
from tracer.ledger.store import LedgerStore


def append_singly(url: str, origin: str, master_key: bytes, keyid: str, worker: int, count: int) -> int:
    """Append ``count`` envelopes, one per transaction; return how many were appended."""
    engine = make_ledger_engine(url)
    store = LedgerStore(origin, master_key)
    try:
        with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
            with conn.begin():
                private_key = store.private_key(conn, keyid)
            for n in range(count):
                envelope = sign_envelope(event(n, worker=worker), private_key, keyid)
                with conn.begin():
                    store.append(conn, [envelope])
    finally:
        engine.dispose()
    return count
