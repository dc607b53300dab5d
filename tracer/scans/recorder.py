"""Scans: every resolution of a package code, recorded off the request's critical path, counted fairly,
and watched for signs of copied codes.

- A scan keeps its time, an HMAC-SHA256 of the client address under the app's secret key (never the address
  itself), the user-agent family, and a coarse location (0.1 degree, about 11 km) only when the visitor
  shares it with the button on the origin page.
- Recording is an in-process queue flushed in batches by a background thread (and at process exit), so a
  page view costs a dictionary update, not a database write; ``flush()`` writes the queue at once.
- Counting: only page visits count (``tracer.scans.sources.is_visit``: not an ``<img>`` on another site, a
  proof fetch or an API read); a client counts at most once per serial per hour (``scan_tallies``, an INSERT
  that does nothing on conflict, exact across workers), and each client may have at most a burst of ``BURST``
  scans recorded, refilled at ``REFILL_PER_SECOND`` (a token bucket per client and process), so no one can
  inflate a count. Each visit also records its source (network prefix) once a day (``scan_sources``).
- Copy signs (``tracer.scans.signal``): many distinct sources, or two far places each seen by several sources
  at once (``scan_flags``). ``tracer.scans.anomalies`` lists these for inspectors and producers, with unknown
  codes scanned and recalled packages scanned.
"""

from __future__ import annotations

import atexit
import hmac
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, cast

from flask import Flask, current_app
from sqlalchemy import Connection, Engine, Table, select, update
from sqlmodel import Session

from tracer.models.lots import Package
from tracer.models.organisations import Organisation
from tracer.models.products import Product
from tracer.models.scans import Scan, ScanCount, ScanFlag, ScanSource, ScanTally
from tracer.platform.db import writer
from tracer.platform.errors import InvalidInput
from tracer.platform.services import services
from tracer.scans import signal
from tracer.scans.places import province_at

__all__ = [
    "ScanRecorder",
    "ScanRequest",
    "client_hash",
    "flush",
    "hour_bucket",
    "recorder",
    "share_location",
    "user_agent_family",
]

log = logging.getLogger(__name__)

BURST = 30  # scans recorded at once from one client
REFILL_PER_SECOND = 0.5  # then one every two seconds
FLUSH_INTERVAL = 0.25  # seconds between batch writes
MAX_QUEUE = 50_000  # beyond this (database down for long) the oldest scans are dropped, and logged
_CLIENTS = 20_000  # token buckets kept per process (least recently used evicted)


def _table(model: type) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


# Core tables for the queries here and in tracer.scans.anomalies (SQLAlchemy Core: no ORM objects per scan).

SCANS = _table(Scan)
TALLIES = _table(ScanTally)
COUNTS = _table(ScanCount)
FLAGS = _table(ScanFlag)
SOURCES = _table(ScanSource)
PACKAGES = _table(Package)
PRODUCTS = _table(Product)
ORGANISATIONS = _table(Organisation)


def client_hash(secret_key: str, address: str) -> str:
    """HMAC-SHA256 of the client address under the app's secret key, hex: stable, not reversible."""
    return hmac.digest(secret_key.encode("utf-8"), address.encode("utf-8"), "sha256").hex()


def hour_bucket(at: datetime) -> int:
    return int(at.timestamp()) // 3600


_FAMILIES = (  # most specific first: in-app browsers announce themselves next to the engine they use
    ("zalo", "Zalo"), ("fban", "Facebook"), ("fbav", "Facebook"), ("instagram", "Instagram"),
    ("coc_coc", "Cốc Cốc"), ("samsungbrowser", "Samsung Internet"), ("edg", "Edge"), ("opr/", "Opera"),
    ("firefox", "Firefox"), ("fxios", "Firefox"), ("crios", "Chrome"), ("chrome", "Chrome"),
    ("safari", "Safari"), ("curl", "curl"), ("wget", "Wget"), ("python", "Python"),
    ("bot", "Bot"), ("spider", "Bot"), ("crawl", "Bot"),
)  # fmt: skip


@lru_cache(maxsize=1024)  # few distinct user agents: each is classified once
def user_agent_family(user_agent: str) -> str:
    """A coarse browser family (Zalo, Chrome, Safari...), enough for statistics, not for fingerprinting."""
    ua = user_agent.lower()
    return next((name for needle, name in _FAMILIES if needle in ua), "Other" if ua else "")


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """One resolution of a code, as the resolver saw it."""

    serial: str | None  # None for a code we never issued
    code: str
    outcome: str  # genuine | unknown | recalled | expired
    client_hash: str
    user_agent_family: str
    scanned_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    source: str | None = None  # a page visit's source (``tracer.scans.sources``); None: not counted
    gtin: str | None = None  # an unknown code's GTIN, if it names one (anomalies group by it)


