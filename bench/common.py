"""What the benchmarks share: wrk runs, scratch databases, gunicorn servers, settings and the results file.

- ``wrk(url, seconds, connections, script=None) -> WrkResult``: requests/s, requests, non-2xx answers,
  socket errors and p50/p99 latency parsed from ``wrk --latency``; with a Lua script, the answers are also
  counted by status (one sample body per status) so an error count comes with its cause.
- ``databases(folder)``: SQLite, then PostgreSQL in a scratch database made from the admin URL in
  ``TRACER_BENCH_DATABASE_URL`` or ``TRACER_TEST_DATABASE_URL`` (``scratch_postgres``) and dropped after.
- ``prepare(settings)``: migrated, ledger bootstrapped, demo loaded (``tracer.platform.provision.initialise``,
  ``tracer.demo.programme.load`` inside ``tracer.platform.db.writer()`` with an app context).
- ``serve_app(settings, folder)`` / ``serve_bare(folder)``: gunicorn with ``config/gunicorn.conf.py`` and
  2 workers, serving the app (plus an in-app ``/bench/bare`` route) or a bare Flask app; both answer
  ``/bench/bare`` with "ok".
- ``report(...)``: every printed figure also goes, as one JSON line, to the file named by ``BENCH_RESULTS``.

Speed is printed as figures and ratios against baselines measured in the same run, never asserted.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.live import LiveServer, free_port, start_gunicorn  # noqa: E402 (ROOT on the path first)
from tracer.platform.services import services  # noqa: E402
from tracer.scans.recorder import ScanRecorder  # noqa: E402

if TYPE_CHECKING:
    from sqlmodel import Session

    from config.settings import Settings
    from tracer.demo.programme import DemoResult

MASTER_KEY = bytes(range(32))
SECRET_KEY = "bench-secret-key-not-for-production"
PUBLIC_URL = "https://trace.example.vn"
LOG_ORIGIN = "trace.example.vn/ocop-log"
WORKERS = 2
BACKENDS = ("sqlite", "postgresql")
PRODUCER = "htx.mycam@example.vn"  # the demo's gấc cooperative: it has a zone to harvest from

# Added to every Lua script: thread ids (``id``), answers counted by status, a body kept per non-2xx status.
STATUS_LUA = """
local threads = {}
function setup(thread)
  thread:set("id", #threads + 1)
  threads[#threads + 1] = thread
end
statuses, samples = {}, {}
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if (status < 200 or status > 299) and samples[status] == nil then samples[status] = body end
end
function done(summary, latency, requests)
  local total, sample = {}, {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do total[s] = (total[s] or 0) + n end
    for s, b in pairs(t:get("samples")) do sample[s] = b end
  end
  for s, n in pairs(total) do
    local body = (sample[s] or ""):sub(1, 300):gsub("%s+", " ")
    io.write(string.format("bench-status %d %d %s\\n", s, n, body))
  end
end
"""
BARE_APP = """from flask import Flask

app = Flask(__name__)


@app.get("/bench/bare")
def bare():
    return "ok"
"""
APP_WSGI = """from tracer import create_app

app = create_app()


@app.get("/bench/bare")
def bare():  # the in-app yardstick: every middleware and hook of the app, no work
    return "ok"
"""


def power(n: int) -> str:
    """``10^6`` for 1,000,000: how the docstrings name sizes."""
    return f"10^{len(str(n)) - 1}"


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} ({os.cpu_count()} CPUs)"


# --- wrk ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrkResult:
    rate: float  # requests/s
    requests: int
    non_2xx: int  # from the status counts with a script; without, wrk's own count (which takes 3xx as ok)
    socket_errors: dict[str, int]  # connect, read, write, timeout
    p50_ms: float
    p99_ms: float
    statuses: dict[int, int] = field(default_factory=dict)  # with a script: answers by status
    samples: dict[int, str] = field(default_factory=dict)  # with a script: one body per status

    @property
    def errors(self) -> int:
        return self.non_2xx + sum(self.socket_errors.values())

    def describe_errors(self) -> str:
        """``0``, or the count and what they were: statuses with a sample body, socket errors by kind."""
        if not self.errors:
            return "0"
        parts = [
            f"{n} x HTTP {s}: {self.samples.get(s, '')[:160]}"
            for s, n in sorted(self.statuses.items())
            if not 200 <= s <= 299
        ]
        if self.non_2xx and not parts:
            parts.append(f"{self.non_2xx} non-2xx")
        parts += [f"{n} socket {kind}" for kind, n in self.socket_errors.items() if n]
        return f"{self.errors} ({'; '.join(parts)})"


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


ROUNDS = 3
T = TypeVar("T")


def best_of(
    measure: Callable[[], T], rate: Callable[[T], float] = attrgetter("rate"), rounds: int = ROUNDS
) -> T:
    """The best of ``rounds`` runs of ``measure`` by ``rate``. wrk opens its keep-alive connections at once
    and the kernel may hand most of them to one gunicorn worker, which then does all the work while the other
    idles (seen here: 2,800 instead of 7,600 requests/s for the same route); the best run is the one where
    both workers got their share, for the yardstick and the measured route alike."""
    return max((measure() for _ in range(rounds)), key=rate)


def _latency_ms(out: str, percent: int) -> float:
    found = re.search(rf"^\s+{percent}%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.MULTILINE)
    return float(found.group(1)) * _UNITS_MS[found.group(2)] if found else float("nan")


def wrk(
    url: str, seconds: float, connections: int, script: str | None = None, *, timeout: float = 5
) -> WrkResult:
    """Run ``wrk --latency`` (keep-alive connections, 2 threads) and parse what it prints.

    ``script`` is Lua source (``request()``, ``init()``); ``STATUS_LUA`` is added to it, so it must not
    define ``setup``, ``response`` or ``done`` itself. ``id``, the thread's number from 1, is set after the
    script's top level has run: use it in ``init`` or ``request``.
    """
    threads = max(1, min(2, connections))
    args = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", f"--timeout={timeout}s"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", encoding="utf-8") as lua:
        if script is not None:
            lua.write(script + STATUS_LUA)
            lua.flush()
            args += ["-s", lua.name]
        done = subprocess.run([*args, url], capture_output=True, text=True, check=True)  # noqa: S603
    out = done.stdout
    if done.stderr.strip():  # a Lua error is only printed: wrk then sends plain GETs to ``url``
        raise RuntimeError(f"wrk: {done.stderr.strip()}")
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    if rate is None or total is None:
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    kinds = ("connect", "read", "write", "timeout")
    statuses, samples = {}, {}
    for status, count, sample in re.findall(r"^bench-status (\d+) (\d+) ?(.*)$", out, re.MULTILINE):
        statuses[int(status)], samples[int(status)] = int(count), sample
    non_2xx = sum(n for s, n in statuses.items() if not 200 <= s <= 299) if statuses else 0
    return WrkResult(
        rate=float(rate.group(1)),
        requests=int(total.group(1)),
        non_2xx=non_2xx or (int(bad.group(1)) if bad else 0),
        socket_errors={k: int(sockets.group(i + 1)) if sockets else 0 for i, k in enumerate(kinds)},
        p50_ms=_latency_ms(out, 50),
        p99_ms=_latency_ms(out, 99),
        statuses=statuses,
        samples=samples,
    )


# --- databases ---------------------------------------------------------------------------------------------


def admin_url() -> str | None:
    """The PostgreSQL admin URL the benchmarks may make scratch databases with, if one is set."""
    return os.environ.get("TRACER_BENCH_DATABASE_URL") or os.environ.get("TRACER_TEST_DATABASE_URL") or None


@contextmanager
def scratch_postgres(admin: str) -> Iterator[str]:
    """A new, empty PostgreSQL database made with ``admin`` (an admin URL); its URL; dropped afterwards."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    from tracer.platform.db import make_engine

    name = f"tracer_bench_{uuid.uuid4().hex[:8]}"
    engine = make_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(admin).set(database=name).render_as_string(hide_password=False)
        finally:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def databases(folder: Path, backends: tuple[str, ...] = BACKENDS) -> Iterator[tuple[str, str]]:
    """(label, URL) of an SQLite file under ``folder``, then of a scratch PostgreSQL database (dropped when
    the loop moves on); PostgreSQL is skipped, with a line saying so, when no admin URL is set."""
    if "sqlite" in backends:
        yield "SQLite", f"sqlite:///{folder / 'sqlite' / 'bench.db'}"
    if "postgresql" in backends:
        admin = admin_url()
        if admin is None:
            print("PostgreSQL: skipped (set TRACER_BENCH_DATABASE_URL or TRACER_TEST_DATABASE_URL)")
            return
        with scratch_postgres(admin) as url:
            yield "PostgreSQL", url


def server_env(url: str, instance: Path, *, proxy_hops: int = 0) -> dict[str, str]:
    """The TRACER_* variables of a benchmark app: the same for the gunicorn and for ``settings()``."""
    return {
        "TRACER_DATABASE_URL": url,
        "TRACER_INSTANCE_PATH": str(instance),
        "TRACER_MASTER_KEY": base64.urlsafe_b64encode(MASTER_KEY).decode(),
        "TRACER_SECRET_KEY": SECRET_KEY,
        "TRACER_PUBLIC_URL": PUBLIC_URL,
        "TRACER_LOG_ORIGIN": LOG_ORIGIN,
        "TRACER_PROXY_HOPS": str(proxy_hops),
    }


def settings(url: str, instance: Path, *, proxy_hops: int = 0) -> Settings:
    from config.settings import Settings

    return Settings.from_env(server_env(url, instance, proxy_hops=proxy_hops))


@contextmanager
def app_writer(config: Settings) -> Iterator[Session]:
    """A ``tracer.platform.db.writer()`` session inside an app context (what the domain functions expect)."""
    from tracer import create_app
    from tracer.platform.db import writer

    app = create_app(config)
    try:
        with app.app_context(), writer() as session:
            yield session
    finally:
        recorder = services(app).existing(ScanRecorder)
        if recorder is not None:
            recorder.close()
        services(app).engine.dispose()


def prepare(config: Settings, *, small: bool = True) -> DemoResult:
    """Migrate, bootstrap the ledger and load the demo; the demo's accounts and lots."""
    from tracer.demo import programme as demo
    from tracer.platform import provision
    from tracer.platform.db import make_engine

    engine = make_engine(config.database_url)
    try:
        provision.initialise(engine, config)
    finally:
        engine.dispose()
    with app_writer(config) as session:
        return demo.load(session, small=small)


def api_tokens(session: Session, email: str, count: int) -> list[str]:
    """``count`` API tokens of ``email``, marked used (so the first request does not write ``last_used_at``).
    Tokens are rate-limited one by one (``TRACER_TOKEN_LIMIT``), so load spreads over many."""
    from tracer.accounts import tokens
    from tracer.accounts.users import user_by_email

    user = user_by_email(session=session, email=email)
    made = []
    for n in range(count):
        plaintext, row = tokens.create_token(session=session, user=user, name=f"bench-{n}")
        row.last_used_at = datetime.now(UTC) + timedelta(hours=1)
        made.append(plaintext)
    return made


def producer_zone(session: Session, email: str) -> str:
    from sqlmodel import select

    from tracer.accounts.users import user_by_email
    from tracer.models.zones import Zone

    user = user_by_email(session=session, email=email)
    zone = session.exec(select(Zone).where(Zone.organisation_id == user.organisation_id)).first()
    if zone is None:
        raise RuntimeError(f"{email} has no zone")
    return zone.id


HARVEST_LUA = """
local counter = 0
local tokens = {%(tokens)s}
local batch = %(batch)d
function harvest(n)
  return string.format('{"type":"harvest","zone_id":"%(zone)s","name":"Quả gấc chín %%d-%%d-%%d",' ..
    '"quantity":"12.5","unit":"kg","harvested_on":"%(day)s"}', id, counter, n)
end
function request()
  counter = counter + 1
  local body
  if batch == 0 then
    body = harvest(0)
  else
    local events = {}
    for n = 1, batch do events[n] = harvest(n) end
    body = "[" .. table.concat(events, ",") .. "]"
  end
  return wrk.format("POST", "/api/v1/events", {["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. tokens[(counter %% #tokens) + 1]}, body)
end
"""


def harvest_lua(tokens: list[str], zone: str, batch: int = 0) -> str:
    """Lua for ``POST /api/v1/events``: harvest events in ``zone``, each thread cycling through ``tokens``;
    one event per request (``batch`` 0), or an array of ``batch`` events per request."""
    from tracer.events.rules import today

    quoted = ",".join(f'"{t}"' for t in tokens)
    return HARVEST_LUA % {"tokens": quoted, "zone": zone, "day": today().isoformat(), "batch": batch}


def ledger_size(url: str) -> int:
    return ledger_counts(url)[0]


def ledger_counts(url: str) -> tuple[int, int]:
    """(entries, signed checkpoints) of the ledger at ``url``: one checkpoint per committed transaction."""
    from sqlalchemy import text

    from tracer.platform.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            size = conn.execute(text("SELECT size FROM ledger_state WHERE id = 1")).scalar_one()
            checkpoints = conn.execute(text("SELECT count(*) FROM ledger_checkpoints")).scalar_one()
            return int(size), int(checkpoints)
    finally:
        engine.dispose()


# --- gunicorn ----------------------------------------------------------------------------------------------


@contextmanager
def _gunicorn(
    module: str, source: str, folder: Path, env: dict[str, str], port: int | None = None
) -> Iterator[LiveServer]:
    """gunicorn (config/gunicorn.conf.py, 2 workers) serving ``module:app`` written from ``source`` into
    ``folder``; ready once ``/bench/bare`` answers; the log is ``folder/gunicorn-MODULE.log``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{module}.py").write_text(source, encoding="utf-8")
    full_env = dict(os.environ, **env, PYTHONPATH=os.pathsep.join([str(folder), str(ROOT)]))
    log = folder / f"gunicorn-{module}.log"
    at = free_port() if port is None else port
    server = start_gunicorn(full_env, at, log, WORKERS, 60, app=f"{module}:app", ready="/bench/bare")
    try:
        yield server
    finally:
        server.stop()


def serve_app(config: Settings, folder: Path) -> AbstractContextManager[LiveServer]:
    """The app (``create_app()`` from the environment of ``config``, plus ``/bench/bare``) under gunicorn."""
    env = server_env(config.database_url, config.instance_path, proxy_hops=config.proxy_hops)
    return _gunicorn("bench_app", APP_WSGI, folder, env)


def serve_env(env: dict[str, str], folder: Path, port: int) -> AbstractContextManager[LiveServer]:
    """The app (with ``/bench/bare``) under gunicorn on ``port`` with the TRACER_* variables ``env``."""
    return _gunicorn("bench_app", APP_WSGI, folder, env, port)


def serve_bare(folder: Path) -> AbstractContextManager[LiveServer]:
    """A bare Flask app whose one route returns "ok", with the same gunicorn settings as the app."""
    return _gunicorn("bench_bare", BARE_APP, folder, {})


# --- results -----------------------------------------------------------------------------------------------


def report(
    bench: str,
    figure: str,
    value: float,
    unit: str,
    *,
    baseline: str | None = None,
    baseline_value: float | None = None,
    target: str | None = None,
    met: bool | None = None,
) -> None:
    """Append one figure as a JSON line to the file named by ``BENCH_RESULTS`` (nothing if it is unset)."""
    path = os.environ.get("BENCH_RESULTS")
    if not path:
        return
    ratio = value / baseline_value if baseline_value else None
    line = {
        "bench": bench,
        "figure": figure,
        "value": round(value, 4),
        "unit": unit,
        "baseline": baseline,
        "baseline_value": None if baseline_value is None else round(baseline_value, 4),
        "ratio": None if ratio is None else round(ratio, 4),
        "target": target,
        "met": met,
        "load": round(os.getloadavg()[0], 2),
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


def report_errors(bench: str, figure: str, errors: int) -> None:
    report(bench, figure, errors, "errors", target="0", met=errors == 0)
