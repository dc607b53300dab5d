"""Scans: every resolution of a package code, recorded off the request's critical path, counted fairly,
and watched for signs of copied codes.

- A scan keeps its time, an HMAC-SHA256 of the client address under the app's secret key (never the address
  itself), the user-agent family, and a coarse location (0.1 degree, about 11 km) only when the visitor
  shares it with the button on the origin page.
- Recording is an in-process queue flushed in batches by a background thread (and at process exit), so a
  page view costs a dictionary update, not a database write; ``flush()`` writes the queue at once.
- Counting: a client counts at most once per serial per hour (``scan_tallies``, an INSERT that does nothing
  on conflict, exact across workers), and each client may have at most a burst of ``BURST`` scans recorded,
  refilled at ``REFILL_PER_SECOND`` (a token bucket per client and process), so no one can inflate a count.
- Copy signs: more counted scans than ``Settings.scan_warning_threshold``; or two shared locations too far
  apart for the time between them (``scan_flags``). ``tracer.scans.anomalies`` lists these for inspectors and
  producers, with unknown codes scanned and recalled packages scanned.
"""

from __future__ import annotations

import atexit
import hmac
import logging
import math
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
from sqlalchemy import Engine, Table, select, update
from sqlmodel import Session

from tracer.models.lots import Package
from tracer.models.organisations import Organisation
from tracer.models.products import Product
from tracer.models.scans import Scan, ScanCount, ScanFlag, ScanTally
from tracer.platform.db import writer
from tracer.platform.errors import InvalidInput
from tracer.platform.services import services

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
TRAVEL_KM = 50.0  # two located scans closer than this are never suspicious
TRAVEL_KMH = 150.0  # faster than a car on Vietnamese roads: the code was copied
_CLIENTS = 20_000  # token buckets kept per process (least recently used evicted)


def _table(model: type) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


# Core tables for the queries here and in tracer.scans.anomalies (SQLAlchemy Core: no ORM objects per scan).

SCANS = _table(Scan)
TALLIES = _table(ScanTally)
COUNTS = _table(ScanCount)
FLAGS = _table(ScanFlag)
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
            if scan.serial is not None and fresh:
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
    "INSERT INTO scans (serial, code, outcome, scanned_at, client_hash, user_agent_family, gtin) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
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
    for scan in batch:
        if scan.serial is not None:
            tallies.setdefault((scan.serial, scan.client_hash, hour_bucket(scan.scanned_at)), scan.scanned_at)
    with writer(engine) as session:
        dbapi: Any = session.connection().connection.driver_connection  # in the writer's transaction
        cursor = dbapi.cursor()
        queries = (_INSERT_SCAN, _ADD_COUNTS)
        insert_scan, add_counts = (q.replace("?", "%s") for q in queries) if postgres else queries
        cursor.executemany(
            insert_scan,
            [(s.serial, s.code[:300], s.outcome, stamp(s.scanned_at), s.client_hash, s.user_agent_family[:40],
              s.gtin) for s in batch],
        )  # fmt: skip
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


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def share_location(*, session: Session, serial: str, client: str, latitude: object, longitude: object,
                   now: datetime | None = None) -> bool:  # fmt: skip
    """Attach a coarse location to this client's latest scan of ``serial`` (within the hour).

    Returns True when the code now looks copied (this place is too far from another recent one).
    The caller commits; ``flush()`` first so that the scan is in the table.
    """
    lat, lon = _coarse(latitude, 90, "latitude"), _coarse(longitude, 180, "longitude")
    now = now or datetime.now(UTC)
    conn = session.connection()
    latest = conn.execute(
        select(SCANS.c.id)
        .where(
            SCANS.c.serial == serial,
            SCANS.c.client_hash == client,
            SCANS.c.scanned_at >= now - timedelta(hours=1),
        )
        .order_by(SCANS.c.scanned_at.desc())
        .limit(1)
    ).scalar()
    if latest is None:
        raise InvalidInput("no recent scan of this code from you to attach a place to", field="serial")
    conn.execute(update(SCANS).where(SCANS.c.id == latest).values(latitude=str(lat), longitude=str(lon)))
    others = conn.execute(
        select(SCANS.c.latitude, SCANS.c.longitude, SCANS.c.scanned_at)
        .where(
            SCANS.c.serial == serial,
            SCANS.c.latitude.is_not(None),
            SCANS.c.client_hash != client,
            SCANS.c.scanned_at >= now - timedelta(days=2),
        )
        .order_by(SCANS.c.scanned_at.desc())
        .limit(200)
    ).all()
    for other_lat, other_lon, at in others:
        km = _km(float(lat), float(lon), float(other_lat), float(other_lon))
        hours = max(abs((now - _aware(at)).total_seconds()) / 3600, 1 / 60)
        if km > TRAVEL_KM and km / hours > TRAVEL_KMH:
            detail = f"{km:.0f} km in {hours * 60:.0f} min"
            if session.get(ScanFlag, (serial, "travel")) is None:
                session.add(ScanFlag(serial=serial, kind="travel", flagged_at=now, detail=detail))
            return True
    return False


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at
