"""``/inspector``: the market inspectors' dashboard (anomalies, inspections, CSV exports) and their photos."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, current_app, redirect, render_template, request, send_from_directory
from werkzeug.wrappers import Response as BaseResponse

from tracer.accounts.auth import current_actor, optional_actor
from tracer.inspection.dashboard import (
    ANOMALY_COLUMNS,
    EXPORT_ROWS,
    anomalies,
    anomaly_cells,
    inspections,
    parse_filters,
    to_csv,
)
from tracer.models.accounts import Role
from tracer.platform import db
from tracer.platform.clock import today
from tracer.platform.errors import NotFound
from tracer.platform.services import services
from tracer.scans.anomalies import page_number
from tracer.scans.reports import recent_reports
from tracer.web import inspector_labels as labels

bp = Blueprint("inspector", __name__, url_prefix="/inspector")
ROLES = (Role.INSPECTOR, Role.AUTHORITY, Role.ADMIN)
PHOTO = re.compile(r"[0-9a-f]{64}\.(jpg|png|webp)")


@bp.app_template_global("anomaly_kind")
def anomaly_kind(kind: str) -> str:
    return labels.kind_name(kind)


@bp.get("")
def dashboard() -> str | BaseResponse:
    if optional_actor() is None:
        return redirect(f"/login?next={request.path}")
    current_actor(*ROLES)
    filters = parse_filters(request.args, today())
    page = page_number(request.args)
    threshold = services().settings.scan_warning_threshold
    session = db.session()
    return render_template(
        "inspector/dashboard.html",
        filters=filters,
        anomalies=anomalies(session, filters, threshold, page=page),
        inspections=inspections(session, filters),
        reports=recent_reports(session, since=filters.start),
        query=request.query_string.decode(),
        pager_args=filters.arguments(),
    )


@bp.get("/anomalies.csv")
def anomalies_csv() -> Response:
    current_actor(*ROLES)
    filters = parse_filters(request.args, today())
    threshold = services().settings.scan_warning_threshold
    found = anomalies(db.session(), filters, threshold, size=EXPORT_ROWS)
    cells = (anomaly_cells(a) for a in found.rows)
    body = to_csv(labels.headings(ANOMALY_COLUMNS), labels.localised(ANOMALY_COLUMNS, cells))
    return _download(body, f"anomalies-{filters.since.isoformat()}-{filters.until.isoformat()}.csv")


@bp.get("/inspections.csv")
def inspections_csv() -> Response:
    current_actor(*ROLES)
    filters = parse_filters(request.args, today())
    rows = inspections(db.session(), filters, limit=100_000)
    header = [
        "ledger_index",
        "inspected_at",
        "inspector",
        "serial",
        "lot_id",
        "product",
        "result",
        "place",
        "province",
        "notes",
        "photo_sha256",
    ]
    cells = ([getattr(r, h) for h in header] for r in rows)
    body = to_csv(labels.headings(header), labels.localised(header, cells))
    return _download(body, f"inspections-{filters.since.isoformat()}-{filters.until.isoformat()}.csv")


@bp.get("/photos/<name>")
def photo(name: str) -> Response:
    current_actor(*ROLES)
    if not PHOTO.fullmatch(name):
        raise NotFound(f"no photo {name}")
    folder = Path(current_app.instance_path) / "photos"
    if not (folder / name).is_file():
        raise NotFound(f"no photo {name}")
    return send_from_directory(folder, name, max_age=86400)


@bp.get("/photos/sha256/<digest>")
def photo_by_hash(digest: str) -> Response:
    """A stored photo by its SHA-256 whatever its type (shoppers' reports keep only the hash)."""
    current_actor(*ROLES)
    folder = Path(current_app.instance_path) / "photos"
    for extension in ("jpg", "png", "webp"):
        name = f"{digest}.{extension}"
        if PHOTO.fullmatch(name) and (folder / name).is_file():
            return send_from_directory(folder, name, max_age=86400)
    raise NotFound(f"no photo {digest}")


def _download(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
