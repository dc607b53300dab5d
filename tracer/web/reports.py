"""``/report``: a shopper reports a suspected fake (``tracer.scans.reports``), from the counterfeit page or
any package page; no account, CSRF-protected, limited per network prefix; it reaches the inspectors' queue."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import StringField, TextAreaField

from tracer.inspection.dashboard import store_photo
from tracer.platform import db, ratelimit
from tracer.platform.errors import InvalidInput
from tracer.platform.services import services
from tracer.scans import reports, sources
from tracer.web import feedback
from tracer.web.flow import keep_language
from tracer.web.forms import CheckedForm

bp = Blueprint("reports", __name__)
keep_language(bp)


class ReportForm(CheckedForm):
    code = StringField(_l("Code on the package (if there is one)"), render_kw={"maxlength": 300})
    what = TextAreaField(_l("What looks wrong"), render_kw={"rows": 4, "maxlength": 1000, "required": True})
    place = StringField(_l("Where you saw it (shop, market)"), render_kw={"maxlength": 200})
    province = StringField(_l("Province or city"), render_kw={"maxlength": 100})
    photo = FileField(_l("A photo (optional: JPEG, PNG or WebP, at most 900 KB)"),
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})  # fmt: skip


@bp.route("/report", methods=["GET", "POST"])
def report() -> Response | tuple[str, int] | str:
    form = ReportForm()
    if request.method == "GET":
        form.code.data = request.args.get("code", "")[:300]
        return render_template("report.html", form=form, done=False)
    if not form.validate_on_submit():
        return render_template("report.html", form=form, done=False), 422
    address = request.remote_addr or ""
    limit = ratelimit.Limit("fake-report", *reports.REPORT_LIMIT)
    ratelimit.enforce(limit, "report:" + sources.network_prefix(address))
    try:
        text = reports.check_report(
            code=form.code.data or "",
            what=form.what.data or "",
            place=form.place.data or "",
            province=form.province.data or "",
        )
        digest = None
        upload = form.photo.data
        if upload is not None and str(getattr(upload, "filename", "") or ""):  # a file was chosen
            data = upload.read(1_000_000)
            digest = store_photo(Path(current_app.instance_path) / "photos", data, upload.mimetype or "")
    except InvalidInput as error:
        feedback.from_domain(form, error)
        return render_template("report.html", form=form, done=False), 422
    source = sources.source_of(services().settings.secret_key, address)
    with db.writer() as session:
        reports.record_report(session, text, source=source, photo_sha256=digest)
    return render_template("report.html", form=ReportForm(formdata=None), done=True)
