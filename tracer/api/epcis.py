"""``GET /api/v1/epcis/events?lot=ID``: a lot's lineage as a GS1 EPCIS 2.0 JSON-LD document (public).

Consumer and inspector traceability data, so no token is needed; the mapping is in ``tracer.proofs.epcis``.
"""

from __future__ import annotations

from flask import Blueprint, Response

from tracer.api.http import identifier, query_arg
from tracer.platform import db
from tracer.platform.errors import BadParameter
from tracer.platform.services import services
from tracer.proofs import epcis

bp = Blueprint("epcis", __name__)
MEDIA_TYPE = "application/ld+json"


@bp.get("/epcis/events")
def events() -> Response:
    raw = query_arg("lot")
    if not raw:
        raise BadParameter("the query parameter lot is required (a lot id)", field="lot")
    lot_id = identifier(raw, "lot")
    assert lot_id is not None
    base = services().settings.public_url
    text = epcis.dumps(epcis.document(db.session(), base, lot_id))
    return Response(
        text, content_type=f"{MEDIA_TYPE}; charset=utf-8", headers={"Access-Control-Allow-Origin": "*"}
    )
