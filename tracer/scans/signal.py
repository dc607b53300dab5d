"""The copy signal: when a package's page may say "this code may have been copied", and why.

It is advice, never a verdict: it is read from scans, which nobody signs, so the proof bundle carries it as
unsigned (``scans.signed: false``) and both verifiers report it beside the signed verdict without changing it.
What it counts is built so that a few clients cannot raise it:

- **Sources, not requests.** A source is a network prefix (/24 of IPv4, /64 of IPv6:
  ``tracer.scans.sources``); ten addresses in one office or a whole IPv6 line are one source.
- **Visits only.** Only top-level page visits count (Fetch Metadata: ``sources.is_visit``); an ``<img>`` or an
  ``<iframe>`` on another site, a proof fetch or an API read is recorded as a scan but never counted here.
- **Many sources in a window.** Over-scanned: more distinct visiting sources than
  ``Settings.scan_warning_threshold`` in the last ``WINDOW_DAYS`` days. Two places: shared locations fall into
  two places farther apart than ``TRAVEL_KM``, each backed by at least ``Settings.copy_sources`` distinct
  sources, at overlapping times (or closer in time than a car could drive between them). One attacker's far
  location, however often repeated, is one source in one place.
- **Expiry.** Sources older than ``WINDOW_DAYS`` and far-place flags older than ``TRAVEL_DAYS`` no longer
  count: a signal fades by itself.
- **Review.** A market inspector's signed inspection of the package with result ``pass`` (a ledger entry)
  clears what was seen before it; only new evidence after it raises the signal again.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

from sqlalchemy import Connection, Integer, text

from tracer.models.types import UTCDateTime

__all__ = [
    "COLUMNS",
    "COLUMN_TYPES",
    "CopySignal",
    "Place",
    "as_places",
    "conflict",
    "copy_signal",
    "day_of",
    "km_between",
    "of_row",
    "signal_params",
]

WINDOW_DAYS = 30  # visiting sources count this long
SOURCE_CAP = 1000  # visiting sources are counted up to this many (thresholds above it are never reached)
TRAVEL_DAYS = 7  # a far-place flag counts this long
TRAVEL_KM = 50.0  # two places closer than this are one place
TRAVEL_KMH = 150.0  # faster than a car on Vietnamese roads

# The signal's columns for the package ``p`` (``FROM packages p``), bound with ``signal_params``: distinct
# visiting sources (counted up to ``SOURCE_CAP``: every scan of a package runs this, and a flood of prefixes
# must not make each page view slower) and far-place sources since the window's first day, each left out
# once a signed inspection with result pass came at or after it (reviewed: cleared), and the newest such
# inspection.
COLUMNS = """
       (SELECT count(*) FROM (SELECT DISTINCT s.source FROM scan_sources s
         WHERE s.serial = p.serial AND s.day >= :copy_since
           AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.serial = p.serial AND i.result = 'pass'
                                                         AND i.inspected_at >= s.first_at)
         LIMIT 1000) AS capped) AS copy_sources,
       (SELECT count(DISTINCT f.source) FROM scan_flags f
         WHERE f.serial = p.serial AND f.day >= :travel_since
           AND NOT EXISTS (SELECT 1 FROM inspections i WHERE i.serial = p.serial AND i.result = 'pass'
                                                         AND i.inspected_at >= f.flagged_at)) AS far_sources,
       (SELECT max(i.inspected_at) FROM inspections i
         WHERE i.serial = p.serial AND i.result = 'pass') AS reviewed_at"""
COLUMN_TYPES: dict[str, Any] = {"copy_sources": Integer, "far_sources": Integer, "reviewed_at": UTCDateTime}
_SIGNAL = text("SELECT" + COLUMNS + " FROM packages p WHERE p.serial = :serial").columns(  # noqa: S608 (constants)
    **COLUMN_TYPES
)


def day_of(at: datetime) -> int:
    """Days since the epoch (UTC) of ``at``."""
    return int(at.timestamp()) // 86400


def signal_params(now: datetime) -> dict[str, int]:
    """The bound values of ``SOURCES_SQL`` and ``FAR_SQL`` at ``now``."""
    today = day_of(now)
    return {"copy_since": today - WINDOW_DAYS + 1, "travel_since": today - TRAVEL_DAYS + 1}


@dataclass(frozen=True, slots=True)
class CopySignal:
    """What the scans of one package say about copying, not yet judged against the settings."""

    sources: int = 0  # distinct visiting sources in the window, since the last review
    far_sources: int = 0  # distinct sources in two far places at once, since the last review
    reviewed_at: datetime | None = None  # the newest signed inspection with result pass

    def over_scanned(self, threshold: int) -> bool:
        return self.sources > threshold

    def public(self, threshold: int) -> bool:
        """Whether the page may show the warning: many sources, or two places each seen by several."""
        return self.over_scanned(threshold) or self.far_sources > 0

    def reasons(self, threshold: int) -> list[str]:
        """Why, in English (the bundle's reasons; the page words them in the reader's language)."""
        found = []
        if self.over_scanned(threshold):
            found.append(
                f"visited from {self.sources} networks in {WINDOW_DAYS} days, more than the {threshold} "
                "expected for one package"
            )
        if self.far_sources:
            found.append(f"seen at the same time in places too far apart, by {self.far_sources} networks")
        return found


def copy_signal(conn: Connection, serial: str, now: datetime | None = None) -> CopySignal:
    """The copy signal of ``serial`` at ``now`` (one statement)."""
    now = now or datetime.now(UTC)
    row = conn.execute(_SIGNAL, {"serial": serial, **signal_params(now)}).mappings().first()
    return CopySignal() if row is None else of_row(dict(row))


def of_row(row: Mapping[str, Any]) -> CopySignal:
    """The signal from a row holding ``COLUMNS``."""
    return CopySignal(int(row["copy_sources"] or 0), int(row["far_sources"] or 0), row["reviewed_at"])


# -- two places at once -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """One shared location of a visit: coarse coordinates, when, and from which source."""

    latitude: float
    longitude: float
    at: datetime
    source: str


@dataclass(slots=True)
class _Cluster:
    latitude: float
    longitude: float
    first: datetime
    last: datetime
    sources: set[str] = field(default_factory=set)

    def add(self, place: Place) -> None:
        self.first, self.last = min(self.first, place.at), max(self.last, place.at)
        self.sources.add(place.source)


def km_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(min(1.0, a)))


def _clusters(places: Iterable[Place]) -> list[_Cluster]:
    """Places grouped greedily, in time order, around the first place of each group (within ``TRAVEL_KM``)."""
    found: list[_Cluster] = []
    for place in sorted(places, key=lambda p: p.at):
        for cluster in found:
            if km_between(cluster.latitude, cluster.longitude, place.latitude, place.longitude) <= TRAVEL_KM:
                cluster.add(place)
                break
        else:
            found.append(_Cluster(place.latitude, place.longitude, place.at, place.at, {place.source}))
    return found


def conflict(places: Sequence[Place], needed: int) -> tuple[set[str], str] | None:
    """Two places too far apart to be one package, each seen by at least ``needed`` distinct sources, at times
    that overlap or are closer than driving between them allows: the sources of both and a description; None
    if there are no such two places."""
    strong = [c for c in _clusters(places) if len(c.sources) >= needed]
    for a, b in combinations(strong, 2):
        km = km_between(a.latitude, a.longitude, b.latitude, b.longitude)
        gap = max(a.first, b.first) - min(a.last, b.last)  # negative when the spans overlap
        if gap < timedelta(hours=km / TRAVEL_KMH):
            seen = f"by {len(a.sources)} and {len(b.sources)} networks"
            detail = f"seen {km:.0f} km apart at the same time, {seen}"
            return a.sources | b.sources, detail
    return None


def as_places(rows: Iterable[Sequence[Any]]) -> list[Place]:
    """Places from rows of (latitude, longitude, scanned_at, source) as the scans table holds them."""
    return [
        Place(float(lat), float(lon), at.replace(tzinfo=UTC) if at.tzinfo is None else at, str(source))
        for lat, lon, at, source in rows
    ]
