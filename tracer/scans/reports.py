"""Shoppers' reports of suspected fakes (issue #20, item 6): recorded for the inspectors' queue.

Anyone may report, without an account, from the counterfeit page or any package page: what they saw, where
(optional), a photo (optional, kept like inspection photos: ``tracer.inspection`` stores it by its SHA-256).
Reports are limited per network prefix (``REPORT_LIMIT`` per hour for one /24 or /64), so a few clients cannot
bury the queue. A report is never shown to the public and never changes a verdict: it tells inspectors
where to look.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, func, select

from tracer.codes.serials import SerialError, normalise_serial
from tracer.models.lots import Package
from tracer.models.scans import FakeReport
from tracer.platform.bounds import text_fault
from tracer.platform.errors import InvalidInput

__all__ = ["REPORT_LIMIT", "ReportPage", "ReportText", "check_report", "record_report", "recent_reports"]

REPORT_LIMIT = (5, 3600)  # reports per network prefix: (count, seconds)
PAGE_SIZE = 50


def _text(
    value: str, field: str, limit: int, *, required: bool = False, multiline: bool = False
) -> str | None:
    value = (value or "").strip()
    if not value:
        if required:
            raise InvalidInput(f"{field} is required", field=field)
        return None
    if len(value) > limit:
        raise InvalidInput(f"{field} is longer than {limit} characters", field=field)
    fault = text_fault(value, multiline=multiline)
    if fault is not None:
        raise InvalidInput(f"{field}: {fault}", field=field)
    return value


def _serial_of(session: Session, code: str) -> str | None:
    """Our serial in ``code`` (a serial typed with or without dashes, or a code's last path segment)."""
    tail = code.rstrip("/").rsplit("/", 1)[-1]
    try:
        serial = normalise_serial(tail)
    except SerialError:
        return None
    return serial if session.get(Package, serial) is not None else None


@dataclass(frozen=True)
class ReportText:
    """A report's words, checked (``check_report``): nothing is stored until they are."""

    code: str
    what: str
    place: str | None
    province: str | None


def check_report(*, code: str, what: str, place: str, province: str) -> ReportText:
    """The report's texts within bounds; InvalidInput naming the field if something is wrong. Called before
    anything is kept (the photo included), so a refused report leaves nothing behind."""
    return ReportText(
        code=_text(code, "code", 300) or "",
        what=_text(what, "what", 1000, required=True, multiline=True) or "",
        place=_text(place, "place", 200),
        province=_text(province, "province", 100),
    )


def record_report(session: Session, text: ReportText, *, source: str,
                  photo_sha256: str | None = None) -> FakeReport:  # fmt: skip
    """Add one checked report (the caller commits)."""
    report = FakeReport(code=text.code, what=text.what, place=text.place, province=text.province,
                        photo_sha256=photo_sha256, source=source)  # fmt: skip
    report.serial = _serial_of(session, report.code) if report.code else None
    session.add(report)
    session.flush()
    return report


@dataclass(frozen=True)
class ReportPage:
    rows: list[FakeReport]
    total: int
    page: int
    pages: int


def recent_reports(session: Session, *, since: datetime | None = None, page: int = 1,
                   province: str | None = None) -> ReportPage:  # fmt: skip
    """The newest reports first, a page of ``PAGE_SIZE``; ``province``: those reported there."""
    query = select(FakeReport)
    counted = select(func.count()).select_from(FakeReport)
    if since is not None:
        query = query.where(col(FakeReport.reported_at) >= since)
        counted = counted.where(col(FakeReport.reported_at) >= since)
    if province is not None:
        query = query.where(col(FakeReport.province) == province)
        counted = counted.where(col(FakeReport.province) == province)
    total = int(session.exec(counted).one())
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = session.exec(
        query.order_by(col(FakeReport.reported_at).desc(), col(FakeReport.id).desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    ).all()
    return ReportPage(list(rows), total, page, pages)
