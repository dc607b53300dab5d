"""The producer console under /console: a phone-first, Vietnamese-first way to record what happens to lots.

Each form builds the pydantic command of ``tracer.events.commands`` and records it with
``tracer.events.dispatch.record`` inside ``tracer.platform.db.writer()``; the page after saving is the ledger
receipt.
Nothing here decides what is allowed: a producer of one organisation asking about another's lot gets the
domain's answer (not found), shown as a 404 page or next to the field.
"""

from __future__ import annotations

import base64
import binascii
from decimal import Decimal
from typing import Any

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext
from wtforms import Field
from wtforms.fields.choices import SelectChoice

from tracer.accounts.auth import current_actor
from tracer.events import commands
from tracer.events import csv_import as imports
from tracer.models.accounts import Role
from tracer.models.lots import Lot
from tracer.places import units
from tracer.platform import db, numbers
from tracer.platform.i18n import page_language
from tracer.reads import dashboards, summaries
from tracer.scans.anomalies import page_number
from tracer.web import charts, feedback
from tracer.web.flow import guard, review_then_record
from tracer.web.forms import (
    HarvestForm,
    ImportForm,
    PackageForm,
    ProcessForm,
    RecallForm,
    ReceiveForm,
    ShipForm,
    ZoneForm,
    blank,
    day,
    entered,
    options,
    submitted_status,
)

bp = Blueprint("console", __name__, url_prefix="/console")
guard(bp)
LABEL_LAYOUTS = ("a4-3x8", "a4-4x10", "roll-50x30")


@bp.app_template_filter("quantity")
def quantity(value: Decimal | None) -> str:
    """A quantity as the page writes numbers (vi ``1.000``, ``12,5``): the forms read it back the same way."""
    return "" if value is None else numbers.show(numbers.canonical(value), page_language())


@bp.app_template_global("written_number")
def written_number(value: str) -> str:
    """``value`` (``1234.5``) as the page's language writes numbers (vi ``1.234,5``): examples in the text."""
    return numbers.show(Decimal(value), page_language())


@bp.app_template_global("decimal_symbol")
def decimal_symbol() -> str:
    return numbers.decimal_symbol(page_language())


def _org() -> int:
    return current_actor(Role.PRODUCER).require_organisation()


def _lot_choices(lots: list[Lot], empty: str | None = None) -> list[SelectChoice]:
    choices = [("", empty)] if empty else []
    return options(
        choices + [(lot.id, f"{lot.name} · {lot.id} · {quantity(lot.remaining)} {lot.unit}") for lot in lots]
    )


def _product_choices(org: int, empty: str | None) -> list[SelectChoice]:
    products = dashboards.products_of(db.session(), org)
    return options(([("", empty)] if empty is not None else []) + [(str(p.id), p.name) for p in products])


def _own_lot(org: int, lot_id: str) -> Lot:
    """One of this organisation's lots; another's is not found (a 404 page in the reader's language)."""
    return dashboards.lot_of(db.session(), org, lot_id)


def _preselect(org: int) -> str | None:
    """``?lot=`` names one of this organisation's lots."""
    lot_id = request.args.get("lot")
    if lot_id:
        _own_lot(org, lot_id)
    return lot_id


def _save(
    form: Any, template: str, build: Any, aliases: dict[str, Field] | None = None, **context: Any
) -> Response | tuple[str, int] | str:
    """Review, then record, the form's event (``tracer.web.flow.review_then_record``); its receipt after."""
    actor = current_actor(Role.PRODUCER)
    return review_then_record(form, template, build, actor, "console.receipt", aliases, **context)


@bp.get("")
def home() -> str:
    org = _org()
    session = db.session()
    days = dashboards.scans_per_day(session, org)
    return render_template(
        "console/home.html",
        lots=dashboards.lots_of(session, org),
        incoming=dashboards.incoming_lots(session, org),
        chart=charts.bars_by_day(days, title=gettext("Scans per day, last 30 days")),
        scan_total=sum(n for _day, n in days),
        provinces=charts.bars_by_label(
            dashboards.scans_by_province(session, org),
            title=gettext("Scans by province"),
            empty_label=gettext("Unknown"),
        ),
        anomalies=dashboards.anomalies_of(session, org, page=page_number(request.args)),
        expiring=dashboards.expiring_certificates(session, org),
        zones=dashboards.zones_of(session, org),
    )


