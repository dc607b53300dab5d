"""``GET /healthz``: is the database answering, and how large is the ledger."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy.exc import SQLAlchemyError

from tracer.platform import db
from tracer.platform.status import service_status

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    try:
        return jsonify({"status": "ok", **service_status(db.engine())}), 200
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return jsonify({"status": "unavailable", "database": db.engine().dialect.name, "reason": reason}), 503
