"""Anomalies for inspectors and producers: over-scanned codes, unknown codes scanned, recalled packages still
scanned, and codes seen in places too far apart (``tracer.scans.recorder`` records what these are read
from)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlmodel import Session

from tracer.codes import gs1
from tracer.platform.services import services
from tracer.scans.recorder import FLAGS, ORGANISATIONS, PACKAGES, PRODUCTS, SCANS, SOURCES

__all__ = ["Anomaly", "anomalies"]


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


@dataclass(frozen=True)
class Anomaly:
    """A sign that something is wrong with a code: ``kind`` is over_scanned | unknown_code |
    recalled_scanned | travel."""

    kind: str
    count: int
    first_at: datetime
    last_at: datetime
    serial: str | None = None
    code: str | None = None
    lot_id: str | None = None
    product_id: int | None = None
    product_name: str | None = None
    organisation_id: int | None = None
    province: str | None = None
    detail: str = ""


def _threshold() -> int:
    try:
        return int(services().settings.scan_warning_threshold)
    except (RuntimeError, KeyError):
        return 50


def anomalies(session: Session, *, province: str | None = None, since: datetime | None = None,
              until: datetime | None = None, organisation_id: int | None = None,
              threshold: int | None = None) -> list[Anomaly]:  # fmt: skip
    """Over-scanned codes, unknown codes scanned, recalled packages scanned, codes seen too far apart.

    ``province`` matches the producer's province (or, for an unknown code naming none of our products, the
    province the scanner shared); ``since``/``until`` bound the scan times; ``organisation_id`` keeps the
    anomalies about that organisation's products (unknown codes count when their GTIN is one of them).
    Newest first.
    """
    limit = threshold if threshold is not None else _threshold()
    conn = session.connection()
    owner = (
        PACKAGES.c.serial,
        PACKAGES.c.lot_id,
        PRODUCTS.c.id,
        PRODUCTS.c.name,
        ORGANISATIONS.c.id,
        ORGANISATIONS.c.province,
    )
    found: list[Anomaly] = []

    def of_package(serial_column: Any, *extra: Any) -> Select[Any]:
        return (
            select(*owner, *extra)
            .select_from(serial_column.table)
            .join(PACKAGES, PACKAGES.c.serial == serial_column)
            .join(PRODUCTS, PRODUCTS.c.id == PACKAGES.c.product_id)
            .join(ORGANISATIONS, ORGANISATIONS.c.id == PRODUCTS.c.organisation_id)
        )

    def scoped(query: Select[Any], at: Any) -> Select[Any]:
        if since is not None:
            query = query.where(at >= since)
        if until is not None:
            query = query.where(at < until)
        if province is not None:
            query = query.where(ORGANISATIONS.c.province == province)
        if organisation_id is not None:
            query = query.where(ORGANISATIONS.c.id == organisation_id)
        return query

    times = (func.count(), func.min(SCANS.c.scanned_at), func.max(SCANS.c.scanned_at))
    recalled = scoped(
        of_package(SCANS.c.serial, *times).where(SCANS.c.outcome == "recalled"), SCANS.c.scanned_at
    ).group_by(*owner)
    found += [_about_package("recalled_scanned", row) for row in conn.execute(recalled)]
    networks = func.count(SOURCES.c.source.distinct())  # distinct visiting networks (tracer.scans.signal)
    seen = (networks, func.min(SOURCES.c.first_at), func.max(SOURCES.c.first_at))
    over = scoped(of_package(SOURCES.c.serial, *seen), SOURCES.c.first_at).group_by(*owner)
    over = over.having(networks > limit)
    over_detail = f"more than {limit} networks"
    found += [_about_package("over_scanned", row, over_detail) for row in conn.execute(over)]
    flagged_at = FLAGS.c.flagged_at
    flagged = (func.count(FLAGS.c.source.distinct()), func.min(flagged_at), func.max(flagged_at))
    travel = scoped(of_package(FLAGS.c.serial, *flagged, func.max(FLAGS.c.detail)), FLAGS.c.flagged_at)
    found += [_about_package("travel", row[:9], row[9]) for row in conn.execute(travel.group_by(*owner))]
    found.extend(_unknown_codes(session, province, since, until, organisation_id))
    return sorted(found, key=lambda a: a.last_at, reverse=True)


def _about_package(kind: str, row: Sequence[Any], detail: str = "") -> Anomaly:
    """An anomaly about one package from a row (serial, lot, product id and name, organisation id and
    province, count, first and last time)."""
    serial, lot, product_id, product_name, organisation_id, province, count, first, last = row
    return Anomaly(kind, count, _aware(first), _aware(last), serial=serial, lot_id=lot, product_id=product_id,
                   product_name=product_name, organisation_id=organisation_id, province=province,
                   detail=detail)  # fmt: skip


def _unknown_codes(session: Session, province: str | None, since: datetime | None, until: datetime | None,
                   organisation_id: int | None) -> list[Anomaly]:  # fmt: skip
    conn = session.connection()
    query = (
        select(
            SCANS.c.code,
            func.count(),
            func.min(SCANS.c.scanned_at),
            func.max(SCANS.c.scanned_at),
            func.max(SCANS.c.province),
        )
        .where(SCANS.c.outcome == "unknown")
        .group_by(SCANS.c.code)
    )
    if since is not None:
        query = query.where(SCANS.c.scanned_at >= since)
    if until is not None:
        query = query.where(SCANS.c.scanned_at < until)
    rows = conn.execute(query).all()
    gtins: dict[str, str | None] = {}
    for row in rows:
        try:
            gtins[row[0]] = gs1.parse_uri(row[0]).gtin
        except gs1.GS1Error:
            gtins[row[0]] = None
    wanted = sorted({g for g in gtins.values() if g})
    owners: dict[str, tuple[int, str, int, str]] = {}
    if wanted:
        for gtin, pid, name, oid, prov in conn.execute(
            select(
                PRODUCTS.c.gtin, PRODUCTS.c.id, PRODUCTS.c.name, ORGANISATIONS.c.id, ORGANISATIONS.c.province
            )
            .join(ORGANISATIONS, ORGANISATIONS.c.id == PRODUCTS.c.organisation_id)
            .where(PRODUCTS.c.gtin.in_(wanted))
        ):
            owners[gtin] = (pid, name, oid, prov)
    out = []
    for code, count, first, last, scan_province in rows:
        gtin = gtins.get(code)
        pid, name, oid, prov = (
            owners.get(gtin, (None, None, None, scan_province)) if gtin else (None, None, None, scan_province)
        )
        if organisation_id is not None and oid != organisation_id:
            continue
        if province is not None and province not in (prov, scan_province):
            continue
        out.append(
            Anomaly(
                "unknown_code",
                count,
                _aware(first),
                _aware(last),
                code=code,
                product_id=pid,
                product_name=name,
                organisation_id=oid,
                province=prov,
                detail="a code we never issued",
            )
        )
    return out
