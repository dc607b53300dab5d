"""Market inspectors: inspection photos, the anomalies dashboard (codes scanned too often, codes never
issued, recalled goods and expired certificates still in the market) and the recorded inspections, with CSV.

Anomalies are ``tracer.scans.anomalies.anomalies`` plus ``expired_in_market``. Photos are stored under
``instance/photos/<sha256>.<ext>``; the inspection event in the ledger carries the SHA-256, so the photo can
be checked against the signed record later.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from tracer.models.accounts import User
from tracer.models.events import Inspection
from tracer.models.lots import Package
from tracer.models.organisations import Organisation
from tracer.models.products import Certificate, Product
from tracer.models.scans import Scan
from tracer.photos import images
from tracer.platform import bounds
from tracer.platform.clock import VIETNAM
from tracer.platform.errors import InvalidInput
from tracer.platform.messages import Message
from tracer.scans.anomalies import PAGE_SIZE, Anomaly, AnomalyPage
from tracer.scans.anomalies import anomalies as scan_anomalies

MAX_PHOTO_BYTES = 900 * 1024
PHOTO_TYPES = {"image/jpeg": ("jpg", "jpeg"), "image/png": ("png", "png"), "image/webp": ("webp", "webp")}
DEFAULT_DAYS = 30
EXPORT_ROWS = 10_000  # anomalies in a CSV export (unknown codes come grouped: one row per product)


def store_photo(folder: Path, data: bytes, content_type: str) -> str:
    """Keep an inspection photo (JPEG, PNG or WebP, at most 900 KB) as ``<sha256>.<ext>``; return the hash."""
    kind = PHOTO_TYPES.get(content_type)
    if kind is None:
        raise InvalidInput("the photo must be a JPEG, PNG or WebP image", field="photo")
    if not data:
        raise InvalidInput("the photo is empty", field="photo")
    if len(data) > MAX_PHOTO_BYTES:
        raise InvalidInput(f"the photo is larger than {MAX_PHOTO_BYTES // 1024} KB", field="photo")
    extension, sniffed = kind
    if images.sniff(data) != sniffed:  # by the magic bytes, as product photos (tracer.photos.images)
        raise InvalidInput(f"the photo is not really a {extension.upper()} image", field="photo")
    digest = hashlib.sha256(data).hexdigest()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{digest}.{extension}"
    if not target.exists():
        temporary = folder / f".{digest}.{os.getpid()}.tmp"
        temporary.write_bytes(data)
        temporary.replace(target)
    return digest


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters: the producer's province (``province``; for inspections, where inspected),
    where a code was scanned, reported or inspected (``place``, ``tracer.scans.places``), and a date range
    (Vietnam days)."""

    province: str | None
    since: date
    until: date
    place: str | None = None

    @property
    def start(self) -> datetime:
        return datetime.combine(self.since, time.min, VIETNAM)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.until + timedelta(days=1), time.min, VIETNAM)

    def arguments(self) -> dict[str, str]:
        """These filters as query arguments (for the links of another page of the list)."""
        found = {"since": self.since.isoformat(), "until": self.until.isoformat()}
        found |= {"province": self.province} if self.province else {}
        return found | ({"place": self.place} if self.place else {})


def parse_filters(args: Any, today: date) -> Filters:
    """Filters from the query: ``province``, ``since``, ``until`` (yyyy-mm-dd, from 2000 to a year ahead:
    ``tracer.platform.bounds``); InvalidInput naming one."""

    def day(name: str, default: date) -> date:
        raw = (args.get(name) or "").strip()
        if not raw:
            return default
        try:
            value = date.fromisoformat(raw)
        except ValueError:
            raise InvalidInput(f"{name} must be a date such as 2025-01-31", field=name) from None
        fault = bounds.day_fault(value, years_ahead=1)
        if fault is not None:
            raise fault.refusal(InvalidInput, name)
        return value

    until = day("until", today)
    since = day("since", max(until - timedelta(days=DEFAULT_DAYS), bounds.EARLIEST))
    if since > until:
        raise InvalidInput(Message.DATES_REVERSED, field="since")
    province = (args.get("province") or "").strip()[:100] or None
    place = (args.get("place") or "").strip()[:100] or None
    return Filters(province=province, since=since, until=until, place=place)


