"""Resolver routes: parse the code, find the package, record the scan, answer by content negotiation.

HTML (browsers) gets the origin page at the code's own address (no redirect: one round trip on slow 3G);
``Accept: application/linkset+json`` or ``?linkType=linkset`` gets the RFC 9264 linkset; ``?linkType=gs1:x``
redirects (307) to that link or answers 404. Bad syntax: 400. A well-formed code we never issued: 404 with a
page saying it may be counterfeit, recorded as an ``unknown`` scan. CORS is open (GS1 resolvers must be).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from flask import Blueprint, Response, current_app, jsonify, redirect, render_template, request
from flask_babel import gettext as _
from markupsafe import escape

from config.settings import Settings
from tracer import db, gs1, scans
from tracer.errors import InvalidInput, NotFound, TracerError
from tracer.i18n import format_day
from tracer.origin import VN, OriginView, html_cache, latest_checkpoint, origin_view, story_for
from tracer.problems import wants_problem_json
from tracer.resolver.linkset import GS1_VOC, LINKSET_TYPE, link_header, links, linkset, resolver_description
from tracer.resolver.lookup import find_package
from tracer.serials import SerialError, normalise_serial

bp = Blueprint("resolver", __name__)

METHODS = ["GET"]  # Flask adds HEAD, and answers OPTIONS itself (with Allow)


class BadCode(TracerError):
    status = 400
    title = "Bad request"
    slug = "bad-code"


@bp.record_once
def _exempt_from_csrf(state: Any) -> None:
    # The location button posts anonymously (no cookie, no session): there is nothing to forge.
    state.app.extensions["tracer.csrf"].exempt(share_location)


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "Link, Location, Content-Type, Content-Language"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language, Content-Type"
        response.headers["Access-Control-Max-Age"] = "86400"
    response.vary.update(("Accept", "Accept-Language"))
    return response


def _settings() -> Settings:
    return cast(Settings, current_app.extensions["tracer.settings"])


@bp.route("/.well-known/gs1resolver", methods=METHODS)
def description() -> Response:
    response = jsonify(resolver_description(_settings().public_url))
    response.cache_control.public = True
    response.cache_control.max_age = 3600
    return response


@bp.route("/01/<path:_rest>", methods=METHODS)
@bp.route("/p/<path:_rest>", methods=METHODS)
def resolve(_rest: str) -> Response:
    settings = _settings()
    code = request.full_path.rstrip("?")
    try:
        link = gs1.parse_path(request.path, request.query_string.decode("utf-8", "replace"))
    except gs1.GS1Error as error:
        return _bad_code(str(error))
    if link.gtin is None:
        try:  # the short form may be typed by hand: Crockford's rules
            link = gs1.DigitalLink(None, None, normalise_serial(link.serial), link.expiry)
        except SerialError:
            pass
    now = datetime.now(UTC)
    client = scans.client_hash(settings.secret_key, request.remote_addr or "")
    bucket = scans.hour_bucket(now)
    recorder = scans.recorder()
    record = request.method == "GET"
    family = scans.user_agent_family(request.headers.get("User-Agent", ""))
    with db.engine().connect() as conn:  # a bare connection: no ORM session on the hot path
        row = find_package(conn, link, client=client, bucket=bucket)
        checkpoint = latest_checkpoint(conn) if row is not None else None
    if row is None:
        if record:
            recorder.record(scans.ScanRequest(None, code, "unknown", client, family, now))
        return _not_ours()
    story = story_for(db.session, row)
    today = now.astimezone(VN).date()
    expired = story.expires_on is not None and story.expires_on < today
    recalled = row.status == "recalled" or story.recalled
    outcome = "recalled" if recalled else "expired" if expired else "genuine"
    if record:
        fresh = not row.seen and not recorder.pending(row.serial, client, bucket)
        recorder.record(scans.ScanRequest(row.serial, code, outcome, client, family, now), fresh=fresh)
    # Counted scans not yet written; a tally written since our query is not counted twice for this client
    # (for other clients the page may be one off for the milliseconds between a batch's commit and its ack).
    twice = row.seen and recorder.pending(row.serial, client, bucket)
    queued = recorder.pending_count(row.serial) - (1 if twice else 0)
    view = origin_view(row, story, public_url=settings.public_url, today=today, checkpoint=checkpoint,
                       threshold=settings.scan_warning_threshold, queued=max(0, queued))  # fmt: skip
    link_type = request.args.get("linkType")
    if link_type in ("linkset", "all") or (link_type is None and _wants_linkset()):
        response = current_app.response_class(current_app.json.dumps(linkset(view, settings.public_url)),
                                              mimetype=LINKSET_TYPE)  # fmt: skip
    elif link_type:
        response = _redirect(view, link_type, settings.public_url)
    else:
        response = Response(_page(view), mimetype="text/html")
        response.headers["Content-Language"] = _locale()
    response.headers["Link"] = link_header(view)
    response.cache_control.no_store = True  # every scan is counted and shows the current status
    return response


def _wants_linkset() -> bool:
    best = request.accept_mimetypes.best_match(["text/html", LINKSET_TYPE, "application/json"])
    return best in (LINKSET_TYPE, "application/json")


def _redirect(view: OriginView, link_type: str, public_url: str) -> Response:
    relation = GS1_VOC + link_type.removeprefix("gs1:") if not link_type.startswith("http") else link_type
    targets = links(view, public_url).get(relation)
    if not targets:
        raise NotFound(f"no {link_type} link for this package", field="linkType")
    wanted = _locale()
    target = next((t for t in targets if wanted in t.get("hreflang", [])), targets[0])
    return redirect(target["href"], code=307)  # type: ignore[return-value]


def _locale() -> str:
    from flask_babel import get_locale

    return str(get_locale() or "vi")


_SERIAL = "SERIAL0MARKER0PAGE"  # stand-ins in the cached page: URL- and HTML-safe, never a real value
_SCANS = "SCANS0MARKER0PAGE"


def _page(view: OriginView) -> str:
    """The origin page. All of it but the serial and the scan sentence is rendered once per story, language,
    day, warning state and checkpoint (``html_cache``): a page view is then two string replacements."""
    cp = view.checkpoint.size if view.checkpoint else 0
    key = ("page", view.story.key, _locale(), view.today, view.recalled, view.cert_valid, view.copy_warning,
           view.travel_warning, cp)  # fmt: skip
    page = html_cache().get(key, lambda: render_template("origin/page.html", view=view, serial=_SERIAL,
                                                         scans_text=_SCANS))  # fmt: skip
    if view.scans == 1:
        scans_text = _("Scanned once, on %(day)s", day=format_day(view.first_scan))
    else:
        day = format_day(view.first_scan)
        scans_text = _("Scanned %(num)s times, first on %(day)s", num=view.scans, day=day)
    return page.replace(_SERIAL, str(escape(view.serial))).replace(_SCANS, str(escape(scans_text)))


@bp.app_template_global()
def step_title(kind: str) -> str:
    return {
        "zone": _("Raw-material zone"), "harvest": _("Harvest"), "process": _("Processing"),
        "package": _("Packaging"), "ship": _("Shipping"), "receive": _("Received"), "recall": _("Recall"),
    }.get(kind, kind)  # fmt: skip


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


def _bad_code(detail: str) -> Response:
    if wants_problem_json():
        raise BadCode(f"not a valid GS1 Digital Link: {detail}", field="uri")
    return Response(render_template("origin/bad_code.html", detail=detail), status=400, mimetype="text/html")


def _not_ours() -> Response:
    if wants_problem_json() or _wants_linkset() or request.args.get("linkType"):
        raise NotFound("this code was not issued by OCOP Tracer: the product may be counterfeit")
    response = Response(render_template("origin/not_ours.html"), status=404, mimetype="text/html")
    response.cache_control.no_store = True
    return response


@bp.post("/p/<serial>/location")
def share_location(serial: str) -> Response:
    """The visitor shares a coarse location for their latest scan (button on the origin page)."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("send a JSON object with latitude and longitude")
    client = scans.client_hash(_settings().secret_key, request.remote_addr or "")
    scans.flush()
    with db.writer() as session:
        copied = scans.share_location(
            session=session, serial=serial, client=client, latitude=data.get("latitude"),
            longitude=data.get("longitude"))  # fmt: skip
    return jsonify({"recorded": True, "copied": copied})
