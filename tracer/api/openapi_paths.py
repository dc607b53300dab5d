"""The route table of the OpenAPI 3.1 document: every /api/v1 operation with its parameters, request body,
responses (RFC 9457 problem+json for errors) and security (RFC 6750 bearer, or none for public data).
"""

from __future__ import annotations

from typing import Any

from tracer.api.http import DEFAULT_LIMIT, MAX_LIMIT
from tracer.labels import LABEL_LAYOUTS
from tracer.platform.idempotency import MAX_KEY_LENGTH

REF = "#/components/schemas/{model}"
PROBLEM = {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}
ERRORS = {
    400: "Malformed input or parameter",
    401: "No valid token or session",
    403: "Role not allowed",
    404: "Not found (or another organisation's)",
    409: "Rule violated or idempotency conflict",
    413: "Body over 1 MB",
    415: "Body is not application/json",
    422: "Invalid field",
    429: "Too many requests",
    503: "Database unavailable",
}
ID = {"type": "string", "pattern": "^[0-9A-Za-z]{1,32}$"}
NUMBER = {"type": "integer", "minimum": 0, "maximum": 2**62}


def ref(name: str) -> dict[str, Any]:
    return {"$ref": REF.format(model=name)}


def _param(
    name: str, where: str, schema: dict[str, Any], required: bool = False, text: str = ""
) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "schema": schema,
        "description": text,
    }


# limit, cursor and offset as one form-exploded object (``?limit=&cursor=``), so that the document can say
# what the server says (tracer.api.http.page_args): cursor and offset exclude each other
PAGE = [
    {
        "name": "page",
        "in": "query",
        "required": False,
        "style": "form",
        "explode": True,
        "description": "`limit`, then `cursor` (the `next` of the previous page) or `offset`, not both",
        "schema": {
            "type": "object",
            "properties": {
                "limit": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
                "cursor": {"type": "string", "minLength": 1, "maxLength": 200},
                "offset": {"type": "integer", "minimum": 0, "maximum": 10**9},
            },
            "not": {"required": ["cursor", "offset"]},
        },
    }
]
# tracer.platform.idempotency.check_key: 1 to 200 printable ASCII characters
IDEMPOTENCY_KEY = {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH, "pattern": "^[ -~]+$"}


def _op(
    summary: str,
    tag: str,
    ok: dict[str, Any],
    *,
    errors: tuple[int, ...] = (400, 401, 404),
    public: bool = False,
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    status: int = 200,
    headers: dict[str, Any] | None = None,
) -> dict[str, Any]:
    responses: dict[str, Any] = {
        str(status): {"description": summary, "content": ok, **({"headers": headers} if headers else {})}
    }
    # 429: an API token is rate-limited (tracer.platform.ratelimit); 503: the database does not answer.
    codes = {*errors, 503} - {401, 403} if public else {*errors, 401, 429, 503}
    for code in sorted(codes):
        responses[str(code)] = {"description": ERRORS[code], "content": PROBLEM}
    operation: dict[str, Any] = {
        "summary": summary,
        "tags": [tag],
        "parameters": params or [],
        "responses": responses,
        "security": [] if public else [{"bearer": []}],
    }
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return operation


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


def _page_of(name: str) -> dict[str, Any]:
    return _json(ref(f"{name}Page"))


TEXT = {"text/plain": {"schema": {"type": "string"}}}
INDEX = _param("index", "path", {"type": "string", "pattern": "^[0-9]{1,18}$"})
SIZE = _param("size", "query", {**NUMBER, "minimum": 1})
LISTING = (400, 401)


def paths() -> dict[str, Any]:
    """Every /api/v1 operation, in the order the document lists them."""
    return {**_event_paths(), **_listing_paths(), **_token_paths(), **_ledger_paths(), **_code_paths()}


