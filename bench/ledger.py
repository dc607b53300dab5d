"""Ledger speed, printed as figures and ratios (never asserted): ``python bench/ledger.py [--quick]``.

1. bare Ed25519 signing rate (the yardstick);
2. batched appends, 1,000 envelopes per transaction, on SQLite: entries/s and the ratio to signing
   (target >= 40 %); envelopes are signed beforehand, as producers and the domain layer do; then the
   same with the verifiable map fed one subject per entry (``lot:<id>``, as the service's rule gives a
   harvest), the ratio to signing (target >= 25 %, issue #16) and to the appends without a domain rule;
3. single-entry appends, one commit each, next to SQLite's bare INSERT+COMMIT rate in the same run;
4. inclusion-proof latency (median) at 10^4 and 10^6 entries, the large tree written in bulk (leaf
   hashes and stored hashes directly, no signatures), and their ratio (target < 2 ms and < 2x);
5. full ``verify_store`` entries/s over the batched log (target >= 5,000/s).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

import common
from sqlalchemy import Engine, create_engine, insert, text, update

from tracer.ledger.canonical import canonical_json
from tracer.ledger.connection import WRITE_OPTION, configure_engine, ensure_state
from tracer.ledger.dsse import PAYLOAD_TYPE, pae, sign_envelope
from tracer.ledger.keys import generate_key
from tracer.ledger.merkle import leaf_hash
from tracer.ledger.schema import ledger_hashes, ledger_state, metadata
from tracer.ledger.store import LedgerStore
from tracer.ledger.tlog_index import extend_frontier, frontier_root
from tracer.ledger.vmap_feed import Subjects, no_subjects

ORIGIN = "bench.example.vn/ocop-log"
MASTER_KEY = common.MASTER_KEY


def _engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})
    configure_engine(engine)
    metadata.create_all(engine)
    return engine


def _payload(n: int) -> bytes:
    return canonical_json(
        {
            "type": "harvest.recorded",
            "lot": f"GAC-{n:07d}",
            "quantity": "12.5",
            "zone": "ấp số 2, xã Mỹ Cẩm, huyện Càng Long, Trà Vinh",
            "producer": "HTX Mỹ Cẩm",
        }
    )


def bench_signing(count: int) -> float:
    key = generate_key()
    messages = [pae(PAYLOAD_TYPE, _payload(n)) for n in range(count)]
    started = time.perf_counter()
    for message in messages:
        key.sign(message)
    return count / (time.perf_counter() - started)


def lot_subject(payload: bytes) -> list[str]:
    """The bench's subject rule: each payload is about its lot (as the service's is for a harvest)."""
    lot = json.loads(payload).get("lot")
    return [f"lot:{lot}"] if lot else []


def _ledger(path: Path, subjects: Subjects = no_subjects) -> tuple[Engine, LedgerStore, str]:
    engine, store = _engine(path), LedgerStore(ORIGIN, MASTER_KEY, subjects)
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        with conn.begin():
            store.bootstrap(conn)
            keyid = store.create_key(conn, "org:3")
            store.append(conn, [store.key_register_envelope(conn, keyid)])
    return engine, store, keyid


def bench_batched(
    folder: Path, batches: int, subjects: Subjects = no_subjects, name: str = "batched"
) -> tuple[float, Engine, LedgerStore]:
    engine, store, keyid = _ledger(folder / f"{name}.db", subjects)
    with engine.connect() as conn:
        key = store.private_key(conn, keyid)
    envelopes = [sign_envelope(_payload(n), key, keyid) for n in range(batches * 1000)]
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        started = time.perf_counter()
        for b in range(batches):
            with conn.begin():
                store.append(conn, envelopes[b * 1000 : (b + 1) * 1000])
        elapsed = time.perf_counter() - started
    return batches * 1000 / elapsed, engine, store


def bench_single(folder: Path, count: int) -> tuple[float, float]:
    engine, store, keyid = _ledger(folder / "single.db")
    with engine.connect() as conn:
        key = store.private_key(conn, keyid)
    envelopes = [sign_envelope(_payload(n), key, keyid) for n in range(count)]
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        started = time.perf_counter()
        for envelope in envelopes:
            with conn.begin():
                store.append(conn, [envelope])
        ledger_rate = count / (time.perf_counter() - started)
    bare = _engine(folder / "bare.db")
    with bare.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)"))
        conn.commit()
        body = envelopes[0].to_json()
        started = time.perf_counter()
        for n in range(count):
            with conn.begin():
                conn.execute(text("INSERT INTO t (id, body) VALUES (:id, :body)"), {"id": n, "body": body})
        bare_rate = count / (time.perf_counter() - started)
    for eng in (engine, bare):
        eng.dispose()
    return ledger_rate, bare_rate


def build_bulk_tree(path: Path, size: int) -> Engine:
    """A tree of ``size`` leaves written directly: stored hashes and state, no entries or signatures."""
    engine = _engine(path)
    frontier: list[bytes] = []
    step = 100_000
    with engine.begin() as conn:
        ensure_state(conn)
        for start in range(0, size, step):
            leaves = [leaf_hash(n.to_bytes(8, "big")) for n in range(start, min(size, start + step))]
            rows = extend_frontier(frontier, start, leaves)
            conn.execute(insert(ledger_hashes), [{"idx": i, "hash": h} for i, h in rows])
        conn.execute(update(ledger_state).values(size=size, root_hash=frontier_root(frontier)))
    return engine


def bench_proofs(engine: Engine, size: int, samples: int) -> float:
    store = LedgerStore(ORIGIN, MASTER_KEY)
    rng = random.Random(size)
    timings = []
    with engine.connect() as conn:
        for _ in range(50):  # warm the page cache and statement cache
            store.inclusion_proof(conn, rng.randrange(size), size)
        for _ in range(samples):
            index = rng.randrange(size)
            started = time.perf_counter()
            store.inclusion_proof(conn, index, size)
            timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def bench_verify(engine: Engine, store: LedgerStore) -> tuple[float, int]:
    with engine.connect() as conn:
        started = time.perf_counter()
        report = store.verify_store(conn)
        return report.entries / (time.perf_counter() - started), report.entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="smaller run (about 20 s)")
    args = parser.parse_args()
    batches, singles, big = (5, 300, 100_000) if args.quick else (20, 1000, 1_000_000)
    print(f"ledger: {common.load_average()}")
    report = partial(common.report, "ledger")
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as tmp:
        folder = Path(tmp)
        signing = bench_signing(5000)
        print(f"Ed25519 signing (bare)            {signing:10,.0f} /s")
        report("Ed25519 signing", signing, "signatures/s")
        batched, engine, store = bench_batched(folder, batches)
        print(
            f"batched appends (1,000/tx, SQLite) {batched:9,.0f} entries/s"
            f"   = {batched / signing:.0%} of signing (target >= 40%)"
        )
        report(
            "batched appends SQLite", batched, "entries/s",
            baseline="Ed25519 signing", baseline_value=signing, target=">= 40%", met=batched / signing >= 0.4,
        )  # fmt: skip
        mapped, mapped_engine, _ = bench_batched(folder, batches, lot_subject, "mapped")
        mapped_engine.dispose()
        print(
            f"batched appends with the map       {mapped:9,.0f} entries/s"
            f"   = {mapped / signing:.0%} of signing (target >= 25%), {mapped / batched:.0%} of no rule"
        )
        report(
            "batched appends SQLite, map fed one lot per entry", mapped, "entries/s",
            baseline="Ed25519 signing", baseline_value=signing, target=">= 25%", met=mapped / signing >= 0.25,
        )  # fmt: skip
        single, bare = bench_single(folder, singles)
        print(
            f"single-entry appends (1/commit)    {single:9,.0f} entries/s"
            f"   vs bare SQLite INSERT+COMMIT {bare:,.0f}/s ({single / bare:.0%})"
        )
        report(
            "single-entry appends SQLite",
            single,
            "entries/s",
            baseline="SQLite INSERT+COMMIT",
            baseline_value=bare,
        )
        small_engine = build_bulk_tree(folder / "tree-small.db", 10_000)
        started = time.perf_counter()
        big_engine = build_bulk_tree(folder / "tree-big.db", big)
        built = time.perf_counter() - started
        small_ms = bench_proofs(small_engine, 10_000, 2000)
        big_ms = bench_proofs(big_engine, big, 2000)
        size = common.power(big)
        print(f"inclusion proof median @10^4       {small_ms:9.3f} ms")
        print(
            f"inclusion proof median @{size}       {big_ms:9.3f} ms   ratio {big_ms / small_ms:.2f}x"
            f" (target < 2 ms and < 2x; tree built in {built:.1f} s)"
        )
        report("inclusion proof median @10^4", small_ms, "ms", target="< 2 ms", met=small_ms < 2)
        report(
            f"inclusion proof median @{size}", big_ms, "ms", baseline="@10^4", baseline_value=small_ms,
            target="< 2 ms and < 2x", met=big_ms < 2 and big_ms < 2 * small_ms,
        )  # fmt: skip
        rate, entries = bench_verify(engine, store)
        print(
            f"verify_store                       {rate:9,.0f} entries/s over {entries:,} entries"
            " (target >= 5,000/s)"
        )
        report("verify_store", rate, "entries/s", target=">= 5,000/s", met=rate >= 5000)
        for eng in (engine, small_engine, big_engine):
            eng.dispose()


if __name__ == "__main__":
    main()
