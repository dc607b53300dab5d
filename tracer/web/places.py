"""/console/places?q=: find a commune by its new name or by the name it had before 1 July 2025, without
JavaScript; each result links to the zone form with the place filled in (``tracer.places.units``)."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from tracer.accounts.auth import current_actor
from tracer.models.accounts import Role
from tracer.places import units
from tracer.web.flow import guard

bp = Blueprint("places", __name__, url_prefix="/console/places")
guard(bp)


@bp.get("")
def search() -> str:
    current_actor(Role.PRODUCER)
    query = request.args.get("q", "")[:100]
    return render_template("console/places.html", query=query, matches=units.search(query) if query else [])
