"""Origin page speed under gunicorn, printed as figures and ratios (never asserted).

    python bench/origin.py [--quick] [--database-url URL] [--duration S] [--connections N]

One gunicorn (config/gunicorn.conf.py, 2 workers) serves the demo data and, in the same app, a bare Flask
route returning "ok". wrk (32 connections) measures, in one run:

1. the bare route: requests/s and p99 (the yardstick);
2. the origin page at 10^3 packages, every request from a different client (a random X-Forwarded-For behind
   ProxyFix), so every request is a counted scan written by the batch writer: the worst case;
3. the same at 10^6 packages (10^5 with --quick), the packages bulk-inserted into the gấc oil lot;
4. the bare route again (drift).

Targets: origin >= 60 % of bare requests/s, origin p99 < 50 ms, 10^6 within 10 % of 10^3.
PostgreSQL: pass ``--database-url postgresql+psycopg://.../EMPTY_DB`` (its tables are created).
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select, text  # noqa: E402

from config.settings import Settings  # noqa: E402
from tracer import create_app, demo, provision  # noqa: E402
from tracer.db import make_engine, writer  # noqa: E402
from tracer.gs1 import DigitalLink, build_uri  # noqa: E402
from tracer.models.lots import Package  # noqa: E402
from tracer.models.products import Product  # noqa: E402
from tracer.serials import new_serials  # noqa: E402

MASTER_KEY = bytes(range(32))
WSGI = """
from werkzeug.middleware.proxy_fix import ProxyFix
from tracer import create_app

app = create_app()


@app.get("/bench/bare")
def bare():
    return "ok"


app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
"""
LUA = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
math.randomseed(os.time())
request = function()
  local r = math.random
  local ip = r(1, 223) .. "." .. r(0, 255) .. "." .. r(0, 255) .. "." .. r(1, 254)
  local headers = {["X-Forwarded-For"] = ip, ["Accept"] = "text/html"}
  return wrk.format("GET", paths[r(1, #paths)], headers)
end
"""


def _settings(url: str, instance: Path) -> Settings:
    return Settings.from_env(
        {"TRACER_INSTANCE_PATH": str(instance)},
        database_url=url,
        secret_key="bench",
        master_key=MASTER_KEY,
        public_url="https://trace.example.vn",
        log_origin="trace.example.vn/ocop-log",
        instance_path=instance,
    )


def prepare(url: str, instance: Path) -> str:
    """Migrate, bootstrap and load the demo (small); return the gấc oil lot id."""
    engine = make_engine(url)
    provision.initialise(engine, _settings(url, instance))
    engine.dispose()
    app = create_app(_settings(url, instance))
    with app.app_context(), writer() as session:
        result = demo.load(session, small=True)
    app.extensions["tracer.engine"].dispose()
    return result.lots["gac_oil"]


def grow(url: str, lot: str, total: int) -> list[str]:
    """Bulk-insert packages into ``lot`` until it has ``total``; returns a sample of their URI paths."""
    engine = make_engine(url)
    with engine.begin() as conn:
        template = conn.execute(select(Package).where(Package.lot_id == lot).limit(1)).mappings().one()
        have = conn.execute(text("SELECT count(*) FROM packages WHERE lot_id = :l"), {"l": lot}).scalar_one()
        gtin = conn.execute(select(Product.gtin).where(Product.id == template["product_id"])).scalar_one()
    chunk = 50_000
    while have < total:
        n = min(chunk, total - have)
        rows = [dict(template, serial=s, position=have + i) for i, s in enumerate(new_serials(n))]
        with engine.begin() as conn:
            conn.execute(insert(Package), rows)
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


def start(url: str, instance: Path, workdir: Path, port: int) -> subprocess.Popen[bytes]:
    (workdir / "bench_wsgi.py").write_text(WSGI)
    env = dict(
        os.environ,
        TRACER_DATABASE_URL=url,
        TRACER_INSTANCE_PATH=str(instance),
        TRACER_MASTER_KEY=base64.urlsafe_b64encode(MASTER_KEY).decode(),
        TRACER_SECRET_KEY="bench",
        TRACER_PUBLIC_URL="https://trace.example.vn",
        TRACER_LOG_ORIGIN="trace.example.vn/ocop-log",
        PYTHONPATH=f"{workdir}{os.pathsep}{ROOT}",
    )
    log = (workdir / "gunicorn.log").open("ab")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "config/gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "2",
            "bench_wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(150):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare", timeout=2):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start: " + (workdir / "gunicorn.log").read_text()[-2000:])


