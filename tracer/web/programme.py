"""The programme console under /programme (OCOP programme office and admins).

Onboarding organisations (each gets a custodial signing key registered in the ledger), their products,
people (producer members, office staff, inspectors with keys of their own), revoking a person's API tokens
(only the person makes them, at ``/account/tokens``), OCOP certificates (a ``certify`` event in the
ledger) and key rotation. Producers get a 403 page.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext
from pydantic import ValidationError
from sqlmodel import Session
from wtforms.fields.choices import SelectChoice

from tracer.accounts import tokens
from tracer.accounts.actors import Actor
from tracer.accounts.auth import current_actor
from tracer.accounts.users import create_user
from tracer.events import commands
from tracer.events.onboarding import (
    NewOrganisation,
    NewProduct,
    RotationReason,
    create_product,
    keys_of,
    onboard_organisation,
    organisation,
    register_inspector,
    rotate_key,
)
from tracer.models.accounts import Role, User
from tracer.models.organisations import Organisation, OrgKind
from tracer.platform import db
from tracer.platform.errors import Forbidden, InvalidInput
from tracer.platform.messages import Message
from tracer.platform.services import services
from tracer.reads import dashboards, summaries
from tracer.web import feedback
from tracer.web.flow import Refused, attempt, guard, review_then_record
from tracer.web.forms import blank, day, options, submitted_status
from tracer.web.programme_forms import (
    ActionForm,
    CertificateForm,
    InspectorForm,
    OrganisationForm,
    ProductForm,
    RotateForm,
    UserForm,
)

bp = Blueprint("programme", __name__, url_prefix="/programme")
guard(bp)
Page = Response | tuple[str, int] | str


@bp.before_request
def _office_only() -> None:
    _actor()


def _actor() -> Actor:
    actor = current_actor()
    if actor.role not in (Role.AUTHORITY, Role.ADMIN):
        raise Forbidden(Message.PROGRAMME_OFFICE_ONLY)
    return actor


def _initial_password() -> str:
    """A first password for a new account, shown once to the office, to be changed at first sign-in."""
    return "ocop-" + secrets.token_urlsafe(12)


def _org_choices(*, optional: bool) -> list[SelectChoice]:
    orgs = [row.organisation for row in dashboards.organisations(db.session())]
    return options(([("", "—")] if optional else []) + [(str(o.id), o.name) for o in orgs])


@bp.get("")
def home() -> str:
    return render_template(
        "console/programme/home.html", rows=dashboards.organisations(db.session()), action=ActionForm()
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
def organisation_new() -> Page:
    actor = _actor()
    form = OrganisationForm()
    if form.validate_on_submit():

        def build() -> NewOrganisation:
            required = ("name", "kind", "commune", "district", "province")
            return NewOrganisation.model_validate(
                {
                    name: (f.data or "") if name in required else blank(f.data)
                    for name, f in form._fields.items()
                    if name != "csrf_token"
                }
            )

        def act(session: Session, command: NewOrganisation) -> Organisation:
            return onboard_organisation(session=session, actor=actor, command=command)

        try:
            org = attempt(form, build, act)
        except Refused:
            return render_template("console/programme/organisation_new.html", form=form), 422
        return redirect(url_for("programme.organisation_page", organisation_id=org.id))  # type: ignore[return-value]
    return render_template("console/programme/organisation_new.html", form=form), submitted_status(form)


def _organisation_page(
    organisation_id: int,
    *,
    product_form: ProductForm | None = None,
    rotate_form: RotateForm | None = None,
    status: int = 200,
    **context: Any,
) -> Page:
    session = db.session()
    org = organisation(session, organisation_id)
    row = next(r for r in dashboards.organisations(session) if r.organisation.id == org.id)
    products = [p for p, o in dashboards.all_products(session) if o.id == org.id]
    members = [u for u, o in dashboards.users(session) if o is not None and o.id == org.id]
    html = render_template(
        "console/programme/organisation.html",
        row=row,
        products=products,
        members=members,
        product_form=product_form or ProductForm(formdata=None),
        rotate_form=rotate_form or RotateForm(formdata=None),
        can_rotate=org.kind != OrgKind.AUTHORITY,
        **context,
    )
    return (html, status) if status != 200 else html


@bp.get("/organisations/<int:organisation_id>")
def organisation_page(organisation_id: int) -> Page:
    rotated = request.args.get("rotated", "")
    message = None
    if re.fullmatch(r"[0-9a-f]{8,64}", rotated):
        message = gettext("New key %(keyid)s registered; the old key is revoked.", keyid=rotated)
    return _organisation_page(organisation_id, message=message)


@bp.post("/organisations/<int:organisation_id>/rotate-key")
def organisation_rotate(organisation_id: int) -> Page:
    """Rotate an organisation's key in two steps: the reason, checked and shown to confirm; then, confirmed
    (the same reason re-posted with CSRF), the new key registered, the reason signed, the old key revoked."""
    actor = _actor()
    session = db.session()
    org = organisation(session, organisation_id)
    form = RotateForm()
    if not form.validate_on_submit():
        return _organisation_page(organisation_id, rotate_form=form, status=422)
    try:
        reason = RotationReason.model_validate({"reason": form.reason.data or ""}).reason
    except ValidationError as error:
        feedback.from_validation(form, error)
        return _organisation_page(organisation_id, rotate_form=form, status=422)
    if request.form.get("confirm") != "1":
        current = [k["keyid"] for k in keys_of(session, org.ledger_owner) if k["revoked_index"] is None]
        summary = gettext(
            "Rotate the signing key %(keyid)s of %(org)s: a new key is registered and this one revoked. "
            "Reason: “%(reason)s”.",
            keyid=", ".join(str(k) for k in current),
            org=org.name,
            reason=reason,
        )
        return render_template("console/confirm.html", summary=summary, fields=[("reason", reason)],
                               action=request.full_path.rstrip("?"), programme=True)  # fmt: skip
    with db.writer() as writing:
        keyid = rotate_key(session=writing, actor=actor, owner=org.ledger_owner, reason=reason)
    return redirect(url_for("programme.organisation_page", organisation_id=organisation_id, rotated=keyid))  # type: ignore[return-value]


@bp.post("/organisations/<int:organisation_id>/products")
def organisation_product(organisation_id: int) -> Page:
    actor = _actor()
    form = ProductForm()
    if not form.validate_on_submit():
        return _organisation_page(organisation_id, product_form=form, status=422)

    def build() -> NewProduct:
        return NewProduct.model_validate(
            {
                "name": form.name.data or "",
                "ocop_group": form.ocop_group.data,
                "gtin": blank(form.gtin.data),
                "unit": form.unit.data or "",
                "shelf_life_days": blank(form.shelf_life_days.data),
                "net_content": blank(form.net_content.data),
                "max_yield": blank(form.max_yield.data),
                "description": blank(form.description.data),
            }
        )

    def act(session: Session, command: NewProduct) -> object:
        prefix = services().settings.gs1_company_prefix  # a GTIN if none is given
        return create_product(session=session, actor=actor, organisation_id=organisation_id, command=command,
                              company_prefix=prefix)  # fmt: skip

    try:
        attempt(form, build, act)
    except Refused:
        return _organisation_page(organisation_id, product_form=form, status=422)
    return redirect(url_for("programme.organisation_page", organisation_id=organisation_id))  # type: ignore[return-value]


@bp.route("/users", methods=["GET", "POST"])
def users() -> Page:
    form = UserForm()
    form.organisation_id.choices = _org_choices(optional=True)
    template = "console/programme/users.html"
    if form.validate_on_submit():
        password = _initial_password()

        def build() -> dict[str, Any]:
            if form.role.data not in (Role.PRODUCER.value, Role.AUTHORITY.value):
                raise InvalidInput(Message.CHOOSE_ROLE, field="role")
            return {
                "email": form.email.data or "",
                "full_name": form.full_name.data or "",
                "role": form.role.data,
                "organisation_id": int(form.organisation_id.data) if form.organisation_id.data else None,
            }

        def act(session: Session, fields: dict[str, Any]) -> User:
            return create_user(session=session, password=password, **fields)

        try:
            user = attempt(form, build, act)
        except Refused:
            return render_template(template, form=form, people=dashboards.users(db.session())), 422
        return render_template("console/programme/secret.html", user=user, password=password)
    return render_template(template, form=form, people=dashboards.users(db.session())), submitted_status(form)


@bp.route("/inspectors/new", methods=["GET", "POST"])
def inspector_new() -> Page:
    actor = _actor()
    form = InspectorForm()
    form.organisation_id.choices = _org_choices(optional=True)
    template = "console/programme/inspector_new.html"
    if form.validate_on_submit():
        password = _initial_password()

        def build() -> dict[str, Any]:
            return {
                "email": form.email.data or "",
                "full_name": form.full_name.data or "",
                "organisation_id": int(form.organisation_id.data) if form.organisation_id.data else None,
            }

        def act(session: Session, fields: dict[str, Any]) -> User:
            return register_inspector(session=session, actor=actor, password=password, **fields)

        try:
            user = attempt(form, build, act)
        except Refused:
            return render_template(template, form=form), 422
        return render_template("console/programme/secret.html", user=user, password=password)
    return render_template(template, form=form), submitted_status(form)


@bp.get("/users/<int:user_id>")
def user_page(user_id: int) -> str:
    session = db.session()
    return render_template(
        "console/programme/user.html",
        user=dashboards.user(session, user_id),
        tokens=dashboards.tokens(session, user_id),
        action=ActionForm(),
    )


@bp.post("/users/<int:user_id>/tokens")
def token_new(user_id: int) -> Page:
    """Gone: a token acts with its user's key, so nobody makes one for someone else (``/account/tokens``)."""
    _actor()
    raise Forbidden(Message.TOKENS_ARE_PERSONAL)


