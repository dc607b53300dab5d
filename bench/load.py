"""Load test under gunicorn: latency and errors at 64 connections, printed (never asserted).

    python bench/load.py [--quick] [--backend sqlite|postgresql|both] [--seconds S] [--connections N]

One gunicorn (config/gunicorn.conf.py, 2 workers, TRACER_PROXY_HOPS=1) on the demo data, on SQLite and on
PostgreSQL (a scratch database made with the admin URL in ``TRACER_BENCH_DATABASE_URL`` or
``TRACER_TEST_DATABASE_URL``). wrk runs 30 s (``--quick``: 5 s) at 64 connections against:

(a) the origin page: the GS1 Digital Link paths of every demo package, each request from a random client
    (X-Forwarded-For behind ProxyFix), so every request is also a scan to record;
(b) ``POST /api/v1/events``: harvest events, spread over many API tokens (each is limited to 600 requests a
    minute per worker, ``TRACER_TOKEN_LIMIT``), each signed, appended to the ledger and projected.

Printed: requests/s, p50 and p99 latency, and the errors (non-2xx answers + socket errors; target: none),
each kind with its cause: the answers' statuses with a sample body, socket errors by kind, and what the
gunicorn log said during the run.
"""

from __future__ import annotations

import argparse
import re
import tempfile
from collections import Counter
from pathlib import Path

import common
from sqlalchemy import text

from tracer.codes.gs1 import DigitalLink, build_uri
from tracer.platform.db import make_engine

TOKENS = 400  # 600 a minute each per worker: far above what 64 connections can write
ORIGIN_LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
function init(args) math.randomseed(os.time() * 100 + id) end
function request()
  local r = math.random
  local ip = r(1, 223) .. "." .. r(0, 255) .. "." .. r(0, 255) .. "." .. r(1, 254)
  return wrk.format("GET", paths[r(1, #paths)], {["X-Forwarded-For"] = ip, ["Accept"] = "text/html"})
end
"""


def package_paths(url: str) -> list[str]:
    """The Digital Link path of every package in the database (the demo's real ones)."""
    engine = make_engine(url)
    query = "SELECT p.serial, p.lot_id, pr.gtin FROM packages p JOIN products pr ON pr.id = p.product_id"
    with engine.connect() as conn:
        rows = conn.execute(text(query)).all()
    engine.dispose()
    # a product without a GTIN is resolved by serial alone (the /p/ form)
    return [build_uri("", DigitalLink(gtin, lot if gtin else None, serial)) for serial, lot, gtin in rows]


def log_summary(log: Path, offset: int) -> list[str]:
    """What gunicorn logged after byte ``offset``: distinct messages (digits blurred), most frequent first."""
    with log.open("rb") as handle:
        handle.seek(offset)
        lines = handle.read().decode("utf-8", "replace").splitlines()
    kinds: Counter[str] = Counter()
    for line in lines:
        message = re.sub(r"^\[[^]]*\] \[\d+\] ", "", line).strip()  # gunicorn's [time] [pid] prefix
        if message and not message.startswith(("File ", "Traceback", "^", "~")):
            kinds[re.sub(r"\d+", "N", message)[:200]] += 1
    return [f"{n} x {message}" for message, n in kinds.most_common(8)]


def run(
    name: str, server: common.LiveServer, url: str, seconds: int, connections: int, script: str
) -> common.WrkResult:
    """One wrk run, printed with its errors and what the gunicorn log said meanwhile."""
    offset = server.log.stat().st_size
    result = common.wrk(url, seconds, connections, script)
    print(
        f"  {name:<22} {result.rate:8.0f} req/s  p50 {result.p50_ms:7.1f} ms  p99 {result.p99_ms:7.1f} ms  "
        f"{result.requests:7,} requests  errors: {result.describe_errors()}"
    )
    for line in log_summary(server.log, offset):
        print(f"      gunicorn log: {line}")
    return result


def bench(backend: str, url: str, folder: Path, seconds: int, connections: int) -> None:
    config = common.settings(url, folder / "instance", proxy_hops=1)
    common.prepare(config)
    with common.app_writer(config) as session:
        tokens = common.api_tokens(session, common.PRODUCER, TOKENS)
        zone = common.producer_zone(session, common.PRODUCER)
    paths = package_paths(url)
    (folder / "paths.txt").write_text("\n".join(paths) + "\n", encoding="utf-8")
    print(f"{backend}: {len(paths)} demo packages, {TOKENS} API tokens; {common.load_average()}")
    with common.serve_app(config, folder) as server:
        common.wrk(server.url + "/bench/bare", 1, 2)  # warm both workers
        lua = ORIGIN_LUA % (folder / "paths.txt")
        origin = run("origin page", server, server.url, seconds, connections, lua)
        before = common.ledger_size(url)
        lua = common.harvest_lua(tokens, zone)
        events = run("POST /api/v1/events", server, server.url + "/api/v1/events", seconds, connections, lua)
        recorded = common.ledger_size(url) - before
    print(f"  events recorded in the ledger: {recorded:,} ({recorded / seconds:.0f}/s)")
    for figure, result in (("origin", origin), ("events", events)):
        common.report("load", f"{figure} requests/s {backend}", result.rate, "requests/s")
        common.report("load", f"{figure} p50 {backend}", result.p50_ms, "ms")
        common.report("load", f"{figure} p99 {backend}", result.p99_ms, "ms")
        common.report_errors("load", f"{figure} errors {backend}", result.errors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 s per run instead of 30 s")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--connections", type=int, default=64)
    opts = parser.parse_args()
    seconds = opts.seconds or (5 if opts.quick else 30)
    backends = common.BACKENDS if opts.backend == "both" else (opts.backend,)
    print(f"load: wrk {opts.connections} connections, {seconds} s per run, gunicorn 2 workers")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        for backend, url in common.databases(Path(tmp), backends):
            (Path(tmp) / backend).mkdir()
            bench(backend, url, Path(tmp) / backend, seconds, opts.connections)


if __name__ == "__main__":
    main()
