"""Anomalies for inspectors and producers: over-scanned codes, unknown codes scanned, recalled packages still
scanned, and codes seen in places too far apart (``tracer.scans.recorder`` records what these are read
from). Unknown codes come grouped, one row per product their GTIN names (one per province for codes naming
none of ours), and the list comes a page at a time, counted and read in the database: made-up codes by
the thousand make one row, never thousands (``docs/anomalies.md``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, case, false, func, or_, select
from sqlmodel import Session

from tracer.platform import bounds
from tracer.platform.errors import InvalidInput
from tracer.platform.services import services
from tracer.scans.recorder import FLAGS, ORGANISATIONS, PACKAGES, PRODUCTS, SCANS, SOURCES

__all__ = ["EXAMPLES", "PAGE_SIZE", "Anomaly", "AnomalyPage", "anomalies", "page_number"]

PAGE_SIZE = 50  # rows on a page of the list
EXAMPLES = 5  # codes shown for a group of unknown codes


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


@dataclass(frozen=True)
class Anomaly:
    """A sign that something is wrong with a code: ``kind`` is over_scanned | unknown_code |
    recalled_scanned | travel.

    An ``unknown_code`` anomaly is a group: the codes we never issued that name one product (by its GTIN),
    or, for codes naming none of ours, those scanned in one province; ``codes`` says how many distinct codes,
    ``count`` how many scans, ``examples`` a few of the codes."""

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
    codes: int = 0
    examples: tuple[str, ...] = ()
    gtin: str | None = None  # the product's GTIN, for a group of unknown codes naming it


@dataclass(frozen=True)
class AnomalyPage:
    """One page of the anomaly list, newest first: ``rows`` (at most ``size``), and how many in all."""

    rows: list[Anomaly]
    total: int
    page: int
    size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def previous(self) -> int | None:
        return self.page - 1 if self.page > 1 else None

    @property
    def next(self) -> int | None:
        return self.page + 1 if self.page < self.pages else None


@dataclass(frozen=True)
class _Kind:
    """One kind's query, the position of its last-seen column, and how a row becomes an Anomaly."""

    query: Select[Any]
    last: int
    build: Callable[[Sequence[Any]], Anomaly]


def _threshold() -> int:
    try:
        return int(services().settings.scan_warning_threshold)
    except (RuntimeError, KeyError):
        return 50


