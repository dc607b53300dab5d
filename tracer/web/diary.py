"""The console's zone page, /console/zones/<id>: the zone's farm diary (nhật ký canh tác) and its form.

The form builds a ``tracer.events.commands.DiaryEntry`` and records it as the console's other forms do
(``tracer.web.flow.attempt``); the page after saving is the ledger receipt. A zone of another organisation is
not found (404), as the domain says.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, redirect, render_template, url_for
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlmodel import Session
from wtforms import RadioField, StringField, TextAreaField

from tracer.accounts.auth import current_actor
from tracer.events import commands
from tracer.events import diary as farm_diary
from tracer.events.dispatch import record
from tracer.events.pipeline import Recorded
from tracer.models.accounts import Role
from tracer.platform import db
from tracer.platform.clock import today
from tracer.web.flow import Refused, attempt, guard
from tracer.web.forms import DAY, CheckedForm, blank, day, options, submitted_status, today_iso

bp = Blueprint("diary", __name__, url_prefix="/console/zones")
guard(bp)

KINDS = (
    ("fertiliser", _l("Fertiliser")),
    ("protection", _l("Plant protection product")),
    ("irrigation", _l("Irrigation")),
    ("care", _l("Other care")),
)


class DiaryForm(CheckedForm):
    kind = RadioField(
        _l("What was done"), choices=options(KINDS), default="fertiliser", validate_choice=False
    )
    applied_on = StringField(_l("Date"), default=today_iso, render_kw=DAY)
    product = StringField(
        _l("Product (name as registered)"), render_kw={"placeholder": "Amistar Top 325SC", "maxlength": 200}
    )
    dose = StringField(_l("Dose"), render_kw={"placeholder": "10 ml / bình 16 l", "maxlength": 100})
    phi_days = StringField(
        _l("Pre-harvest interval (days)"),
        render_kw={"inputmode": "numeric", "pattern": "[0-9]*", "maxlength": 3, "placeholder": "7"},
    )
    notes = TextAreaField(_l("Notes"), render_kw={"rows": 2, "maxlength": 2000})


@bp.route("/<zone_id>", methods=["GET", "POST"])
def zone(zone_id: str) -> Response | tuple[str, int] | str:
    actor = current_actor(Role.PRODUCER)
    org = actor.require_organisation()
    session = db.session()
    found = farm_diary.zone_of(session, org, zone_id)
    form: FlaskForm = DiaryForm()

    def build() -> commands.DiaryEntry:
        return commands.DiaryEntry.model_validate(
            {
                "zone_id": found.id,
                "kind": form.kind.data or "",
                "applied_on": day(form.applied_on.data),
                "product": blank(form.product.data),
                "dose": blank(form.dose.data),
                "phi_days": blank(form.phi_days.data),
                "notes": blank(form.notes.data),
            }
        )

    def act(writer: Session, command: commands.DiaryEntry) -> Recorded:
        return record(session=writer, actor=actor, command=command)

    entries = farm_diary.entries_of(session, found.id)
    context = {"zone": found, "entries": entries, "closed_until": _closed_until(session, found.id)}
    if form.validate_on_submit():
        try:
            recorded = attempt(form, build, act)
        except Refused:
            return render_template("console/zone.html", form=form, **context), 422
        return redirect(url_for("console.receipt", index=recorded.index))  # type: ignore[return-value]
    return render_template("console/zone.html", form=form, **context), submitted_status(form)


def _closed_until(session: Session, zone_id: str) -> date | None:
    """The first day a harvest is allowed again, while today is inside a pre-harvest interval."""
    return farm_diary.harvest_allowed_from(session, zone_id, today())
