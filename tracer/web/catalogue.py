"""``/products``: the public catalogue of certified OCOP products (``tracer.reads.catalogue``), a plain GET
form that works without JavaScript: search by name, filter by province, product group and stars, paged."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from tracer.photos.shown import shown_photo
from tracer.photos.store import app_store
from tracer.platform import bounds, db
from tracer.platform.clock import today
from tracer.platform.services import services
from tracer.reads.catalogue import Filters, catalogue
from tracer.web.programme_forms import GROUPS

bp = Blueprint("catalogue", __name__)
MAX_QUERY = 100  # characters of a search
MAX_PAGE = 100_000


def _number(name: str, low: int, high: int) -> int | None:
    """A whole-number query parameter within bounds; None if absent or empty, and -1 if it is not one."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    try:
        return bounds.whole_number(raw, low=low, high=high)
    except bounds.OutOfBounds:
        return -1


@bp.get("/products")
def products() -> Response:
    stars, page = _number("stars", 0, 5), _number("page", 1, MAX_PAGE)
    q = request.args.get("q", "").strip()
    problems = []
    if stars == -1:
        problems.append("stars")
    if page == -1:
        problems.append("page")
    if len(q) > MAX_QUERY:
        problems.append("q")
    filters = Filters(
        q=q[:MAX_QUERY],
        province=request.args.get("province", "")[:100],
        group=request.args.get("group", "")[:30],
        stars=max(stars or 0, 0),
        page=max(page or 1, 1),
    )
    found = catalogue(db.session(), filters, today())
    public_url, store = services().settings.public_url, app_store()
    photos = {e.product_id: shown_photo(e.photo, public_url, store) for e in found.entries}
    html = render_template("catalogue.html", found=found, filters=filters, groups=dict(GROUPS),
                           problems=problems, photos=photos)  # fmt: skip
    response = Response(html, status=400 if problems else 200, mimetype="text/html")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
