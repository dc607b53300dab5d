"""The EPCIS 2.0 REST query interface (``../shared/standards/epcis/epcis-rest-openapi.yaml``), public:

- ``GET /epcis/events``: an EPCISQueryDocument of the ledger's events that match the standard query
  parameters (``tracer.proofs.epcisquery``), ``perPage`` at a time; the next page is in a ``Link: <...>;
  rel="next"`` header and its ``nextPageToken``.
- ``GET /epcis/events/{eventID}``: one event by its hash ID (``ni:///sha-256;...?ver=CBV2.0``, URL-encoded).

Every answer carries ``GS1-EPCIS-Version`` and ``GS1-CBV-Version``; errors are problem+json. Capture is not
offered (yet): events enter only through the signed ``POST /api/v1/events``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from tracer.platform import db
from tracer.platform.errors import NotFound
from tracer.platform.services import services
from tracer.proofs import epcis, epcisquery

bp = Blueprint("epcis_rest", __name__, url_prefix="/epcis")
MEDIA_TYPE = "application/ld+json"
HASH_ID = re.compile(r"ni:///sha-256;[0-9a-f]{64}\?ver=CBV2\.0")
VERSIONS = {"GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0", "Access-Control-Allow-Origin": "*"}


@bp.get("/events")
def events() -> Response:
    query = epcisquery.parse(request.args.to_dict(flat=False))
    base = services().settings.public_url
    found, token = epcisquery.page(db.session(), base, query)
    body = {
        "@context": [epcis.CONTEXT, epcis.PREFIXES],
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "epcisBody": {"queryResults": {"queryName": "SimpleEventQuery", "resultsBody": {"eventList": found}}},
    }
    headers = dict(VERSIONS)
    if token is not None:
        args = {**request.args.to_dict(flat=False), "nextPageToken": [str(token)]}
        headers["Link"] = f'<{base.rstrip("/")}/epcis/events?{urlencode(args, doseq=True)}>; rel="next"'
    return _answer(body, headers)


@bp.get("/events/<path:event_id>")
def event(event_id: str) -> Response:
    if not HASH_ID.fullmatch(event_id):  # refused before reading the ledger
        raise NotFound(
            f"no event {event_id[:100]!r}: event IDs here are ni:///sha-256;...?ver=CBV2.0", field="eventID"
        )
    found = epcisquery.find(db.session(), services().settings.public_url, event_id)
    if found is None:
        raise NotFound(f"no event {event_id[:100]}", field="eventID")
    return _answer({"@context": [epcis.CONTEXT, epcis.PREFIXES], **found}, dict(VERSIONS))


def _answer(body: dict[str, Any], headers: dict[str, str]) -> Response:
    return Response(epcis.dumps(body), content_type=f"{MEDIA_TYPE}; charset=utf-8", headers=headers)