def anomalies(session: Session, *, province: str | None = None, since: datetime | None = None,
              until: datetime | None = None, organisation_id: int | None = None,
              threshold: int | None = None, page: int = 1, size: int = PAGE_SIZE,
              extra: Sequence[Anomaly] = (), place: str | None = None) -> AnomalyPage:  # fmt: skip
    """Over-scanned codes, unknown codes scanned, recalled packages scanned, codes seen too far apart: a page.

    ``province`` matches the producer's province (or, for an unknown code naming none of our products, the
    province the scanner shared); ``since``/``until`` bound the scan times; ``organisation_id`` keeps the
    anomalies about that organisation's products (unknown codes count when their GTIN is one of them).
    ``extra``: anomalies found elsewhere (the inspectors' expired certificates), listed with these.
    ``place`` keeps what was scanned in that province (``scans.province``, from the scan's coarse location,
    ``tracer.scans.places``) in the window: the package's scans there, or the unknown codes scanned there.
    Newest first; ``page`` counts from 1 (past the last page: the last page). Each kind is counted and read
    in the database (at most ``page * size`` rows of each), unknown codes grouped per product or province.
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
        if place is not None:
            query = query.where(PACKAGES.c.serial.in_(_scanned_in(place, since, until)))
        return query

    times = (func.count(), func.min(SCANS.c.scanned_at), func.max(SCANS.c.scanned_at))
    recalled = scoped(
        of_package(SCANS.c.serial, *times).where(SCANS.c.outcome == "recalled"), SCANS.c.scanned_at
    )
    if place is not None:  # only the scans made there are counted
        recalled = recalled.where(SCANS.c.province == place)
    recalled = recalled.group_by(*owner)
    networks = func.count(SOURCES.c.source.distinct())  # distinct visiting networks (tracer.scans.signal)
    seen = (networks, func.min(SOURCES.c.first_at), func.max(SOURCES.c.first_at))
    over = scoped(of_package(SOURCES.c.serial, *seen), SOURCES.c.first_at).group_by(*owner)
    over = over.having(networks > limit)
    flagged_at = FLAGS.c.flagged_at
    flagged = (func.count(FLAGS.c.source.distinct()), func.min(flagged_at), func.max(flagged_at))
    travel = scoped(of_package(FLAGS.c.serial, *flagged, func.max(FLAGS.c.detail)), FLAGS.c.flagged_at)
    travel = travel.group_by(*owner)

    def travelled(row: Sequence[Any]) -> Anomaly:
        return _about_package("travel", row[:9], row[9])

    kinds = (
        _Kind(recalled, 8, lambda row: _about_package("recalled_scanned", row)),
        _Kind(over, 8, lambda row: _about_package("over_scanned", row, f"more than {limit} networks")),
        _Kind(travel, 8, travelled),
        _Kind(_unknown_groups(province, since, until, organisation_id, place), 8, _unknown_group),
    )
    size = max(1, size)

    def newest(page: int) -> tuple[list[Anomaly], int]:
        found = sorted(extra, key=lambda a: (a.serial or "", a.code or "", a.product_id or 0))
        total = len(extra)
        for kind in kinds:
            rows, count = _newest(conn, kind, page * size)
            found += [kind.build(row) for row in rows]
            total += count
        # Stable: rows of one kind with the same time keep the database's order, the same for every page.
        found.sort(key=lambda a: (a.last_at, a.kind), reverse=True)
        return found, total

    page = max(1, page)
    if page > 1:  # counted first, so that a page far past the end does not read every row: the last page
        total = len(extra) + sum(_count(conn, kind.query) for kind in kinds)
        page = min(page, max(1, -(-total // size)))
    found, total = newest(page)
    shown = found[(page - 1) * size : page * size]
    groups = [a for a in shown if a.kind == "unknown_code" and a.serial is None]
    described = iter(_with_examples(conn, groups, province, since, until, place))
    rows = [next(described) if a.kind == "unknown_code" and a.serial is None else a for a in shown]
    return AnomalyPage(rows, total, page, size)


def page_number(args: Mapping[str, str]) -> int:
    """The ``page`` of a request's query (1 when absent); InvalidInput naming it unless a whole number."""
    raw = (args.get("page") or "").strip()
    if not raw:
        return 1
    try:
        return bounds.whole_number(raw, low=1, high=bounds.DB_INT_MAX)
    except bounds.OutOfBounds as fault:
        raise fault.refusal(InvalidInput, "page") from None


def _count(conn: Connection, query: Select[Any]) -> int:
    return int(conn.execute(select(func.count()).select_from(query.subquery())).scalar_one())


def _newest(conn: Connection, kind: _Kind, limit: int) -> tuple[list[Sequence[Any]], int]:
    """The ``limit`` newest rows of ``kind`` and how many rows it has, in one statement (a window count).
    The order is the same at every call (ties broken by every other column), so that consecutive pages
    neither repeat nor skip a row."""
    rows = kind.query.subquery()
    columns = list(rows.c)
    ordered = select(rows, func.count().over()).order_by(columns[kind.last].desc(), *columns).limit(limit)
    found = [tuple(row) for row in conn.execute(ordered)]
    return [row[:-1] for row in found], (int(found[0][-1]) if found else 0)


def _about_package(kind: str, row: Sequence[Any], detail: str = "") -> Anomaly:
    """An anomaly about one package from a row (serial, lot, product id and name, organisation id and
    province, count, first and last time)."""
    serial, lot, product_id, product_name, organisation_id, province, count, first, last = row
    return Anomaly(kind, count, _aware(first), _aware(last), serial=serial, lot_id=lot, product_id=product_id,
                   product_name=product_name, organisation_id=organisation_id, province=province,
                   detail=detail)  # fmt: skip


def _scanned_in(place: str, since: datetime | None, until: datetime | None) -> Select[Any]:
    """The serials scanned in province ``place`` in the window."""
    query = select(SCANS.c.serial).where(SCANS.c.province == place, SCANS.c.serial.is_not(None))
    if since is not None:
        query = query.where(SCANS.c.scanned_at >= since)
    if until is not None:
        query = query.where(SCANS.c.scanned_at < until)
    return query


def _unknown_scans(query: Select[Any], place: Any, province: str | None, since: datetime | None,
                   until: datetime | None, organisation_id: int | None,
                   scanned_in: str | None = None) -> Select[Any]:  # fmt: skip
    """``query`` over the unknown scans in the window, each joined to the product its GTIN names (if any)."""
    query = (
        query.select_from(SCANS)
        .outerjoin(PRODUCTS, PRODUCTS.c.gtin == SCANS.c.gtin)
        .outerjoin(ORGANISATIONS, ORGANISATIONS.c.id == PRODUCTS.c.organisation_id)
        .where(SCANS.c.outcome == "unknown")
    )
    if since is not None:
        query = query.where(SCANS.c.scanned_at >= since)
    if until is not None:
        query = query.where(SCANS.c.scanned_at < until)
    if organisation_id is not None:
        query = query.where(ORGANISATIONS.c.id == organisation_id)
    if province is not None:
        query = query.where(or_(place == province, SCANS.c.province == province))
    if scanned_in is not None:
        query = query.where(SCANS.c.province == scanned_in)
    return query


