"""How a console form is handled: signed-in check, build the command, record it in one write transaction.

``attempt`` is the one place a form's submission meets the domain: the command is built (pydantic), the domain
function runs inside ``tracer.platform.db.writer()`` (all or nothing), and a refusal is put back on the form
next to
its field. Authentication and permission errors are not caught here: ``tracer.platform.problems`` answers
them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Blueprint, Response, redirect, render_template, request, url_for
from pydantic import ValidationError
from sqlmodel import Session
from wtforms import Field, Form

from tracer.accounts.actors import Actor
from tracer.accounts.auth import optional_actor
from tracer.events import commands
from tracer.events.dispatch import preview, record
from tracer.events.pipeline import Recorded
from tracer.platform import db
from tracer.platform.errors import Conflict, InvalidInput, NotFound, RuleViolation
from tracer.platform.i18n import LANGUAGES
from tracer.reads import summaries
from tracer.web import feedback

FORM_ERRORS = (InvalidInput, RuleViolation, NotFound, Conflict)
T = TypeVar("T")
C = TypeVar("C")


class Refused(Exception):
    """The submission was refused; the reasons are on the form."""


def attempt(
    form: Form,
    build: Callable[[], C],
    act: Callable[[Session, C], T],
    aliases: Mapping[str, Field] | None = None,
) -> T:
    """``act(session, build())`` in one write transaction; Refused (with errors on ``form``) otherwise."""
    try:
        command = build()
    except ValidationError as error:
        feedback.from_validation(form, error, aliases)
        raise Refused() from None
    except FORM_ERRORS as error:
        feedback.from_domain(form, error, aliases)
        raise Refused() from None
    try:
        with db.writer() as session:
            return act(session, command)
    except FORM_ERRORS as error:
        feedback.from_domain(form, error, aliases)
        raise Refused() from None


class _Previewed(Exception):
    """A checked command's event body, raised out of the write transaction so that it rolls back."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body.get("type"))
        self.body = body


RESENT_SKIP = ("csrf_token", "confirm", "edit")


def review_then_record(
    form: Any,
    template: str,
    build: Callable[[], Any],
    actor: Actor,
    receipt: str,
    aliases: Mapping[str, Field] | None = None,
    **context: Any,
) -> Response | tuple[str, int] | str:
    """An event form's submission in two steps (issue #19, item 4). First the entry is checked by every rule
    (its domain function runs in a transaction rolled back: nothing is signed nor appended) and shown as a
    sentence to confirm (``console/confirm.html``: the same values sent back hidden with a fresh CSRF token
    and ``confirm=1``, or ``edit=1`` to change them); then, confirmed, it is checked again from scratch,
    recorded, and the browser sent to its receipt (endpoint ``receipt``). A refusal shows the form (422)."""
    programme = receipt.startswith("programme.")
    if request.method == "POST" and request.form.get("edit"):
        return render_template(template, form=form, **context), 200
    if form.validate_on_submit():
        if request.form.get("confirm") != "1":

            def check(session: Session, command: commands.Command) -> Recorded:
                raise _Previewed(preview(session=session, actor=actor, command=command))

            try:
                attempt(form, build, check, aliases)
            except Refused:
                return render_template(template, form=form, **context), 422
            except _Previewed as previewed:
                resent = [(k, v) for k, v in request.form.items(multi=True) if k not in RESENT_SKIP]
                return render_template("console/confirm.html", fields=resent, programme=programme,
                                       summary=summaries.summary(db.session(), previewed.body),
                                       action=request.full_path.rstrip("?"))  # fmt: skip
            raise AssertionError("a preview ends in _Previewed or Refused")  # pragma: no cover

        def act(session: Session, command: commands.Command) -> Recorded:
            return record(session=session, actor=actor, command=command)

        try:
            recorded = attempt(form, build, act, aliases)
        except Refused:
            return render_template(template, form=form, **context), 422
        return redirect(url_for(receipt, index=recorded.index))  # type: ignore[return-value]
    return render_template(template, form=form, **context), 422 if form.is_submitted() else 200


def local_target(target: str | None) -> str | None:
    """``target`` if it is a path on this site (``/console``), None for anything that could leave it."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return None
    return target


def guard(bp: Blueprint) -> None:
    """Send visitors who are not signed in to the login page; keep ``?lang=`` on the blueprint's links."""

    @bp.before_request
    def _signed_in() -> Response | None:
        if optional_actor() is None:
            return redirect(url_for("account.login", next=request.full_path.rstrip("?")))  # type: ignore[return-value]
        return None

    keep_language(bp)


def keep_language(bp: Blueprint) -> None:
    @bp.url_defaults
    def _language(endpoint: str, values: dict[str, Any]) -> None:
        lang = request.args.get("lang")
        if lang in LANGUAGES and "lang" not in values:
            values["lang"] = lang