class _Buckets:
    """Token buckets per client hash, least recently used evicted; thread-safe."""

    def __init__(self, burst: int, refill: float, size: int = _CLIENTS) -> None:
        self.burst, self.refill, self.size = burst, refill, size
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._state.pop(client, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.refill)
            allowed = tokens >= 1.0
            self._state[client] = (tokens - 1.0 if allowed else tokens, now)
            if len(self._state) > self.size:
                self._state.popitem(last=False)
            return allowed


class ScanRecorder:
    """The per-process scan queue of one app, written in batches by a daemon thread."""

    def __init__(self, engine: Engine, *, interval: float = FLUSH_INTERVAL, burst: int = BURST,
                 refill: float = REFILL_PER_SECOND) -> None:  # fmt: skip
        self.engine = engine
        self.interval = interval
        self.buckets = _Buckets(burst, refill)
        self._queue: list[ScanRequest] = []
        self._pending: set[tuple[str, str, int]] = set()  # new tallies queued: (serial, client, hour)
        self._pending_serials: dict[str, int] = {}  # how many of them per serial
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._pid = 0
        self._thread: threading.Thread | None = None
        self._closed = False

    # -- the request side ---------------------------------------------------------------------------

    def record(self, scan: ScanRequest, *, fresh: bool = True) -> bool:
        """Queue ``scan``; False (nothing queued) when its client has used up its burst.

        ``fresh``: the database has no tally of this client for this serial this hour (the page's query
        says), so until written the scan counts here (``pending_count``).
        """
        if not self.buckets.take(scan.client_hash):
            return False
        with self._lock:
            if len(self._queue) >= MAX_QUEUE:
                dropped = self._queue.pop(0)
                log.error("scan queue full: dropped a scan of %s", dropped.serial or dropped.code)
            self._queue.append(scan)
            if scan.serial is not None and scan.source is not None and fresh:
                key = (scan.serial, scan.client_hash, hour_bucket(scan.scanned_at))
                if key not in self._pending:
                    self._pending.add(key)
                    self._pending_serials[scan.serial] = self._pending_serials.get(scan.serial, 0) + 1
        self._ensure_thread()
        return True

    def pending(self, serial: str, client: str, bucket: int) -> bool:
        """Whether this process has queued, not yet written, a tally of ``client`` for ``serial``."""
        return (serial, client, bucket) in self._pending

    def pending_count(self, serial: str) -> int:
        """Counted scans of ``serial`` queued in this process and not yet written."""
        return self._pending_serials.get(serial, 0)

    # -- the writing side ---------------------------------------------------------------------------

    def flush(self) -> int:
        """Write every queued scan now; returns how many. On failure the batch goes back to the queue."""
        with self._write_lock:
            with self._lock:
                batch, self._queue = self._queue, []
            if not batch:
                return 0
            try:
                write_scans(self.engine, batch)
            except Exception:
                with self._lock:
                    self._queue[:0] = batch[: max(0, MAX_QUEUE - len(self._queue))]
                raise
            with self._lock:
                for scan in batch:
                    key = (scan.serial or "", scan.client_hash, hour_bucket(scan.scanned_at))
                    if key in self._pending:
                        self._pending.discard(key)
                        left = self._pending_serials.pop(key[0]) - 1
                        if left:
                            self._pending_serials[key[0]] = left
            return len(batch)

    def _ensure_thread(self) -> None:
        pid = os.getpid()
        if self._pid == pid and self._thread is not None and self._thread.is_alive():
            if len(self._queue) > 1000:
                self._wake.set()
            return
        with self._lock:
            if self._pid == pid and self._thread is not None and self._thread.is_alive():
                return
            self._pid = pid  # after a fork the parent's thread does not exist here: start our own
            self._closed = False
            self._thread = threading.Thread(target=self._run, name="scan-recorder", daemon=True)
            self._thread.start()
            atexit.register(self.close)

    def _run(self) -> None:
        while not self._closed:
            self._wake.wait(self.interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception:  # the database is away: keep the scans and try again
                log.exception("could not write scans; will retry")
                time.sleep(1.0)

    def close(self) -> None:
        """Stop the thread and write what is left (at process exit, or when the app goes away)."""
        self._closed = True
        self._wake.set()
        atexit.unregister(self.close)
        try:
            self.flush()
        except Exception:
            log.exception("could not write the last scans at exit")


# fmt: off
_INSERT_SCAN = (
    "INSERT INTO scans (serial, code, outcome, scanned_at, client_hash, user_agent_family, source, gtin) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)
_INSERT_SOURCE = (
    "INSERT INTO scan_sources (serial, source, day, first_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
)
_INSERT_TALLY = (
    "INSERT INTO scan_tallies (serial, client_hash, bucket, first_at) VALUES (?, ?, ?, ?) "
    "ON CONFLICT DO NOTHING"
)
# fmt: on
# PostgreSQL: the whole batch in one statement, the inserted rows (new tallies) returned.
_INSERT_TALLIES_PG = (
    "INSERT INTO scan_tallies (serial, client_hash, bucket, first_at) "
    "SELECT * FROM unnest(%s::varchar[], %s::varchar[], %s::bigint[], %s::timestamptz[]) "
    "ON CONFLICT DO NOTHING RETURNING serial, first_at"
)
_ADD_COUNTS = (
    "INSERT INTO scan_counts (serial, scans, first_at) VALUES (?, ?, ?) "
    "ON CONFLICT (serial) DO UPDATE SET scans = scan_counts.scans + excluded.scans"
)


def write_scans(engine: Engine, batch: Sequence[ScanRequest]) -> None:
    """Insert a batch of scans and their tallies, and add the new tallies to ``scan_counts``, in one
    transaction. Through the DBAPI cursor with fixed statements (prepared once, no ORM): this runs beside
    the page views, in their process, so its cost is theirs."""
    postgres = engine.dialect.name == "postgresql"
    stamp = _stamp_processor(engine)
    tallies: dict[tuple[str, str, int], datetime] = {}
    sources: dict[tuple[str, str, int], datetime] = {}
    for scan in batch:
        if scan.serial is not None and scan.source is not None:  # a page visit: counted
            tallies.setdefault((scan.serial, scan.client_hash, hour_bucket(scan.scanned_at)), scan.scanned_at)
            sources.setdefault((scan.serial, scan.source, signal.day_of(scan.scanned_at)), scan.scanned_at)
    with writer(engine) as session:
        dbapi: Any = session.connection().connection.driver_connection  # in the writer's transaction
        cursor = dbapi.cursor()
        marker = "%s" if postgres else "?"
        insert_scan, add_counts, insert_source = (
            q.replace("?", marker) for q in (_INSERT_SCAN, _ADD_COUNTS, _INSERT_SOURCE)
        )
        cursor.executemany(
            insert_scan,
            [(s.serial, s.code[:300], s.outcome, stamp(s.scanned_at), s.client_hash, s.user_agent_family[:40],
              s.source, s.gtin) for s in batch],
        )  # fmt: skip
        if sources:
            seen = [(serial, source, day, stamp(at)) for (serial, source, day), at in sorted(sources.items())]
            cursor.executemany(insert_source, seen)
        added: list[tuple[str, datetime]] = []
        if postgres and tallies:
            keys = list(tallies)
            columns = (
                [k[0] for k in keys],
                [k[1] for k in keys],
                [k[2] for k in keys],
                list(tallies.values()),
            )
            cursor.execute(_INSERT_TALLIES_PG, columns)
            added = [(serial, at) for serial, at in cursor.fetchall()]
        else:
            for (serial, client, bucket), at in tallies.items():
                cursor.execute(_INSERT_TALLY, (serial, client, bucket, stamp(at)))
                if cursor.rowcount == 1:
                    added.append((serial, at))
        counts: dict[str, tuple[int, datetime]] = {}
        for serial, at in added:
            n, first = counts.get(serial, (0, at))
            counts[serial] = (n + 1, min(first, at))
        if counts:  # in serial order: two workers' batches lock the rows they share in the same order
            rows = [(serial, n, stamp(at)) for serial, (n, at) in sorted(counts.items())]
            cursor.executemany(add_counts, rows)
        cursor.close()


def _stamp_processor(engine: Engine) -> Callable[[datetime], Any]:
    """How the database driver is given a timestamp column's value (SQLite: SQLAlchemy's text form)."""
    dialect = engine.dialect
    processor = SCANS.c.scanned_at.type.dialect_impl(dialect).bind_processor(dialect)
    return processor if processor is not None else (lambda value: value)


def recorder() -> ScanRecorder:
    """The current app's scan recorder (made on first use)."""
    return recorder_for(current_app)


def recorder_for(app: Flask) -> ScanRecorder:
    """``app``'s scan recorder (made on first use)."""
    return services(app).made(ScanRecorder, lambda found: ScanRecorder(found.engine))


def flush() -> int:
    """Write the current app's queued scans now (tests, the location button, shutdown)."""
    return recorder().flush()


# -- sharing a location ----------------------------------------------------------------------------

_COARSE = Decimal("0.1")


def _coarse(value: object, limit: int, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(f"{name} must be a number", field=name) from None
    if not number.is_finite() or abs(number) > limit:
        raise InvalidInput(f"{name} must be between -{limit} and {limit}", field=name)
    return number.quantize(_COARSE, rounding=ROUND_HALF_EVEN)


def latest_visit(conn: Connection, serial: str, client: str, now: datetime) -> int | None:
    """The id of this client's latest page visit of ``serial`` within the hour, if it is in the table."""
    found = conn.execute(
        select(SCANS.c.id)
        .where(
            SCANS.c.serial == serial,
            SCANS.c.client_hash == client,
            SCANS.c.source.is_not(None),
            SCANS.c.scanned_at >= now - timedelta(hours=1),
        )
        .order_by(SCANS.c.scanned_at.desc())
        .limit(1)
    ).scalar()
    return None if found is None else int(found)


def await_visit(engine: Engine, serial: str, client: str, wait: float = 4 * FLUSH_INTERVAL) -> None:
    """Wait (a second at most) for this client's visit of ``serial`` to reach the table: another worker
    process may have served the page and still hold it in its queue (written every ``FLUSH_INTERVAL``)."""
    deadline = time.monotonic() + wait
    while True:
        with engine.connect() as conn:
            if latest_visit(conn, serial, client, datetime.now(UTC)) is not None:
                return
        if time.monotonic() >= deadline:
            return
        time.sleep(FLUSH_INTERVAL / 2)


def share_location(*, session: Session, serial: str, client: str, latitude: object, longitude: object,
                   needed: int, now: datetime | None = None) -> bool:  # fmt: skip
    """Attach a coarse location to this client's latest page visit of ``serial`` (within the hour).

    Returns True when the code now looks copied: the located visits of the last ``signal.TRAVEL_DAYS`` days
    (since the last review) fall into two far places each seen by ``needed`` sources at once
    (``signal.conflict``); every source of both places is then flagged (``scan_flags``).
    The caller commits; ``flush()`` first so that the scan is in the table.
    """
    lat, lon = _coarse(latitude, 90, "latitude"), _coarse(longitude, 180, "longitude")
    now = now or datetime.now(UTC)
    conn = session.connection()
    latest = latest_visit(conn, serial, client, now)
    if latest is None:
        raise InvalidInput("no recent visit of this code's page from you to add a place to", field="serial")
    province = province_at(lat, lon)  # for the inspectors' filter by where a code was scanned
    conn.execute(
        update(SCANS)
        .where(SCANS.c.id == latest)
        .values(latitude=str(lat), longitude=str(lon), province=province)
    )
    since = now - timedelta(days=signal.TRAVEL_DAYS)
    reviewed = signal.copy_signal(conn, serial, now).reviewed_at
    if reviewed is not None:
        since = max(since, reviewed)
    located = conn.execute(
        select(SCANS.c.latitude, SCANS.c.longitude, SCANS.c.scanned_at, SCANS.c.source)
        .where(
            SCANS.c.serial == serial,
            SCANS.c.latitude.is_not(None),
            SCANS.c.source.is_not(None),
            SCANS.c.scanned_at >= since,
        )
        .order_by(SCANS.c.scanned_at.desc())
        .limit(500)
    ).all()
    found = signal.conflict(signal.as_places(located), needed)
    if found is None:
        return False
    sources, detail = found
    day = signal.day_of(now)
    for source in sorted(sources):
        flag = session.get(ScanFlag, (serial, "travel", source))
        if flag is None:
            flag = ScanFlag(serial=serial, kind="travel", source=source, day=day, flagged_at=now)
            session.add(flag)
        flag.day, flag.flagged_at, flag.detail = day, now, detail
    return True
