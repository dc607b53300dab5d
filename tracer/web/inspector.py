"""``/inspector``: the market inspectors' dashboard (anomalies, inspections, CSV exports), their photos and
thumbnails, and their signed decisions on the review queues (copy warnings, shoppers' reports of fakes)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from pydantic import ValidationError
from werkzeug.wrappers import Response as BaseResponse

from tracer.accounts.auth import current_actor, optional_actor
from tracer.events import dispatch
from tracer.events.commands import Review
from tracer.events.review import report_digest
from tracer.inspection import thumbnails
from tracer.inspection.dashboard import (
    ANOMALY_COLUMNS,
    EXPORT_ROWS,
    anomalies,
    anomaly_cells,
    inspections,
    parse_filters,
    to_csv,
)
from tracer.inspection.decisions import decisions
from tracer.models.accounts import Role
from tracer.platform import db
from tracer.platform.clock import today
from tracer.platform.errors import NotFound
from tracer.platform.services import services
from tracer.scans.anomalies import page_number
from tracer.scans.places import PROVINCES
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
    actor = current_actor(*ROLES)
    filters = parse_filters(request.args, today())
    page = page_number(request.args)
    threshold = services().settings.scan_warning_threshold
    session = db.session()
    found = anomalies(session, filters, threshold, page=page)
    reports = recent_reports(session, since=filters.start, province=filters.place)
    flagged = [a.serial for a in found.rows if a.kind == "travel" and a.serial]
    return render_template(
        "inspector/dashboard.html",
        filters=filters,
        anomalies=found,
        inspections=inspections(session, filters),
        reports=reports,
        decided=decisions(session, serials=flagged, reports=reports.rows),
        digest_of=report_digest,
        can_decide=actor.role is Role.INSPECTOR,  # a decision is signed by an inspector's own key
        provinces=PROVINCES,
        query=request.query_string.decode(),
        pager_args=filters.arguments(),
    )


@bp.post("/decisions")
def decide() -> BaseResponse:
    """Record an inspector's signed decision on a copy warning or a report (``tracer.events.review``)."""
    actor = current_actor(Role.INSPECTOR)
    form = request.form
    subject = form.get("subject", "")
    fields: dict[str, object] = {"type": "review", "subject": subject, "decision": form.get("decision", "")}
    if form.get("serial"):
        fields["serial"] = form["serial"]
    if form.get("report_id"):
        fields["report_id"] = form["report_id"]
    if form.get("report_sha256"):
        fields["report_sha256"] = form["report_sha256"]
    if form.get("notes", "").strip():
        fields["notes"] = form["notes"]
    try:
        command = Review.model_validate(fields)
    except ValidationError as error:
        raise dispatch.invalid_input(error) from None
    with db.writer() as session:
        recorded = dispatch.record(session=session, actor=actor, command=command)
    anchor = "anomalies" if subject == "copy_flag" else "reports"
    target = url_for("inspector.dashboard", decided=recorded.index, _anchor=anchor)
    return redirect(target, code=303)


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
    """A stored photo by its SHA-256 whatever its type (reports and inspections keep only the hash)."""
    current_actor(*ROLES)
    folder = Path(current_app.instance_path) / "photos"
    found = thumbnails.original(folder, digest)
    if found is None:
        raise NotFound(f"no photo {digest}")
    return send_from_directory(folder, found.name, max_age=86400)


@bp.get("/photos/sha256/<digest>/thumb")
def thumbnail(digest: str) -> Response:
    """A small JPEG of a stored photo, for the lists (``tracer.inspection.thumbnails``)."""
    current_actor(*ROLES)
    folder = Path(current_app.instance_path) / "photos"
    found = thumbnails.thumbnail(folder, digest)
    if found is None:
        raise NotFound(f"no photo {digest}")
    return send_from_directory(found.parent, found.name, mimetype="image/jpeg", max_age=86400)


def _download(body: bytes, filename: str) -> Response:
    response = Response(body, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response
