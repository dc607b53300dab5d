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

from flask import Blueprint, Response, redirect, request, url_for
from pydantic import ValidationError
from sqlmodel import Session
from wtforms import Field, Form

from tracer.accounts.auth import optional_actor
from tracer.platform import db
from tracer.platform.errors import Conflict, InvalidInput, NotFound, RuleViolation
from tracer.platform.i18n import LANGUAGES
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