@bp.get("/lots/<lot_id>")
def lot(lot_id: str) -> str:
    org = _org()
    session = db.session()
    found = _own_lot(org, lot_id)
    return render_template(
        "console/lot.html",
        lot=found,
        events=dashboards.timeline(session, found.id),
        packages=dashboards.package_count(session, found.id),
        shippable=dashboards.shippable(session, found),
        layouts=LABEL_LAYOUTS,
    )


@bp.route("/zones", methods=["GET", "POST"])
def zones() -> Response | tuple[str, int] | str:
    org = _org()
    form = ZoneForm()

    if request.method == "GET":  # a place chosen on /console/places
        form.province.data = form.province.data or request.args.get("province", "")[:100]
        form.commune.data = form.commune.data or request.args.get("commune", "")[:100]

    def build() -> commands.RegisterZone:
        certs = [c.strip() for c in (form.certifications.data or "").split(",") if c.strip()]
        typed = {
            "name": form.name.data or "",
            "crop": form.crop.data or "",
            "address": blank(form.address.data),
            "commune": form.commune.data or "",
            "district": blank(form.district.data),
            "province": form.province.data or "",
            "latitude": entered(form.latitude, optional=True),
            "longitude": entered(form.longitude, optional=True),
            "area_ha": entered(form.area_ha, optional=True),
            "certifications": certs,
        }
        commands.RegisterZone.model_validate(typed)  # each field's own errors first
        place = units.entered(typed["commune"], typed["district"], typed["province"])
        now = {"commune": place.commune, "province": place.province, "district": None}
        return commands.RegisterZone.model_validate({**typed, **now, "former_address": place.former})

    chosen = units.province(form.province.data or "")
    return _save(
        form,
        "console/zones.html",
        build,
        zones=dashboards.zones_of(db.session(), org),
        provinces=units.provinces(),
        communes=units.communes(chosen) if chosen else (),
    )


@bp.route("/harvest", methods=["GET", "POST"])
def harvest() -> Response | tuple[str, int] | str:
    org = _org()
    form = HarvestForm()
    form.zone_id.choices = options(
        (z.id, f"{z.name} · {z.crop}") for z in dashboards.zones_of(db.session(), org)
    )
    form.product_id.choices = _product_choices(org, "—")

    def build() -> commands.Harvest:
        return commands.Harvest.model_validate(
            {
                "zone_id": form.zone_id.data or "",
                "name": form.name.data or "",
                "quantity": entered(form.quantity),
                "unit": form.unit.data or "",
                "harvested_on": day(form.harvested_on.data),
                "product_id": blank(form.product_id.data),
            }
        )

    return _save(form, "console/harvest.html", build)


class _ImportChecked(Exception):
    """A CSV file's lines checked by every rule, raised out of the write transaction so that it rolls back."""

    def __init__(self, rows: list[str], before: dict[str, Any] | None) -> None:
        super().__init__(len(rows))
        self.rows = rows
        self.before = before


