"""API write speed, printed as figures and a ratio (never asserted): ``python bench/api.py [--quick]``.

Events/s recorded through ``POST /api/v1/events`` (harvest events, each validated, signed, appended to the
ledger with a new signed checkpoint, and projected, one transaction per request) under gunicorn with 2
workers, on SQLite and on PostgreSQL (``TRACER_BENCH_DATABASE_URL`` or ``TRACER_TEST_DATABASE_URL``, an
admin URL: a scratch database is made and dropped). Beside it, in the same run and with the same gunicorn
settings, the requests/s of a bare Flask route returning a fixed string: the ratio says how much of the
web stack's capacity one signed, ledgered write costs (target >= 25 %). Load comes from ``wrk`` with a Lua
script (keep-alive connections); events are counted from the ledger's size, not from the client.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from tests.conftest import LOG_ORIGIN, MASTER_KEY, make_settings  # noqa: E402
from tests.support.live import LiveServer, free_port, server_env, start_gunicorn  # noqa: E402

PRODUCER = "htx.mycam@example.vn"
TOKENS = 200  # API tokens are rate-limited (tracer.ratelimit.TOKEN), so the load spreads over many
BARE_APP = (
    'from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get("/")\ndef hello():\n    return "ok"\n'
)
LUA = """
local counter = 0
local tokens = {%s}
local ids = 0
function setup(thread) thread:set("id", ids); ids = ids + 1 end
function request()
  counter = counter + 1
  local body = string.format('{"type":"harvest","zone_id":"%s","name":"Quả gấc chín %%d-%%d",' ..
    '"quantity":"12.5","unit":"kg","harvested_on":"%s"}', id, counter)
  return wrk.format("POST", "/api/v1/events", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(counter %% #tokens) + 1]}, body)
end
"""


def wrk(url: str, seconds: int, connections: int, script: Path | None = None) -> tuple[float, int, int]:
    """(requests/s, requests, non-2xx) as wrk reports them."""
    args = [
        "wrk",
        "-t",
        str(min(4, connections)),
        "-c",
        str(connections),
        "-d",
        f"{seconds}s",
        "--latency",
        url,
    ]
    if script is not None:
        args[1:1] = ["-s", str(script)]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, total, int(bad.group(1)) if bad else 0


def bare_flask(folder: Path, seconds: int, connections: int) -> float:
    (folder / "bare.py").write_text(BARE_APP, encoding="utf-8")
    port = free_port()
    args = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(ROOT / "config/gunicorn.conf.py"),
        "-b",
        f"127.0.0.1:{port}",
        "-w",
        "2",
        "--chdir",
        str(folder),
        "bare:app",
    ]
    log = (folder / "bare.log").open("ab")
    process = subprocess.Popen(args, cwd=folder, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
    server = LiveServer(f"http://127.0.0.1:{port}", process, {}, folder / "bare.log")
    try:
        _wait(server.url + "/")
        return wrk(server.url + "/", seconds, connections)[0]
    finally:
        server.stop()


def _wait(url: str) -> None:
    import time
    import urllib.request

    for _ in range(100):
        try:
            with urllib.request.urlopen(url, timeout=1):  # noqa: S310
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def prepare(url: str, folder: Path) -> tuple[str, list[str]]:
    """Migrate, load the demo, make API tokens (already used, so no first-use write); (zone id, tokens)."""
    from sqlmodel import select

    from tracer import create_app, demo, provision
    from tracer.accounts import tokens
    from tracer.accounts.users import user_by_email
    from tracer.db import make_engine, writer
    from tracer.models.zones import Zone

    settings = make_settings(url, folder / "instance")
    engine = make_engine(url)
    provision.initialise(engine, settings)
    app = create_app(settings)
    made = []
    with app.app_context(), writer(engine) as session:
        demo.load(session, small=True)
        user = user_by_email(session=session, email=PRODUCER)
        for n in range(TOKENS):
            plaintext, row = tokens.create_token(session=session, user=user, name=f"bench-{n}")
            row.last_used_at = datetime.now(UTC) + timedelta(hours=1)
            made.append(plaintext)
        zone = session.exec(select(Zone).where(Zone.organisation_id == user.organisation_id)).first()
        assert zone is not None
        zone_id = zone.id
    app.extensions["tracer.engine"].dispose()
    engine.dispose()
    return zone_id, made


def ledger_size(url: str) -> int:
    from tracer.db import make_engine

    engine = make_engine(url)
    with engine.connect() as conn:
        size = int(conn.execute(text("SELECT size FROM ledger_state WHERE id = 1")).scalar_one())
    engine.dispose()
    return size


def bench_events(url: str, folder: Path, seconds: int, connections: int) -> tuple[float, int]:
    from tracer.events.rules import today

    zone_id, made = prepare(url, folder)
    script = folder / "post.lua"
    quoted = ",".join(f'"{t}"' for t in made)
    script.write_text(LUA % (quoted, zone_id, today().isoformat()), encoding="utf-8")
    port = free_port()
    env = server_env(url, folder / "live", f"http://127.0.0.1:{port}", MASTER_KEY, LOG_ORIGIN)
    server = start_gunicorn(env, port, folder / "gunicorn.log", workers=2)
    try:
        wrk(server.url + "/healthz", 1, 2)  # warm both workers
        before = ledger_size(url)
        _rate, _total, bad = wrk(server.url + "/api/v1/events", seconds, connections, script)
        events = ledger_size(url) - before
    finally:
        server.stop()
    return events / seconds, bad


def _pg_scratch(admin_url: str) -> tuple[str, str]:
    name = f"tracer_bench_{uuid.uuid4().hex[:8]}"
    return name, make_url(admin_url).set(database=name).render_as_string(False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 s per measurement instead of 10 s")
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed (apt-get install wrk)")
    seconds = 3 if options.quick else 10
    from tracer.db import make_engine

    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        folder = Path(tmp)
        bare = bare_flask(folder, seconds, options.connections)
        print(f"bare Flask route, gunicorn 2 workers (gthread):  {bare:10.0f} requests/s")
        results = {}
        (folder / "sqlite").mkdir()
        results["SQLite"] = bench_events(
            f"sqlite:///{folder / 'sqlite' / 'bench.db'}", folder / "sqlite", seconds, options.connections
        )
        admin_url = os.environ.get("TRACER_BENCH_DATABASE_URL") or os.environ.get("TRACER_TEST_DATABASE_URL")
        if admin_url:
            name, url = _pg_scratch(admin_url)
            admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                (folder / "pg").mkdir()
                results["PostgreSQL"] = bench_events(url, folder / "pg", seconds, options.connections)
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()
        else:
            print("PostgreSQL: skipped (set TRACER_BENCH_DATABASE_URL or TRACER_TEST_DATABASE_URL)")
        for backend, (rate, bad) in results.items():
            print(
                f"POST /api/v1/events, {backend:<10}:  {rate:10.0f} events/s   ratio to bare Flask "
                f"{rate / bare:6.1%}  (target >= 25 %)   non-201 answers: {bad}"
            )


if __name__ == "__main__":
    main()
