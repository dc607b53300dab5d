"""Signing in and out, and changing one's password (the login session of ``tracer.accounts.auth``).

Lock-out after five failures is the domain's (``tracer.accounts.users.login``); this module only shows it.
After signing in, each role lands on its own console; ``?next=`` is followed only to a path on this site.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlmodel import Session

from tracer.accounts import users
from tracer.accounts.auth import current_actor, optional_actor, sign_in, sign_out
from tracer.accounts.passwords import check_strength
from tracer.models.accounts import Role, User
from tracer.platform import db, ratelimit
from tracer.platform.errors import InvalidInput, Unauthenticated
from tracer.platform.messages import Message
from tracer.web import feedback
from tracer.web.flow import Refused, attempt, keep_language, local_target
from tracer.web.forms import LoginForm, PasswordForm

bp = Blueprint("account", __name__)
keep_language(bp)

HOME_OF = {
    Role.PRODUCER: "/console",
    Role.AUTHORITY: "/programme",
    Role.ADMIN: "/programme",
    Role.INSPECTOR: "/inspector",
}


def home_of(role: Role) -> str:
    return HOME_OF.get(role, "/")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | tuple[str, int] | str:
    form = LoginForm()
    target = local_target(request.values.get("next"))
    signed_in = optional_actor()
    if request.method == "GET" and signed_in is not None:
        return redirect(target or home_of(signed_in.role))  # type: ignore[return-value]
    if form.validate_on_submit():
        ratelimit.enforce(ratelimit.login_limit())  # per client address, beside the per-account lock-out
        try:
            user = users.login(
                session=db.session(), email=form.email.data or "", password=form.password.data or ""
            )
        except Unauthenticated as error:
            feedback.from_domain(form, error)
            form.password.data = ""
            return render_template("account/login.html", form=form, next=target), 401
        sign_in(user)
        return redirect(target or home_of(Role(user.role)))  # type: ignore[return-value]
    return render_template("account/login.html", form=form, next=target)


@bp.post("/logout")
def logout() -> Response:
    sign_out()
    return redirect(url_for("account.login", lang=request.args.get("lang")))  # type: ignore[return-value]


@bp.route("/account/password", methods=["GET", "POST"])
def password() -> Response | tuple[str, int] | str:
    actor = current_actor()
    form = PasswordForm()
    if form.validate_on_submit():

        def build() -> tuple[str, str]:
            if (form.password.data or "") != (form.confirm.data or ""):
                raise InvalidInput(Message.PASSWORDS_DIFFER, field="confirm")
            check_strength(form.password.data or "")
            return form.current_password.data or "", form.password.data or ""

        def change(session: Session, pair: tuple[str, str]) -> User:
            user = session.get(User, actor.user_id)
            assert user is not None
            users.change_password(session=session, user=user, current=pair[0], new=pair[1])
            return user

        try:
            user = attempt(form, build, change)
        except Refused:
            return render_template("account/password.html", form=form), 422
        sign_in(user)  # the session follows the new password; other sessions end
        return render_template(
            "account/password.html",
            form=PasswordForm(formdata=None),
            done=True,
            message=gettext("Your password has been changed."),
        )
    return render_template("account/password.html", form=form)