def _unknown_groups(province: str | None, since: datetime | None, until: datetime | None,
                    organisation_id: int | None, scanned_in: str | None = None) -> Select[Any]:  # fmt: skip
    """Unknown codes grouped in the database: one row per product their GTIN names, and one per province
    (the scanner's) for codes naming none of our products, however many codes there are. Columns: product
    id, name and GTIN, organisation id, province, distinct codes, scans, first and last time."""
    place = _place()
    columns = (
        PRODUCTS.c.id,
        PRODUCTS.c.name,
        PRODUCTS.c.gtin,
        ORGANISATIONS.c.id,
        place,
        func.count(SCANS.c.code.distinct()),
        func.count(),
        func.min(SCANS.c.scanned_at),
        func.max(SCANS.c.scanned_at),
    )
    query = _unknown_scans(select(*columns), place, province, since, until, organisation_id, scanned_in)
    return query.group_by(PRODUCTS.c.id, PRODUCTS.c.name, PRODUCTS.c.gtin, ORGANISATIONS.c.id, place)


def _place() -> Any:
    """Where an unknown code is counted: its product's province, or where it was scanned if it names none."""
    return case((PRODUCTS.c.id.is_(None), SCANS.c.province), else_=ORGANISATIONS.c.province)


def _unknown_group(row: Sequence[Any]) -> Anomaly:
    product_id, product_name, gtin, organisation_id, place, codes, count, first, last = row
    return Anomaly("unknown_code", int(count), _aware(first), _aware(last), product_id=product_id,
                   product_name=product_name, organisation_id=organisation_id, province=place,
                   codes=int(codes), gtin=gtin, detail="codes we never issued")  # fmt: skip


def _with_examples(conn: Connection, groups: list[Anomaly], province: str | None, since: datetime | None,
                   until: datetime | None, scanned_in: str | None = None) -> list[Anomaly]:  # fmt: skip
    """``groups`` with a few of their codes each: the distinct codes among the group's latest scans. A
    product's are read newest first through the index on ``scans (gtin, scanned_at)``, one short statement
    per product shown; the provinces' in one statement, ranked by a window function."""

    def window(query: Select[Any]) -> Select[Any]:
        query = query.where(SCANS.c.outcome == "unknown")
        if scanned_in is not None:
            query = query.where(SCANS.c.province == scanned_in)
        if since is not None:
            query = query.where(SCANS.c.scanned_at >= since)
        if until is not None:
            query = query.where(SCANS.c.scanned_at < until)
        return query

    found: dict[tuple[int | None, str | None], list[str]] = {}
    for group in groups:
        if group.product_id is None:
            continue
        query = window(select(SCANS.c.code)).where(SCANS.c.gtin == group.gtin)
        if province is not None and group.province != province:  # only the scans made there count
            query = query.where(SCANS.c.province == province)
        latest = query.order_by(SCANS.c.scanned_at.desc()).limit(EXAMPLES * 20)
        found[(group.product_id, None)] = list(conn.execute(latest).scalars())
    places = {group.province for group in groups if group.product_id is None}
    if places:
        known = [place for place in places if place is not None]
        where = or_(SCANS.c.province.in_(known), SCANS.c.province.is_(None) if None in places else false())
        ours = select(PRODUCTS.c.id).where(PRODUCTS.c.gtin == SCANS.c.gtin).exists()
        rank = func.row_number().over(partition_by=SCANS.c.province, order_by=SCANS.c.scanned_at.desc())
        scans = window(select(SCANS.c.province, SCANS.c.code, rank.label("n"))).where(~ours, where).subquery()
        latest = select(scans.c.province, scans.c.code).where(scans.c.n <= EXAMPLES * 20).order_by(scans.c.n)
        for row in conn.execute(latest):
            found.setdefault((None, row.province), []).append(row.code)
    described = []
    for group in groups:
        codes = found.get((group.product_id, None if group.product_id is not None else group.province), [])
        described.append(replace(group, examples=tuple(list(dict.fromkeys(codes))[:EXAMPLES])))
    return described
