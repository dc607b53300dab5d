"""Origin page speed under gunicorn, printed as figures and ratios (never asserted).

    python bench/origin.py [--quick] [--backend sqlite|postgresql|both] [--database-url URL]
                           [--duration S] [--connections N]

One gunicorn (config/gunicorn.conf.py, 2 workers) serves the demo data and, in the same app, a bare Flask
route returning "ok". wrk (32 connections) measures, in one run:

1. the bare route: requests/s and p99 (the yardstick);
2. the origin page at 10^3 packages, every request from a different client (a random X-Forwarded-For,
   trusted with TRACER_PROXY_HOPS=1), so every request is a counted scan written by the batch writer: the
   worst case;
3. the same at 10^6 packages (10^5 with --quick), the gấc oil lot packed again in packaging events of
   10,000 serials (real, signed events: the origin page believes only serials a signed event commits to);
4. the bare route again (drift).

Each figure is the best of ``common.ROUNDS`` runs (see ``common.best_of``: wrk's connections are not
always spread over both workers).

Targets: origin >= 60 % of bare requests/s, origin p99 < 50 ms, 10^6 within 10 % of 10^3.
Backends: SQLite (a fresh file) and PostgreSQL (a scratch database made with the admin URL in
``TRACER_BENCH_DATABASE_URL`` or ``TRACER_TEST_DATABASE_URL``); ``--database-url`` names an empty
database to use instead (its tables are created).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import common
from sqlalchemy import select, text

from tracer.codes.gs1 import DigitalLink, build_uri
from tracer.models.lots import Package
from tracer.models.products import Product
from tracer.platform.db import make_engine

if TYPE_CHECKING:
    from config.settings import Settings

BARE = "bare route (in app)"
LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
function init(args) math.randomseed(os.time() * 100 + id) end  -- each thread its own clients
request = function()
  local r = math.random
  local ip = r(1, 223) .. "." .. r(0, 255) .. "." .. r(0, 255) .. "." .. r(1, 254)
  local headers = {["X-Forwarded-For"] = ip, ["Accept"] = "text/html"}
  return wrk.format("GET", paths[r(1, #paths)], headers)
end
"""


def grow(config: Settings, url: str, lot: str, total: int) -> list[str]:
    """Pack ``lot`` again until it has ``total`` packages; returns a sample of their URI paths.

    Each batch is a real packaging event of up to 10,000 serials recorded by the gấc cooperative (signed,
    appended, projected): the origin page shows only serials that a signed packaging event commits to
    (``tracer.codes.issued``), so rows inserted beside the ledger would be answered as unknown codes."""
    from tracer.accounts.users import actor_for, user_by_email
    from tracer.events import commands
    from tracer.events.dispatch import record

    engine = make_engine(url)
    with engine.connect() as conn:
        template = conn.execute(select(Package).where(Package.lot_id == lot).limit(1)).mappings().one()
        have = conn.execute(text("SELECT count(*) FROM packages WHERE lot_id = :l"), {"l": lot}).scalar_one()
        gtin = conn.execute(select(Product.gtin).where(Product.id == template["product_id"])).scalar_one()
    while have < total:
        n = min(10_000, total - have)
        with common.app_writer(config) as session:
            actor = actor_for(user_by_email(session=session, email=common.PRODUCER))
            # 10,000 x 0.01 ml is the 0.1 l used: within the mass balance (tracer.events.balance)
            command = commands.Package(lot_id=lot, product_id=template["product_id"], count=n,
                                       net_content="0.01 ml", quantity_used=Decimal("0.1"),
                                       packed_on=template["packed_on"])  # fmt: skip
            record(session=session, actor=actor, command=command)
        have += n
    with engine.connect() as conn:  # as after any bulk load: fold the WAL back, refresh statistics
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
        serials = [
            r[0]
            for r in conn.execute(
                text("SELECT serial FROM packages WHERE lot_id = :l ORDER BY serial LIMIT 20000"), {"l": lot}
            )
        ]
    engine.dispose()
    sample = random.sample(serials, min(2000, len(serials)))
    return [build_uri("", DigitalLink(gtin, lot, s)) for s in sample]


@dataclass
class Runs:
    """wrk against one server; counts the origin requests served (each one a scan to keep)."""

    base: str
    connections: int
    script: str
    served: list[int] = field(default_factory=list)

    def bare(self, seconds: int) -> common.WrkResult:
        return self._note(common.wrk(self.base + "/bench/bare", seconds, self.connections))

    def origin(self, seconds: int) -> common.WrkResult:
        result = self._note(common.wrk(self.base, seconds, self.connections, self.script))
        self.served.append(result.requests)
        return result

    def best_bare(self, seconds: int) -> common.WrkResult:
        return common.best_of(partial(self.bare, seconds))

    def best_origin(self, seconds: int) -> common.WrkResult:
        return common.best_of(partial(self.origin, seconds))

    @staticmethod
    def _note(result: common.WrkResult) -> common.WrkResult:
        if result.errors:
            print(f"  ! errors: {result.describe_errors()}")
        return result


