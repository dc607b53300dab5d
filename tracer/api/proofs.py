"""``GET /api/v1/packages/{serial}/proof``: the public proof bundle of one package (``tracer.proofs.bundle``).

Public and cross-origin (CORS ``*``): anyone may verify a package with their own tools. A code that was never
issued is a 404 problem (the scanner shows "unknown code"); a malformed serial is a 422 naming ``serial``.
Every request is recorded as a scan (``tracer.scans.recorder``), like a resolution of the code, so nothing
caches it.
"""

from __future__ import annotations

from flask import Blueprint, Response, request

from tracer.api.http import answer
from tracer.platform import db
from tracer.platform.services import services
from tracer.proofs.bundle import Scanner, scanned_proof
from tracer.scans import recorder as scans

bp = Blueprint("api_proofs", __name__, url_prefix="/api/v1")


@bp.get("/packages/<path:serial>/proof")
def proof(serial: str) -> Response:
    settings = services().settings
    scanner = Scanner(
        scans.client_hash(settings.secret_key, request.remote_addr or ""),
        scans.user_agent_family(request.headers.get("User-Agent", "")),
    )
    bundle = scanned_proof(
        db.session(),
        serial=serial,
        public_url=settings.public_url,
        scan_threshold=settings.scan_warning_threshold,
        scanner=scanner,
    )
    return answer(bundle, headers={"Cache-Control": "no-store"})


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "Content-Type"
    return response
