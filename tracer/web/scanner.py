"""``/scan``: the static scanner app of ``scanner_page/`` (no build step), its service worker, and the two
small endpoints it needs for inspectors: ``/scan/session`` and ``/scan/photos``.

The page is served with the log's C2SP verifier key embedded (``<meta name="ocop-log-key">``), which the page
pins on first use. The service worker is served from ``/scan/sw.js`` with ``Service-Worker-Allowed: /scan``
so that its scope, ``/scan``, covers the page itself and not only what lies below ``/scan/``.
"""

from __future__ import annotations

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

SCANNER_DIR = Path(__file__).resolve().parents[2] / "scanner_page"
ASSET_TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".webmanifest": "application/manifest+json",
}
ASSET_MAX_AGE = 3600

bp = Blueprint("scanner", __name__)


@dataclass(frozen=True)
class LogKey:
    """The log's verifier key that the scanner pins, read from the ledger once per process."""

    text: str


def _read_log_key(found: Services) -> LogKey:
    with found.engine.connect() as conn:
        return LogKey(found.ledger.verifier_key(conn))


def _log_key() -> str:
    return services().made(LogKey, _read_log_key).text


@bp.get("/scan")
def page() -> Response:
    html = (SCANNER_DIR / "index.html").read_text(encoding="utf-8")
    html = html.replace("{{LOG_KEY}}", str(escape(_log_key())))
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/scan/sw.js")
def service_worker() -> Response:
    response = send_from_directory(SCANNER_DIR, "sw.js", mimetype="text/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/scan"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/scan/<path:name>")
def asset(name: str) -> Response:
    path = Path(name)
    if name == "vendor/LICENSE":
        return send_from_directory(SCANNER_DIR, name, mimetype="text/plain", max_age=ASSET_MAX_AGE)
    if path.suffix not in ASSET_TYPES or name == "sw.js":
        raise NotFound(f"no file {name} in the scanner")
    return send_from_directory(SCANNER_DIR, name, mimetype=ASSET_TYPES[path.suffix], max_age=ASSET_MAX_AGE)


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