def _event_paths() -> dict[str, Any]:
    """POST and GET of events: the signed, appended records."""
    return {
        "/events": {
            "post": _op(
                "Record an event, or a batch of up to 100 in order and all or nothing; 201 with the receipts",
                "events",
                _json({"oneOf": [ref("Receipt"), ref("ReceiptBatch")]}),
                status=201,
                errors=(400, 401, 403, 404, 409, 413, 415, 422),
                body={"oneOf": [ref("EventCommand"), ref("EventBatch")]},
                params=[
                    _param(
                        "Idempotency-Key",
                        "header",
                        IDEMPOTENCY_KEY,
                        text="your key for this request: the same key and body again replays the first "
                        "answer (Idempotent-Replayed: true); the key with another body answers 409",
                    )
                ],
                headers={
                    "Location": {"schema": {"type": "string"}},
                    "Idempotent-Replayed": {"schema": {"type": "string"}},
                },
            )
        },
    }


def _listing_paths() -> dict[str, Any]:
    """Listings and single records, scoped to who asks."""
    return {
        "/zones": {
            "get": _op(
                "Zones (vùng nguyên liệu)", "zones", _page_of("ZonePublic"), params=PAGE, errors=LISTING
            )
        },
        "/zones/{zone_id}": {
            "get": _op("One zone", "zones", _json(ref("ZonePublic")), params=[_param("zone_id", "path", ID)])
        },
        "/lots": {
            "get": _op(
                "Lots",
                "lots",
                _page_of("LotPublic"),
                errors=LISTING,
                params=[
                    *PAGE,
                    _param(
                        "status",
                        "query",
                        {"type": "string", "enum": ["any", "active", "used", "packaged", "recalled"]},
                    ),
                ],
            )
        },
        "/lots/{lot_id}": {
            "get": _op(
                "One lot with its events",
                "lots",
                _json(ref("LotDetail")),
                params=[_param("lot_id", "path", ID)],
            )
        },
        "/lots/{lot_id}/lineage": {
            "get": _op(
                "Lineage back to the zones or forward to the packages",
                "lots",
                _json(ref("LineagePublic")),
                params=[
                    _param("lot_id", "path", ID),
                    _param("direction", "query", {"enum": ["back", "forward"]}),
                ],
            )
        },
        "/packages": {
            "get": _op(
                "Packages with the URI printed in their QR code",
                "packages",
                _page_of("PackagePublic"),
                params=[*PAGE, _param("lot_id", "query", ID)],
            )
        },
        "/packages/{serial}": {
            "get": _op(
                "One package", "packages", _json(ref("PackagePublic")), params=[_param("serial", "path", ID)]
            )
        },
        "/products": {
            "get": _op(
                "Products (public)",
                "products",
                _page_of("ProductPublic"),
                public=True,
                errors=(400,),
                params=[
                    *PAGE,
                    _param(
                        "organisation_id", "query", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
                    ),
                ],
            )
        },
        "/certificates": {
            "get": _op(
                "OCOP certificates",
                "products",
                _page_of("CertificatePublic"),
                errors=LISTING,
                params=[
                    *PAGE,
                    _param("product_id", "query", {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}),
                ],
            )
        },
        "/organisations": {
            "get": _op(
                "Organisations", "organisations", _page_of("OrganisationPublic"), errors=LISTING, params=PAGE
            )
        },
    }


def _token_paths() -> dict[str, Any]:
    """The caller's own API tokens."""
    return {
        "/tokens": {
            "get": _op("Your API tokens", "tokens", _page_of("TokenPublic"), errors=(401,)),
            "post": _op(
                "Create an API token (shown once); with a login session only: a bearer token gets 403",
                "tokens",
                _json(ref("TokenCreated")),
                status=201,
                errors=(400, 401, 403, 413, 415, 422),
                body=ref("TokenCreate"),
            ),
        },
        "/tokens/{token_id}": {
            "delete": _op(
                "Revoke a token; with a login session only: a bearer token gets 403",
                "tokens",
                _json(ref("TokenPublic")),
                params=[_param("token_id", "path", {"type": "string", "pattern": "^[0-9]{1,9}$"})],
                errors=(401, 403, 404),
            )
        },
    }