def expired_in_market(session: Session, filters: Filters) -> list[Anomaly]:
    """Packages scanned in the window although their product's newest OCOP certificate had expired."""
    newest = (
        select(Certificate.product_id, func.max(Certificate.valid_until).label("valid_until"))
        .group_by(col(Certificate.product_id))
        .subquery()
    )
    package = (
        col(Scan.serial),
        col(Package.lot_id),
        col(Product.id),
        col(Product.name),
        col(Organisation.id),
        col(Organisation.province),
        newest.c.valid_until,
    )
    query = (
        sa_select(
            *package,
            func.count(),
            func.min(col(Scan.scanned_at)),
            func.max(col(Scan.scanned_at)),
        )
        .select_from(Scan)
        .join(Package, col(Package.serial) == col(Scan.serial))
        .join(Product, col(Product.id) == col(Package.product_id))
        .join(Organisation, col(Organisation.id) == col(Product.organisation_id))
        .join(newest, newest.c.product_id == col(Product.id))
        .where(
            col(Scan.scanned_at) >= filters.start,
            col(Scan.scanned_at) < filters.end,
            newest.c.valid_until < filters.until,
        )
        .group_by(*package)
    )
    if filters.province:
        query = query.where(col(Organisation.province) == filters.province)
    if filters.place:
        query = query.where(col(Scan.province) == filters.place)
    found = []
    for (
        serial,
        lot,
        pid,
        name,
        oid,
        province,
        valid_until,
        count,
        first,
        last,
    ) in session.connection().execute(query):
        first_at, last_at = _aware(first), _aware(last)
        if valid_until >= last_at.astimezone(VIETNAM).date():
            continue  # every scan was made while the certificate was still valid
        found.append(
            Anomaly(
                "expired_certificate",
                int(count),
                first_at,
                last_at,
                serial=serial,
                lot_id=lot,
                product_id=pid,
                product_name=name,
                organisation_id=oid,
                province=province,
                detail=f"certificate valid until {valid_until.strftime('%d/%m/%Y')}",
            )
        )
    return found


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def anomalies(session: Session, filters: Filters, threshold: int, *, page: int = 1,
              size: int = PAGE_SIZE) -> AnomalyPage:  # fmt: skip
    """Over-scanned codes, unknown codes (grouped per product), recalled goods still scanned, copied codes
    (``tracer.scans.recorder``) and expired certificates in the market; newest first, one page."""
    return scan_anomalies(session, province=filters.province, since=filters.start, until=filters.end,
                          threshold=threshold, page=page, size=size, place=filters.place,
                          extra=expired_in_market(session, filters))  # fmt: skip


ANOMALY_COLUMNS = ("kind", "serial", "code", "lot_id", "product_name", "province", "count", "codes",
                   "examples", "first_at", "last_at", "detail")  # fmt: skip


def anomaly_cells(anomaly: Anomaly) -> list[Any]:
    """A CSV row of ``anomaly`` (``ANOMALY_COLUMNS``): a group of unknown codes gives its examples, space
    separated."""
    return [
        " ".join(anomaly.examples) if name == "examples" else getattr(anomaly, name)
        for name in ANOMALY_COLUMNS
    ]


@dataclass(frozen=True)
class InspectionRow:
    ledger_index: int
    inspected_at: datetime
    inspector: str
    serial: str | None
    lot_id: str | None
    product: str | None
    result: str
    place: str
    province: str | None
    notes: str | None
    photo_sha256: str | None


def inspections(session: Session, filters: Filters, limit: int = 500) -> list[InspectionRow]:
    """Recorded inspections in the window (newest first), with the inspector's name and the product."""
    where = [col(Inspection.inspected_at) >= filters.start, col(Inspection.inspected_at) < filters.end]
    if filters.province:
        where.append(col(Inspection.province) == filters.province)
    if filters.place:
        where.append(col(Inspection.province) == filters.place)
    rows = session.exec(
        select(Inspection, User.full_name, Product.name)
        .join(User, col(User.id) == col(Inspection.inspector_user_id), isouter=True)
        .join(Package, col(Package.serial) == col(Inspection.serial), isouter=True)
        .join(Product, col(Product.id) == col(Package.product_id), isouter=True)
        .where(*where)
        .order_by(col(Inspection.ledger_index).desc())
        .limit(limit)
    ).all()
    return [
        InspectionRow(
            ledger_index=i.ledger_index,
            inspected_at=i.inspected_at,
            inspector=name or "",
            serial=i.serial,
            lot_id=i.lot_id,
            product=product,
            result=i.result,
            place=i.place,
            province=i.province,
            notes=i.notes,
            photo_sha256=i.photo_sha256,
        )
        for i, name, product in rows
    ]


def to_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV in UTF-8 with a byte-order mark so that Excel shows Vietnamese as written; dates dd/mm/yyyy."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value)
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