SERVED: list[int] = []  # requests per wrk run with the origin script (each one a scan to keep)


def wrk(url: str, duration: int, connections: int, script: Path | None = None) -> tuple[float, float]:
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    if script is not None:
        args += ["-s", str(script)]
    out = subprocess.run([*args, url], check=True, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99 is not None
    ms = float(p99.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    if script is not None:
        SERVED.append(int(re.search(r"(\d+) requests in", out).group(1)))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        print(f"  ! {errors.group(1)} non-2xx responses")
    return rps, ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs, 10^5 instead of 10^6 packages")
    parser.add_argument("--database-url", help="default: a fresh SQLite file")
    parser.add_argument("--duration", type=int)
    parser.add_argument("--connections", type=int, default=32)
    opts = parser.parse_args()
    duration = opts.duration or (5 if opts.quick else 15)
    large = 100_000 if opts.quick else 1_000_000
    with tempfile.TemporaryDirectory(prefix="bench-origin-") as tmp:
        workdir = Path(tmp)
        url = opts.database_url or f"sqlite:///{workdir / 'tracer.db'}"
        instance = workdir / "instance"
        print(
            f"database: {url.split('://')[0]}; wrk {opts.connections} connections, {duration}s per run; "
            f"gunicorn 2 workers ({os.cpu_count()} CPUs, shared with wrk)"
        )
        lot = prepare(url, instance)
        small_paths = grow(url, lot, 1_000)
        port = 8700 + secrets.randbelow(200)
        server = start(url, instance, workdir, port)
        base = f"http://127.0.0.1:{port}"
        try:
            paths = workdir / "paths.txt"
            script = workdir / "origin.lua"
            script.write_text(LUA % paths)
            paths.write_text("\n".join(small_paths) + "\n")
            wrk(base + "/bench/bare", 2, opts.connections)  # warm up both
            wrk(base, 2, opts.connections, script)
            bare_rps, bare_p99 = wrk(base + "/bench/bare", duration, opts.connections)
            print(f"bare Flask route:          {bare_rps:8.0f} req/s  p99 {bare_p99:6.1f} ms")
            small_rps, small_p99 = wrk(base, duration, opts.connections, script)
            print(
                f"origin page, 10^3 pkgs:    {small_rps:8.0f} req/s  p99 {small_p99:6.1f} ms  "
                f"({small_rps / bare_rps:.0%} of bare)"
            )
            t0 = time.monotonic()
            paths.write_text("\n".join(grow(url, lot, large)) + "\n")
            print(f"  (bulk-inserted up to {large:,} packages in {time.monotonic() - t0:.0f}s)")
            wrk(base, 2, opts.connections, script)
            large_rps, large_p99 = wrk(base, duration, opts.connections, script)
            print(
                f"origin page, {large:.0e} pkgs: {large_rps:8.0f} req/s  p99 {large_p99:6.1f} ms  "
                f"({large_rps / bare_rps:.0%} of bare, {large_rps / small_rps:.0%} of 10^3)"
            )
            again_rps, again_p99 = wrk(base + "/bench/bare", duration, opts.connections)
            print(f"bare Flask route (again):  {again_rps:8.0f} req/s  p99 {again_p99:6.1f} ms")
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        engine = make_engine(url)
        with engine.connect() as conn:
            written = conn.execute(text("SELECT count(*) FROM scans")).scalar_one()
            counted = conn.execute(text("SELECT count(*) FROM scan_tallies")).scalar_one()
        engine.dispose()
        print(
            f"scans written: {written:,} of {sum(SERVED):,} origin requests served (counted {counted:,}); "
            f"{'none lost' if written >= sum(SERVED) else 'LOST ' + str(sum(SERVED) - written)}"
        )


if __name__ == "__main__":
    main()