def bench(backend: str, url: str, workdir: Path, duration: int, connections: int, large: int) -> None:
    config = common.settings(url, workdir / "instance", proxy_hops=1)
    lot = common.prepare(config).lots["gac_oil"]
    small_paths = grow(config, url, lot, 1_000)
    paths = workdir / "paths.txt"
    paths.write_text("\n".join(small_paths) + "\n")
    with common.serve_app(config, workdir) as server:
        runs = Runs(server.url, connections, LUA % paths)
        runs.bare(2)  # warm up both
        runs.origin(2)
        bare = runs.best_bare(duration)
        print(f"bare Flask route:          {bare.rate:8.0f} req/s  p99 {bare.p99_ms:6.1f} ms")
        small = runs.best_origin(duration)
        print(
            f"origin page, 10^3 pkgs:    {small.rate:8.0f} req/s  p99 {small.p99_ms:6.1f} ms  "
            f"({small.rate / bare.rate:.0%} of bare)"
        )
        t0 = time.monotonic()
        paths.write_text("\n".join(grow(config, url, lot, large)) + "\n")
        print(f"  (packed up to {large:,} packages in {time.monotonic() - t0:.0f}s)")
        runs.origin(2)
        big = runs.best_origin(duration)
        print(
            f"origin page, {common.power(large)} pkgs: {big.rate:8.0f} req/s  p99 {big.p99_ms:6.1f} ms  "
            f"({big.rate / bare.rate:.0%} of bare, {big.rate / small.rate:.0%} of 10^3)"
        )
        again = runs.best_bare(duration)
        print(f"bare Flask route (again):  {again.rate:8.0f} req/s  p99 {again.p99_ms:6.1f} ms")
    engine = make_engine(url)
    with engine.connect() as conn:
        written = conn.execute(text("SELECT count(*) FROM scans")).scalar_one()
        counted = conn.execute(text("SELECT count(*) FROM scan_tallies")).scalar_one()
    engine.dispose()
    served = sum(runs.served)
    print(
        f"scans written: {written:,} of {served:,} origin requests served (counted {counted:,}); "
        f"{'none lost' if written >= served else 'LOST ' + str(served - written)}"
    )
    report = partial(common.report, "origin")
    report(f"bare route {backend}", bare.rate, "requests/s")
    report(f"bare route p99 {backend}", bare.p99_ms, "ms")
    report(f"bare route again {backend}", again.rate, "requests/s", baseline=BARE, baseline_value=bare.rate)
    for name, result in (("10^3", small), (f"{common.power(large)}", big)):
        met = result.rate >= 0.6 * bare.rate
        report(
            f"origin {name} pkgs {backend}", result.rate, "requests/s",
            baseline=BARE, baseline_value=bare.rate, target=">= 60%", met=met,
        )  # fmt: skip
        report(f"origin {name} p99 {backend}", result.p99_ms, "ms", target="< 50 ms", met=result.p99_ms < 50)
    report(
        f"origin {common.power(large)} vs 10^3 {backend}", big.rate, "requests/s",
        baseline="10^3 pkgs", baseline_value=small.rate, target="within 10%",
        met=abs(big.rate / small.rate - 1) <= 0.1,
    )  # fmt: skip
    report(f"scans lost {backend}", max(0, served - written), "scans", target="0", met=written >= served)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs, 10^5 instead of 10^6 packages")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--database-url", help="an empty database to use instead of --backend")
    parser.add_argument("--duration", type=int)
    parser.add_argument("--connections", type=int, default=32)
    opts = parser.parse_args()
    duration = opts.duration or (4 if opts.quick else 10)
    large = 100_000 if opts.quick else 1_000_000
    backends = common.BACKENDS if opts.backend == "both" else (opts.backend,)
    with tempfile.TemporaryDirectory(prefix="bench-origin-") as tmp:
        workdir = Path(tmp)
        if opts.database_url:
            targets = iter([(opts.database_url.split("://")[0], opts.database_url)])
        else:
            targets = common.databases(workdir, backends)
        for backend, url in targets:
            print(
                f"database: {backend}; wrk {opts.connections} connections, {duration}s per run; "
                f"gunicorn 2 workers ({os.cpu_count()} CPUs, shared with wrk); {common.load_average()}"
            )
            (workdir / backend).mkdir()
            bench(backend, url, workdir / backend, duration, opts.connections, large)


if __name__ == "__main__":
    main()