@bp.post("/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int) -> Page:
    actor = _actor()
    ActionForm().validate_on_submit()
    with db.writer() as session:
        row = tokens.revoke_token(session=session, token_id=token_id, by=actor)
    return redirect(url_for("programme.user_page", user_id=row.user_id))  # type: ignore[return-value]


@bp.route("/certificates", methods=["GET", "POST"])
def certificates() -> Page:
    actor = _actor()
    form = CertificateForm()
    form.product_id.choices = options(
        (str(p.id), f"{p.name} · {o.name}") for p, o in dashboards.all_products(db.session())
    )
    template = "console/programme/certificates.html"

    def build() -> commands.Certify:
        return commands.Certify.model_validate(
            {
                "product_id": form.product_id.data or "",
                "stars": form.stars.data or "",
                "decision_no": form.decision_no.data or "",
                "issuing_level": form.issuing_level.data or "",
                "issued_on": day(form.issued_on.data),
                "valid_until": day(form.valid_until.data),
            }
        )

    rows = dashboards.certificates(db.session())
    return review_then_record(form, template, build, actor, "programme.receipt", rows=rows)


@bp.get("/receipts/<int:index>")
def receipt(index: int) -> str:
    found = dashboards.receipt(db.session(), index, None)
    return render_template(
        "console/receipt.html",
        receipt=found,
        summary=summaries.summary(db.session(), found.body),
        layouts=(),
        lot_id=None,
        programme=True,
    )
