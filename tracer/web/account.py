"""Signing in and out, changing one's password, and one's own API tokens (``tracer.accounts.auth``).

Failed sign-ins are slowed per account and address, never locked (``tracer.accounts.throttle``), and every
failure gets the same answer; the owner is told of failed attempts at the next sign-in. After signing in,
each role lands on its own console; ``?next=`` is followed only to a path on this site. API tokens are made
here by their user, signed in with a password: nobody makes tokens for someone else.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlmodel import Session

from tracer.accounts import tokens, users
from tracer.accounts.actors import Actor
from tracer.accounts.auth import current_actor, optional_actor, password_sign_in, session_key, sign_out
from tracer.accounts.passwords import check_strength
from tracer.models.accounts import ApiToken, Role, User
from tracer.platform import db, ratelimit
from tracer.platform.errors import Forbidden, InvalidInput, Unauthenticated
from tracer.platform.messages import Message
from tracer.web import feedback
from tracer.web.flow import Refused, attempt, keep_language, local_target
from tracer.web.forms import LoginForm, PasswordForm
from tracer.web.programme_forms import ActionForm, TokenForm

bp = Blueprint("account", __name__)
keep_language(bp)
Page = Response | tuple[str, int] | str

HOME_OF = {
    Role.PRODUCER: "/console",
    Role.AUTHORITY: "/programme",
    Role.ADMIN: "/programme",
    Role.INSPECTOR: "/inspector",
}


def home_of(role: Role) -> str:
    return HOME_OF.get(role, "/")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Page:
    form = LoginForm()
    target = local_target(request.values.get("next"))
    signed_in = optional_actor()
    if request.method == "GET" and signed_in is not None:
        return redirect(target or home_of(signed_in.role))  # type: ignore[return-value]
    if form.validate_on_submit():
        ratelimit.enforce(ratelimit.login_limit())  # per client address, beside the per-account back-off
        try:
            done = password_sign_in(form.email.data or "", form.password.data or "")
        except Unauthenticated as error:
            feedback.from_domain(form, error)
            form.password.data = ""
            return render_template("account/login.html", form=form, next=target), 401
        destination = target or home_of(Role(done.user.role))
        if done.since_last.failures:
            return render_template(
                "account/signed_in.html", since=done.since_last, destination=destination, user=done.user
            )
        return redirect(destination)  # type: ignore[return-value]
    return render_template("account/login.html", form=form, next=target)


@bp.post("/logout")
def logout() -> Response:
    sign_out()
    return redirect(url_for("account.login", lang=request.args.get("lang")))  # type: ignore[return-value]


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> Page:
    actor = current_actor()
    form = PasswordForm()
    if form.validate_on_submit():
        if actor.token_id is not None:
            raise Forbidden("an API token cannot change the password: sign in with the password")

        def build() -> tuple[str, str]:
            if (form.password.data or "") != (form.confirm.data or ""):
                raise InvalidInput(Message.PASSWORDS_DIFFER, field="confirm")
            check_strength(form.password.data or "")
            return form.current_password.data or "", form.password.data or ""

        def change(session: Session, pair: tuple[str, str]) -> User:
            user = session.get(User, actor.user_id)
            assert user is not None
            users.change_password(
                session=session, user=user, current=pair[0], new=pair[1], keep_session=session_key()
            )
            return user

        try:
            attempt(form, build, change)
        except Refused:
            return render_template("account/password.html", form=form), 422
        return render_template(
            "account/password.html",
            form=PasswordForm(formdata=None),
            done=True,
            message=gettext(
                "Your password has been changed. Your other sessions have ended and your API tokens are "
                "revoked."
            ),
        )
    return render_template("account/password.html", form=form)


def _interactive() -> Actor:
    """The actor, signed in with a password: tokens are made and revoked only that way."""
    actor = current_actor()
    if actor.token_id is not None:
        raise Forbidden(Message.TOKEN_CANNOT_MINT)
    return actor


def _tokens_page(
    actor: Actor, *, form: TokenForm | None = None, status: int = 200, **context: object
) -> Page:
    html = render_template(
        "account/tokens.html",
        tokens=tokens.tokens_of(session=db.session(), user_id=actor.user_id),
        form=form or TokenForm(formdata=None),
        action=ActionForm(),
        home=home_of(actor.role),
        **context,
    )
    return (html, status) if status != 200 else html


@bp.get("/account/tokens")
def tokens_page() -> Page:
    return _tokens_page(_interactive())


@bp.post("/account/tokens")
def token_new() -> Page:
    actor = _interactive()
    form = TokenForm()
    if not form.validate_on_submit():
        return _tokens_page(actor, form=form, status=422)

    def act(session: Session, name: str) -> tuple[str, ApiToken]:
        return tokens.mint_token(session=session, actor=actor, name=name)

    try:
        plaintext, row = attempt(form, lambda: form.name.data or "", act)
    except Refused:
        return _tokens_page(actor, form=form, status=422)
    return _tokens_page(actor, secret=plaintext, made=row)


@bp.post("/account/tokens/<int:token_id>/revoke")
def token_revoke(token_id: int) -> Page:
    actor = _interactive()
    if not ActionForm().validate_on_submit():
        return _tokens_page(actor, status=400)
    with db.writer() as session:
        row = tokens.revoke_token(session=session, token_id=token_id, by=actor)
        if row.user_id != actor.user_id:  # the office revokes others' tokens on /programme, not here
            raise Forbidden(Message.TOKENS_ARE_PERSONAL)
    return redirect(url_for("account.tokens_page"))  # type: ignore[return-value]
