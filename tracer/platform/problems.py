"""One place that maps errors to HTTP: RFC 9457 problem+json for the API, a Vietnamese page for HTML.

No stack trace ever reaches a client: unexpected exceptions are logged here and answered with a plain 500.
A value the database cannot hold (a number beyond its column, text with NUL: ``DataError``; an integer beyond
SQLite's 64 bits or a date beyond year 9999: ``OverflowError``) is the client's error, answered 400, and
logged as a bound missing at the edge (``tracer.platform.bounds`` should have refused it, naming the field).
Only a missing table or column (SQLSTATE 42P01, 42703, 3F000) means the database is not initialised (503);
any other ``ProgrammingError`` (an operator that does not exist for a column's type...) is a bug of ours.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Response, jsonify, render_template, request
from sqlalchemy.exc import DataError, OperationalError, ProgrammingError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from tracer.ledger.errors import LedgerError
from tracer.platform import wording
from tracer.platform.errors import TooManyRequests, TracerError, title_of

F = TypeVar("F", bound=Callable[..., Any])

log = logging.getLogger(__name__)
PROBLEM_BASE = "https://ocop-tracer.vn/problems/"


def wants_problem_json() -> bool:
    if request.path.startswith(("/api/", "/.well-known/", "/log/", "/epcis/")):
        return True
    offered = ["text/html", "application/json", "application/problem+json", "application/ld+json"]
    return request.accept_mimetypes.best_match(offered) in offered[1:]


def problem(status: int, title: str, detail: str, *, slug: str, **extra: Any) -> Response:
    """RFC 9457 problem+json; the title is the problem type's own (``errors.PROBLEM_TITLES``)."""
    title = title_of(slug, title)
    body: dict[str, Any] = {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    response = jsonify(body)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


def render_error(
    status: int,
    title: str,
    detail: str,
    *,
    slug: str,
    field: str | None = None,
    page_detail: str | None = None,
) -> Response:
    """The error for this client: problem+json with the English ``detail``, or a page in the reader's language
    that says ``page_detail`` (already translated) under its status's heading. The English detail is never
    put on a page: a Vietnamese reader would get a sentence they may not read."""
    title = title_of(slug, title)
    if wants_problem_json():
        return problem(status, title, detail, slug=slug, field=field, instance=request.path)
    try:
        html = render_template("error.html", status=status, title=title, detail=page_detail, slug=slug)
    except Exception:  # the error page itself must never fail into a traceback
        log.exception("error page failed to render")
        return Response(f"{status} {title}", status=status, mimetype="text/plain")
    return Response(html, status=status, mimetype="text/html")


SCHEMA_MISSING = frozenset({"42P01", "42703", "3F000"})  # undefined table, column, schema (PostgreSQL)
STORAGE_REFUSED = ("disk is full", "readonly database", "read-only", "no space left", "could not extend file")


def storage_refused(error: Exception) -> bool:
    """Whether the database refused a write for lack of space or permission (not a lost connection)."""
    text = str(getattr(error, "orig", None) or error).lower()
    return any(marker in text for marker in STORAGE_REFUSED)


def _limit(app: Flask) -> int:
    return int(request.max_content_length or app.config["MAX_CONTENT_LENGTH"])


def larger_body(limit: int) -> Callable[[F], F]:
    """Let the decorated view take a request body of up to ``limit`` bytes (``MAX_CONTENT_LENGTH`` is the
    rest's): a photo upload."""

    def mark(view: F) -> F:
        view.max_body = limit  # type: ignore[attr-defined]
        return view

    return mark


def register(app: Flask) -> None:
    @app.before_request
    def _refuse_oversize() -> None:
        # Refuse by the announced length before anyone reads the body (Werkzeug checks it on read). A view
        # that takes bigger bodies (a photo upload) says so with ``larger_body``.
        view = app.view_functions.get(request.endpoint or "")
        larger = getattr(view, "max_body", None)
        if isinstance(larger, int):
            request.max_content_length = larger
        limit = request.max_content_length or app.config["MAX_CONTENT_LENGTH"]
        if request.content_length is not None and request.content_length > limit:
            raise RequestEntityTooLarge()

    @app.errorhandler(TracerError)
    def _domain(error: TracerError) -> Response:
        shown = (
            wording.translate(error) if error.message is not None else None
        )  # no id: the status's heading only
        response = render_error(error.status, error.title, error.detail, slug=error.slug, field=error.field,
                                page_detail=shown)  # fmt: skip
        if isinstance(error, TooManyRequests):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(LedgerError)
    def _ledger(error: LedgerError) -> Response:
        from tracer.ledger.errors import InvalidRequestError, NotFoundError, VerificationError

        if isinstance(error, NotFoundError):
            return render_error(404, "Not found", str(error), slug="not-found")
        if isinstance(error, InvalidRequestError):
            return render_error(400, "Bad request", str(error), slug="bad-request")
        if isinstance(error, VerificationError):
            log.error("ledger verification failed: %s", error)
            return render_error(500, "Ledger verification failed", str(error), slug="ledger-verification")
        return _unexpected(error)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        detail = {
            413: f"The request body is larger than {_limit(app)} bytes.",
            405: f"{request.method} is not allowed here.",
        }.get(status, error.description or "")
        slug = error.name.lower().replace(" ", "-")
        response = render_error(status, error.name, detail, slug=slug)
        valid_methods = getattr(error, "valid_methods", None)
        if valid_methods:
            response.headers["Allow"] = ", ".join(valid_methods)
        return response

    @app.errorhandler(OperationalError)
    @app.errorhandler(PoolTimeout)
    def _database_down(error: Exception) -> Response:
        log.warning("database unavailable: %s", error)
        cannot_store = storage_refused(error)
        response = render_error(
            503,
            "Service unavailable",
            "The database cannot store anything right now (disk full or read-only); nothing was saved."
            if cannot_store
            else "The database is not answering; try again shortly.",
            slug="storage-full" if cannot_store else "unavailable",
        )
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(DataError)
    @app.errorhandler(OverflowError)
    def _does_not_fit(error: Exception) -> Response:
        log.error("a value reached the database unbounded on %s %s: %s", request.method, request.path, error)
        return render_error(
            400,
            "Bad request",
            "A value in the request is out of range or is text that cannot be stored; nothing was saved.",
            slug="bad-request",
        )

    @app.errorhandler(ProgrammingError)
    def _schema_missing(error: ProgrammingError) -> Response:
        if getattr(error.orig, "sqlstate", None) not in SCHEMA_MISSING:  # a bug of ours, not a missing schema
            return _unexpected(error)
        log.error("database schema missing: %s", error)
        response = render_error(
            503,
            "Service unavailable",
            "The database has not been initialised (python -m tracer init).",
            slug="not-initialised",
        )
        response.headers["Retry-After"] = "30"
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return render_error(500, "Internal error", "Something went wrong on our side.", slug="internal")