def _ledger_paths() -> dict[str, Any]:
    """The public ledger: checkpoint, entries, proofs, bundles, keys, EPCIS export."""
    return {
        "/ledger/checkpoint": {
            "get": _op(
                "Latest signed checkpoint (C2SP signed note) with the witnesses' cosignatures",
                "ledger",
                TEXT,
                public=True,
                params=[SIZE],
            )
        },
        "/ledger/entries/{index}": {
            "get": _op(
                "Envelope bytes exactly as hashed",
                "ledger",
                _json({"type": "object"}),
                public=True,
                params=[INDEX],
            )
        },
        "/ledger/proof/inclusion": {
            "get": _op(
                "RFC 9162 inclusion proof",
                "ledger",
                _json(ref("Proof")),
                public=True,
                params=[_param("index", "query", NUMBER, True), {**SIZE, "required": True}],
            )
        },
        "/ledger/proof/consistency": {
            "get": _op(
                "RFC 9162 consistency proof",
                "ledger",
                _json(ref("Proof")),
                public=True,
                params=[_param("from", "query", NUMBER, True), _param("to", "query", NUMBER, True)],
            )
        },
        "/ledger/bundle/{index}": {
            "get": _op("C2SP tlog-proof@v1 bundle", "ledger", TEXT, public=True, params=[INDEX, SIZE])
        },
        "/ledger/keys": {
            "get": _op(
                "Log verifier key and signing keys", "ledger", _json(ref("Keys")), public=True, errors=()
            )
        },
        "/epcis/events": {
            "get": _op(
                "A lot's lineage as a GS1 EPCIS 2.0 document",
                "epcis",
                {
                    "application/ld+json": {
                        "schema": {"type": "object", "required": ["@context", "type", "epcisBody"]}
                    }
                },
                public=True,
                params=[_param("lot", "query", ID, True)],
            )
        },
    }


def _code_paths() -> dict[str, Any]:
    """What is printed and verified: label sheets, QR codes, package proof bundles, this document."""
    return {
        "/lots/{lot_id}/labels.pdf": {
            "get": _op(
                "Label sheet of a packaged lot's packages (PDF, one QR code per label)",
                "labels",
                _binary("application/pdf"),
                errors=(400, 403, 404, 422),
                params=[
                    _param("lot_id", "path", ID),
                    _param("layout", "query", {"type": "string", "enum": sorted(LABEL_LAYOUTS)}),
                ],
            )
        },
        "/packages/{serial}/qr.svg": {
            "get": _op(
                "A package's QR code (SVG)",
                "labels",
                {"image/svg+xml": {"schema": {"type": "string"}}},
                public=True,
                errors=(404,),
                params=[_param("serial", "path", ID)],
            )
        },
        "/packages/{serial}/qr.png": {
            "get": _op(
                "A package's QR code (PNG)",
                "labels",
                _binary("image/png"),
                public=True,
                errors=(404, 422),
                params=[
                    _param("serial", "path", ID),
                    _param(
                        "scale",
                        "query",
                        {"type": "integer", "minimum": 1, "maximum": 64, "default": 8},
                        text="pixels per QR module",
                    ),
                ],
            )
        },
        "/packages/{serial}/proof": {
            "get": _op(
                "A package's proof bundle: signed events, inclusion proofs, checkpoint, keys (a scan)",
                "packages",
                _json({"type": "object"}),
                public=True,
                errors=(404, 422),
                params=[_param("serial", "path", ID)],
            )
        },
        "/openapi.json": {
            "get": _op("This document", "meta", _json({"type": "object"}), public=True, errors=())
        },
    }


def _binary(media_type: str) -> dict[str, Any]:
    return {media_type: {"schema": {"type": "string", "contentMediaType": media_type}}}