@bp.route("/harvest/import", methods=["GET", "POST"])
def harvest_import() -> Response | tuple[str, int] | str:
    """A CSV file of harvests in two steps: its lines are checked by every rule and listed, and a file
    imported before is pointed out; then, confirmed (the file's content sent back base64, so no line break is
    changed on the way and its hash is the file's), every line is signed."""
    actor = current_actor(Role.PRODUCER)
    org = actor.require_organisation()
    form = ImportForm()
    if request.method == "POST" and request.form.get("edit"):
        return render_template("console/import.html", form=ImportForm(formdata=None))
    if not form.validate_on_submit():
        return render_template("console/import.html", form=form), submitted_status(form)
    confirmed = request.form.get("confirm") == "1"
    data = _sent_back(request.form.get("content", "")) if confirmed else _uploaded(form)
    if not data:
        form.file.errors = [gettext("Choose a CSV file.")]
        return render_template("console/import.html", form=form), 422
    try:
        if confirmed:
            again = request.form.get("again") == "1"
            with db.writer() as session:
                recorded = imports.import_harvests(
                    session=session, actor=actor, data=data, language=page_language(), again=again
                )
            return render_template("console/import.html", form=ImportForm(formdata=None), imported=recorded)
        with db.writer() as session:
            checked = imports.import_harvests(
                session=session, actor=actor, data=data, language=page_language(), check_only=True
            )
            rows = [summaries.summary(session, r.body) for r in checked]
            before = imports.imported_before(session, org, data)  # read now: the rollback expires it
            seen = None if before is None else {"imported_at": before.imported_at, "lines": before.lines}
            raise _ImportChecked(rows, seen)
    except imports.ImportRejected as rejected:
        report = [(p.line, p.field, feedback.problem_message(p.error)) for p in rejected.problems]
        return render_template("console/import.html", form=form, report=report), 422
    except _ImportChecked as checked_file:
        fields = [("content", base64.b64encode(data).decode("ascii"))]
        if checked_file.before is not None:
            fields.append(("again", "1"))
        summary = gettext("Import %(n)s harvests from the file.", n=len(checked_file.rows))
        return render_template("console/confirm.html", fields=fields, summary=summary, rows=checked_file.rows,
                               before=checked_file.before, action=request.full_path.rstrip("?"))  # fmt: skip


def _uploaded(form: ImportForm) -> bytes:
    upload = form.file.data
    if upload is None or not getattr(upload, "filename", ""):
        return b""
    return bytes(upload.read())


def _sent_back(content: str) -> bytes:
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        return b""


@bp.route("/receive", methods=["GET", "POST"])
def receive() -> Response | tuple[str, int] | str:
    org = _org()
    form = ReceiveForm()
    form.lot_id.choices = _lot_choices(dashboards.incoming_lots(db.session(), org))

    def build() -> commands.Receive:
        return commands.Receive.model_validate(
            {"lot_id": form.lot_id.data or "", "received_on": day(form.received_on.data)}
        )

    return _save(form, "console/receive.html", build)


@bp.route("/process", methods=["GET", "POST"])
def process() -> Response | tuple[str, int] | str:
    org = _org()
    form = ProcessForm()
    chosen = _preselect(org)
    if chosen and request.method == "GET":
        form.inputs[0].form.lot_id.data = chosen
    lots = _lot_choices(dashboards.usable_lots(db.session(), org), "—")
    products = _product_choices(org, "—")
    for row in form.inputs:
        row.form.lot_id.choices = lots
    for row in form.outputs:
        row.form.product_id.choices = products
    aliases: dict[str, Field] = {}

    def build() -> commands.Transform:
        inputs = [row for row in form.inputs if blank(row.form.lot_id.data) or blank(row.form.quantity.data)]
        outputs = [
            row
            for row in form.outputs
            if any(blank(f.data) for f in (row.form.name, row.form.quantity, row.form.unit))
        ]
        aliases.update({f"inputs[{i}]": row for i, row in enumerate(inputs)})
        aliases.update({f"outputs[{i}]": row for i, row in enumerate(outputs)})
        aliases.setdefault("inputs", form.inputs[0])
        aliases.setdefault("outputs", form.outputs[0])
        return commands.Transform.model_validate(
            {
                "step": form.step.data or "",
                "facility": blank(form.facility.data),
                "processed_on": day(form.processed_on.data),
                "inputs": [
                    {"lot_id": row.form.lot_id.data or "", "quantity": entered(row.form.quantity)}
                    for row in inputs
                ],
                "outputs": [
                    {
                        "name": row.form.name.data or "",
                        "quantity": entered(row.form.quantity),
                        "unit": row.form.unit.data or "",
                        "product_id": blank(row.form.product_id.data),
                    }
                    for row in outputs
                ],
            }
        )

    return _save(form, "console/process.html", build, aliases)


