"""Verifiable-map speed, printed as figures (never asserted): ``python bench/map.py [--quick] [--keys N]``.

1. bulk load of a stored map of 10^6 keys on SQLite (``vmap_store.load_map``, one entry per key);
2. proof for one key from storage: median latency over random present keys (target < 2 ms, issue #16),
   and the Python verification of it;
3. proof size in bytes (median, inclusion and absence);
4. batch updates of 100 entries (each about one subject: half existing keys, half new ones), median cost
   per entry of ``vmap_store.apply_updates`` inside the transaction (the commit is the appender's);
5. the demo gấc package's proof bundle (version 2, with its map section): bytes as served and gzipped,
   its subjects, and the Python verifier's time on it.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

import common
from sqlalchemy import Engine, create_engine

from tracer.ledger import vmap_store
from tracer.ledger.connection import WRITE_OPTION, configure_engine
from tracer.ledger.schema import metadata
from tracer.ledger.vmap import map_value
from tracer.ledger.vmap_proof import verify_entries
from tracer.ledger.vmap_tree import MapUpdate


def _engine(path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 30})
    configure_engine(engine)
    metadata.create_all(engine)
    return engine


def _leaf(n: int) -> bytes:
    return hashlib.sha256(b"\x00entry %d" % n).digest()


def _key(n: int) -> str:
    return f"lot:B{n:08d}"


def build(engine: Engine, keys: int) -> float:
    """Bulk-load ``keys`` keys, one entry each (entry n about lot n); seconds taken."""
    entries = {_key(n): [(n, _leaf(n))] for n in range(keys)}
    started = time.perf_counter()
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn, conn.begin():
        vmap_store.load_map(conn, entries)
    return time.perf_counter() - started


def bench_proofs(engine: Engine, keys: int, samples: int) -> tuple[float, float, int, int]:
    """(median proof ms, median verification ms, median inclusion size, median absence size)."""
    rng = random.Random(keys)
    proof_ms, verify_ms, sizes, absent_sizes = [], [], [], []
    with engine.connect() as conn, conn.begin():
        root = vmap_store.map_root(conn)
        for n in range(100):  # warm the page cache and the statement cache
            vmap_store.prove(conn, _key(rng.randrange(keys)))
            absent_sizes.append(len(vmap_store.prove(conn, f"lot:absent-{n}").proof.to_bytes()))
        for _ in range(samples):
            n = rng.randrange(keys)
            started = time.perf_counter()
            lookup = vmap_store.prove(conn, _key(n))
            proof_ms.append((time.perf_counter() - started) * 1000)
            sizes.append(len(lookup.proof.to_bytes()))
            started = time.perf_counter()
            verify_entries(root, _key(n), [(n, _leaf(n))], lookup.proof)
            verify_ms.append((time.perf_counter() - started) * 1000)
    return (
        statistics.median(proof_ms),
        statistics.median(verify_ms),
        int(statistics.median(sizes)),
        int(statistics.median(absent_sizes)),
    )


def bench_updates(engine: Engine, keys: int, batches: int, size: int = 100) -> float:
    """Median microseconds per entry of ``apply_updates`` for batches of ``size`` entries."""
    rng = random.Random(7)
    last: dict[str, int] = {}
    index, fresh = keys, keys
    timings = []
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as conn:
        for _ in range(batches):
            batch = []
            for _ in range(size):
                if rng.random() < 0.5:
                    map_key = _key(rng.randrange(keys))
                else:
                    map_key, fresh = _key(fresh), fresh + 1
                batch.append(MapUpdate(map_key, index, _leaf(index)))
                last[map_key] = index
                index += 1
            with conn.begin():
                started = time.perf_counter()
                vmap_store.apply_updates(conn, batch)
                timings.append(time.perf_counter() - started)
        with conn.begin():  # the stored value is the chain over the bulk entry and the updates
            some = next(iter(last))
            state = vmap_store.state_of(conn, some)
            if state is None or state.last_index != last[some]:
                raise RuntimeError(f"{some}: the update did not land")
            if vmap_store.prove(conn, some).value != map_value(vmap_store.entries_of(conn, some)):
                raise RuntimeError(f"{some}: stored value and entry list disagree")
    return statistics.median(timings) / size * 1e6


def bench_demo_bundle(folder: Path) -> tuple[int, int, int, int, float]:
    """(bytes, gzipped bytes, map subjects, entries, verification ms) of the demo gấc package's bundle."""
    from sqlmodel import Session, select

    from tracer import create_app
    from tracer.models.lots import Package
    from tracer.platform.services import services
    from tracer.proofs.verdict import verify_package_bundle
    from tracer.scans.recorder import ScanRecorder

    config = common.settings(f"sqlite:///{folder / 'demo.db'}", folder / "instance")
    demo = common.prepare(config)
    app = create_app(config)
    with Session(services(app).engine) as session:
        serial = session.exec(select(Package.serial).where(Package.lot_id == demo.lots["gac_oil"])).first()
    client = app.test_client()
    body = client.get(f"/api/v1/packages/{serial}/proof").get_data()
    key = client.get("/api/v1/ledger/keys").get_json()["verifier_key"]
    bundle = json.loads(body)
    started = time.perf_counter()
    verify_package_bundle(bundle, key)
    verify_ms = (time.perf_counter() - started) * 1000
    recorder = services(app).existing(ScanRecorder)
    if recorder is not None:
        recorder.close()  # the proof request queued a scan: write it while the database is there
    services(app).engine.dispose()
    return len(body), len(gzip.compress(body)), len(bundle["map"]), len(bundle["entries"]), verify_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="fewer samples (the same 10^6 keys)")
    parser.add_argument("--keys", type=int, default=1_000_000, help="map size (default 10^6)")
    args = parser.parse_args()
    keys = args.keys
    samples, batches = (1000, 30) if args.quick else (5000, 200)
    size = common.power(keys)
    print(f"map: {common.load_average()}")
    report = partial(common.report, "map")
    with tempfile.TemporaryDirectory(prefix="map-bench-") as tmp:
        engine = _engine(Path(tmp) / "map.db")
        built = build(engine, keys)
        print(f"bulk load, {keys:,} keys (SQLite)      {built:9.1f} s   = {keys / built:,.0f} keys/s")
        report(f"map bulk load @{size}", keys / built, "keys/s")
        proof_ms, verify_ms, proof_bytes, absent_bytes = bench_proofs(engine, keys, samples)
        print(f"map proof median @{size}            {proof_ms:9.3f} ms   (target < 2 ms)")
        print(f"map proof verification median        {verify_ms:9.3f} ms   (Python, value from its entry)")
        print(f"map proof size median                {proof_bytes:9,d} bytes (absence {absent_bytes:,d})")
        report(f"map proof median @{size}", proof_ms, "ms", target="< 2 ms", met=proof_ms < 2)
        report("map proof verification (Python)", verify_ms, "ms")
        report(f"map proof size @{size}", proof_bytes, "bytes")
        report(f"map absence proof size @{size}", absent_bytes, "bytes")
        per_entry = bench_updates(engine, keys, batches)
        print(f"map update, batches of 100           {per_entry:9.1f} us per entry (median batch / 100)")
        report(f"map update per entry (batches of 100) @{size}", per_entry, "us")
        engine.dispose()
        raw, packed, subjects, entries, verify_ms = bench_demo_bundle(Path(tmp))
        print(
            f"demo gấc bundle                      {raw:9,d} bytes ({packed:,d} gzipped), {subjects} map "
            f"subjects, {entries} entries, verified in {verify_ms:.1f} ms (Python)"
        )
        report("demo gấc bundle", raw, "bytes")
        report("demo gấc bundle gzipped", packed, "bytes")


if __name__ == "__main__":
    main()
