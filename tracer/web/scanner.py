"""``/scan``: the static scanner app of ``scanner_page/`` (no build step), its service worker, and the two
small endpoints it needs for inspectors: ``/scan/session`` and ``/scan/photos``.

The page is served with the log's C2SP verifier key embedded (``<meta name="ocop-log-key">``), which the page
pins on first use. The service worker is served from ``/scan/sw.js`` with ``Service-Worker-Allowed: /scan``
so that its scope, ``/scan``, covers the page itself and not only what lies below ``/scan/``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request, send_from_directory
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from tracer.accounts.auth import current_actor, optional_actor
from tracer.inspection.dashboard import store_photo
from tracer.models.accounts import Role, User
from tracer.platform import db
from tracer.platform.errors import NotFound
from tracer.platform.services import Services, services
from tracer.web.scanner_assets import FILES, Asset, Bundle, build, make_asset

SCANNER_DIR = Path(__file__).resolve().parents[2] / "scanner_page"
ASSET_MAX_AGE = 3600  # the unhashed names (pages saved before hashing, tests): revalidated hourly
IMMUTABLE = "public, max-age=31536000, immutable"
SHELL_LIST = re.compile(r"^const SHELL = \[.*?\];$", re.MULTILINE | re.DOTALL)
CACHE_NAME = re.compile(r'^const SHELL_CACHE = "[^"]*";$', re.MULTILINE)

bp = Blueprint("scanner", __name__)


@dataclass(frozen=True)
class LogKey:
    """The log's verifier key that the scanner pins, read from the ledger once per process."""

    text: str


@dataclass(frozen=True)
class Served:
    """The scanner as this process serves it: the hashed assets, the page and the service worker, each
    precompressed once (the page embeds the log key, fixed for the process)."""

    bundle: Bundle
    page: Asset
    worker: Asset
    plain: dict[str, Asset]  # the unhashed names, as written in scanner_page/


def _read_log_key(found: Services) -> LogKey:
    with found.engine.connect() as conn:
        return LogKey(found.ledger.verifier_key(conn))


def _log_key() -> str:
    return services().made(LogKey, _read_log_key).text


def _make_served(found: Services) -> Served:
    bundle = build(SCANNER_DIR)
    html = (SCANNER_DIR / "index.html").read_text(encoding="utf-8")
    html = bundle.rewrite(html.replace("{{LOG_KEY}}", str(escape(found.made(LogKey, _read_log_key).text))))
    worker = (SCANNER_DIR / "sw.js").read_text(encoding="utf-8")
    shell = json.dumps(["/scan", *bundle.precache()])
    worker = SHELL_LIST.sub(lambda _: f"const SHELL = {shell};", worker)
    worker = CACHE_NAME.sub(lambda _: f'const SHELL_CACHE = "ocop-scan-{bundle.version}";', worker)
    plain = {name: make_asset(name, (SCANNER_DIR / name).read_bytes()) for name in FILES}
    return Served(
        bundle, make_asset("index.html", html.encode()), make_asset("sw.js", worker.encode()), plain
    )


def _served() -> Served:
    return services().made(Served, _make_served)


def _send(asset: Asset, cache_control: str) -> Response:
    body, encoding = asset.encoded(
        request.accept_encodings if request.headers.get("Accept-Encoding") else None
    )
    response = Response(body, content_type=asset.content_type)
    if asset.gzip is not None:
        response.headers["Vary"] = "Accept-Encoding"
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.headers["Cache-Control"] = cache_control
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    response.make_conditional(request)
    return response


@bp.get("/scan")
def page() -> Response:
    return _send(_served().page, "no-cache")


@bp.get("/scan/sw.js")
def service_worker() -> Response:
    response = _send(_served().worker, "no-cache")
    response.headers["Service-Worker-Allowed"] = "/scan"
    return response


@bp.get("/scan/<path:name>")
def asset(name: str) -> Response:
    if name == "vendor/LICENSE":
        return send_from_directory(SCANNER_DIR, name, mimetype="text/plain", max_age=ASSET_MAX_AGE)
    served = _served()
    hashed = served.bundle.assets.get(name)
    if hashed is not None:
        return _send(hashed, IMMUTABLE)
    plain = served.plain.get(name)
    if plain is None:
        raise NotFound(f"no file {name} in the scanner")
    return _send(plain, f"public, max-age={ASSET_MAX_AGE}")


@bp.get("/scan/session")
def scan_session() -> Response:
    """Whether an inspector is signed in, and the CSRF token the page sends with its writes."""
    actor = optional_actor()
    body: dict[str, Any] = {"inspector": False}
    if actor is not None and actor.role is Role.INSPECTOR:
        user = db.session().get(User, actor.user_id)
        body = {"inspector": True, "name": user.full_name if user else "", "csrf_token": generate_csrf()}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/scan/photos")
def photo() -> tuple[Response, int]:
    """Store an inspection photo (the page sends the image as the body); answer its SHA-256."""
    current_actor(Role.INSPECTOR)
    digest = store_photo(Path(current_app.instance_path) / "photos", request.get_data(), request.mimetype)
    return jsonify({"sha256": digest}), 201
