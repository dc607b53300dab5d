"""Resolver routes: parse the code, find the package, record the scan, answer by content negotiation.

HTML (browsers) gets the origin page at the code's own address (no redirect: one round trip on slow 3G);
``Accept: application/linkset+json`` or ``?linkType=linkset`` gets the RFC 9264 linkset; ``?linkType=gs1:x``
redirects (307) to that link or answers 404 (``negotiation``). Bad syntax: 400. A well-formed code we never
issued: 404 with a page saying it may be counterfeit, recorded as an ``unknown`` scan. A code without a serial
(``/01/{gtin}``, ``/01/{gtin}/10/{lot}``) names a product or a lot, not a package: ``classlevel`` answers it,
and it is not a scan. A compressed Digital Link (``/{compressed}``, ``/01/{gtin}/{compressed}``) is answered
as its uncompressed URI would be (``tracer.codes.compression``), which the Link header gives as
``owl:sameAs``; a root path that does not decompress is no page of ours (404). The identifiers EPCIS
documents give lots without a GTIN, zones and organisations (``/id/{lot,zone,org}/{id}``) are answered by
``things`` the same way, and are not scans either. CORS is open (GS1 resolvers must be).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from werkzeug.exceptions import NotFound as NoSuchPage

from config.settings import Settings
from tracer.codes import compression, gs1
from tracer.events.registry import EVENT_TYPES
from tracer.platform import db, wording
from tracer.platform.errors import InvalidInput, TracerError
from tracer.platform.problems import wants_problem_json
from tracer.platform.services import services
from tracer.resolver import classlevel, negotiation, things, visits
from tracer.resolver.linkset import links, resolver_description
from tracer.resolver.origin import caches as origin_caches
from tracer.scans import recorder as scans
from tracer.scans.unknown import unknown_codes_for

bp = Blueprint("resolver", __name__)

METHODS = ["GET"]  # Flask adds HEAD, and answers OPTIONS itself (with Allow)


class BadCode(TracerError):
    status = 400
    title = "Not a valid GS1 Digital Link"
    slug = "bad-code"


@bp.record_once
def _exempt_from_csrf(state: Any) -> None:
    # The location button posts anonymously (no cookie, no session): there is nothing to forge.
    services(state.app).csrf.exempt(share_location)


@bp.after_request
def _cors(response: Response) -> Response:
    for name, value in visits.CORS:
        response.headers[name] = value
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.vary.update(visits.VARY)
    return response


def _settings() -> Settings:
    return services().settings


@bp.route("/.well-known/gs1resolver", methods=METHODS)
def description() -> Response:
    response = jsonify(resolver_description(_settings().public_url))
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.route("/01/<path:_rest>", methods=METHODS)
@bp.route("/p/<path:_rest>", methods=METHODS)
def resolve(_rest: str) -> Response:
    """Every answer for a code; plain GETs of a package's cached page are answered before Flask, by
    ``tracer.resolver.fastpath``, with the same functions (``tracer.resolver.visits``)."""
    path, query = request.path, request.query_string.decode("utf-8", "replace")
    try:
        path, query = compression.expand(path, query) or (path, query)  # /01/{gtin}/{compressed}
        link = visits.parse_code(path, query)
    except gs1.GS1Error as error:
        return _bad_code(error)
    return _answer(link)


@bp.route("/<string(minlength=10, maxlength=1000):_compressed>", methods=METHODS)
def compressed(_compressed: str) -> Response:
    """A fully compressed Digital Link (``/AQnYUc1gmiCNV4JG``), answered as its uncompressed URI; a path that
    does not decompress to a GTIN's code is not one of our pages."""
    try:
        expanded = compression.expand(request.path, request.query_string.decode("utf-8", "replace"))
        if expanded is None:
            raise NoSuchPage()
        link = visits.parse_code(*expanded)
    except gs1.GS1Error:
        raise NoSuchPage() from None
    return _answer(link)


def _answer(link: gs1.DigitalLink | gs1.ClassLink) -> Response:
    settings = _settings()
    if isinstance(link, gs1.ClassLink):
        return classlevel.answer(link)  # a product or a lot: not a scan of a package
    app = current_app
    recorder, caches = scans.recorder_for(app), origin_caches(app)
    visit = visits.Visit.of(
        link, code=request.full_path.rstrip("?"), secret_key=settings.secret_key,
        address=request.remote_addr or "", user_agent=request.headers.get("User-Agent", ""),
        counted=request.method == "GET" and not request.environ.get(visits.COUNTED), headers=request.headers,
    )  # fmt: skip
    row = visits.look_up(caches, recorder, visit, unknown_codes_for(app))
    if row is None:
        return _not_ours()
    story = caches.story(row, db.session)
    view = visits.see(caches, recorder, visit, row, story, public_url=settings.public_url,
                      threshold=settings.scan_warning_threshold)  # fmt: skip
    return negotiation.answer(
        view.uri, lambda: links(view, settings.public_url),
        lambda locale: visits.page(caches, view, locale, lambda: visits.render_page(view)),
    )  # fmt: skip


@bp.route("/id/<any(lot, zone, org):kind>/<path:value>", methods=METHODS)
def identified(kind: str, value: str) -> Response:
    """A lot's, a zone's or an organisation's identifier in an EPCIS document: not a scan."""
    return things.answer(kind, value)


@bp.app_template_global()
def step_title(kind: str) -> str:
    """The title of a journey step, as its event type declares it (``tracer.events.registry``)."""
    return EVENT_TYPES.step_title(kind)


@bp.app_template_global()
def kind_name(kind: str) -> str:
    return {
        "htx": _("Cooperative (HTX)"), "dn": _("Company"), "tht": _("Cooperative group"),
        "hkd": _("Household business"), "authority": _("OCOP programme office"),
    }.get(kind, kind)  # fmt: skip


@bp.app_template_global()
def level_name(level: str) -> str:
    names = {"huyen": _("district level"), "tinh": _("provincial level"), "trung_uong": _("national level")}
    return names.get(level, level)


def _bad_code(error: gs1.GS1Error) -> Response:
    """400: problem+json with the English reason, or a page saying it in the reader's language."""
    if wants_problem_json():
        raise BadCode(f"not a valid GS1 Digital Link: {error}", field="uri")
    html = render_template("origin/bad_code.html", reason=wording.translate(error))
    return Response(html, status=400, mimetype="text/html")


def _not_ours() -> Response:
    return negotiation.not_found("this code was not issued by OCOP Tracer: the product may be counterfeit",
                                 "origin/not_ours.html")  # fmt: skip


@bp.post("/p/<serial>/location")
def share_location(serial: str) -> Response:
    """The visitor shares a coarse location for their latest scan (button on the origin page)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("send a JSON object with latitude and longitude")
    settings = _settings()
    client = scans.client_hash(settings.secret_key, request.remote_addr or "")
    scans.flush()
    scans.await_visit(db.engine(), serial, client)  # the page may have been served by another worker
    with db.writer() as session:
        copied = scans.share_location(
            session=session, serial=serial, client=client, latitude=data.get("latitude"),
            longitude=data.get("longitude"), needed=settings.copy_sources)  # fmt: skip
    return jsonify({"recorded": True, "copied": copied})