@bp.route("/package", methods=["GET", "POST"])
def package() -> Response | tuple[str, int] | str:
    org = _org()
    form = PackageForm()
    chosen = _preselect(org)
    if chosen and request.method == "GET":
        form.lot_id.data = chosen
    form.lot_id.choices = _lot_choices(dashboards.packable_lots(db.session(), org))
    form.product_id.choices = _product_choices(org, None)

    def build() -> commands.Package:
        return commands.Package.model_validate(
            {
                "lot_id": form.lot_id.data or "",
                "product_id": form.product_id.data or "",
                "count": entered(form.count),
                "net_content": form.net_content.data or "",
                "quantity_used": entered(form.quantity_used, optional=True),
                "packed_on": day(form.packed_on.data),
                "expires_on": day(form.expires_on.data),
            }
        )

    return _save(form, "console/package.html", build)


@bp.route("/ship", methods=["GET", "POST"])
def ship() -> Response | tuple[str, int] | str:
    org = _org()
    form = ShipForm()
    chosen = _preselect(org)
    if chosen and request.method == "GET":
        form.lot_id.data = chosen
    session = db.session()
    form.lot_id.choices = _lot_choices(dashboards.shippable_lots(session, org))
    form.to_organisation_id.choices = options(
        [("", "—")]
        + [(str(o.id), f"{o.name} ({o.province})") for o in dashboards.trading_partners(session, org)]
    )
    aliases: dict[str, Field] = {
        "sale_point": form.sale_point_name,
        "sale_point.name": form.sale_point_name,
        "sale_point.address": form.sale_point_address,
        "sale_point.province": form.sale_point_province,
        "": form.destination,
    }

    def build() -> commands.Ship:
        to_org = sale_point = None
        if form.destination.data == "organisation":
            to_org = blank(form.to_organisation_id.data)
        else:
            sale_point = {
                "name": form.sale_point_name.data or "",
                "address": blank(form.sale_point_address.data),
                "province": form.sale_point_province.data or "",
            }
        return commands.Ship.model_validate(
            {
                "lot_id": form.lot_id.data or "",
                "shipped_on": day(form.shipped_on.data),
                "to_organisation_id": to_org,
                "sale_point": sale_point,
            }
        )

    return _save(form, "console/ship.html", build, aliases)


@bp.route("/recall", methods=["GET", "POST"])
def recall() -> Response | tuple[str, int] | str:
    org = _org()
    form = RecallForm()
    chosen = _preselect(org)
    if chosen and request.method == "GET":
        form.lot_ids.data = [chosen]
    form.lot_ids.choices = options(
        (lot.id, f"{lot.name} · {lot.id}") for lot in dashboards.recallable_lots(db.session(), org)
    )
    aliases: dict[str, Field] = {f"lot_ids[{i}]": form.lot_ids for i in range(100)}

    def build() -> commands.Recall:
        return commands.Recall.model_validate(
            {"lot_ids": form.lot_ids.data or [], "reason": form.reason.data or ""}
        )

    return _save(form, "console/recall.html", build, aliases)


@bp.get("/receipts/<int:index>")
def receipt(index: int) -> str:
    org = _org()
    found = dashboards.receipt(db.session(), index, org)
    return render_template(
        "console/receipt.html",
        receipt=found,
        layouts=LABEL_LAYOUTS,
        lot_id=_receipt_lot(found.body),
        summary=summaries.summary(db.session(), found.body),
    )


def _receipt_lot(body: dict[str, Any]) -> str | None:
    if "lot" in body:
        return str(body["lot"]["id"])
    if body.get("outputs"):
        return str(body["outputs"][0]["id"])
    return body.get("lot_id")


@bp.app_template_global("label_url")
def label_url(lot_id: str, layout: str = "a4-3x8") -> str:
    """The label sheet of a lot (served by the API: ``GET /api/v1/lots/{id}/labels.pdf``)."""
    return f"/api/v1/lots/{lot_id}/labels.pdf?layout={layout}"
