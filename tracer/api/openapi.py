"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 document of the JSON API.

Request bodies come from the pydantic command models (one schema per event type, discriminated by
``type``), responses from the ``*Public`` models, errors are RFC 9457 problem+json; the security scheme is
an RFC 6750 bearer token. Built once per app from the same models the views use, so it cannot drift.
The request guard (``tracer.platform.guard``) stands before every route: an operation that takes query
parameters may answer 400 for a control character in one, so the document says so for each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, request
from pydantic import BaseModel, TypeAdapter

from tracer.api import schemas
from tracer.api.events import MAX_BATCH
from tracer.api.http import answer
from tracer.api.openapi_paths import ERRORS, PROBLEM, REF, paths, ref
from tracer.events.dispatch import EventCommand
from tracer.platform.services import services

bp = Blueprint("openapi", __name__)
PAGED = {
    "ZonePublic",
    "LotPublic",
    "PackagePublic",
    "ProductPublic",
    "CertificatePublic",
    "OrganisationPublic",
    "TokenPublic",
}


def _static_schemas() -> dict[str, Any]:
    hashes = {"type": "array", "items": {"type": "string", "contentEncoding": "base64"}}
    nullable_int = {"type": ["integer", "null"]}
    return {
        "Proof": {
            "type": "object",
            "properties": {
                "index": {"type": "integer"},
                "size": {"type": "integer"},
                "from": {"type": "integer"},
                "to": {"type": "integer"},
                "hashes": hashes,
            },
            "required": ["hashes"],
        },
        "Keys": {
            "type": "object",
            "required": ["origin", "verifier_key", "keys"],
            "properties": {
                "origin": {"type": "string"},
                "verifier_key": {"type": "string"},
                "keys": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["keyid", "owner", "role", "public_key"],
                        "properties": {
                            "keyid": {"type": "string"},
                            "owner": {"type": "string"},
                            "role": {"type": "string"},
                            "public_key": {"type": "string"},
                            "registered_index": nullable_int,
                            "revoked_index": nullable_int,
                        },
                    },
                },
            },
        },
        **{
            f"{name}Page": {
                "type": "object",
                "required": ["items", "next"],
                "properties": {
                    "items": {"type": "array", "items": ref(name)},
                    "next": {"type": ["string", "null"]},
                },
            }
            for name in PAGED
        },
    }


def _model_schemas() -> dict[str, Any]:
    found: dict[str, Any] = {}
    command = TypeAdapter(EventCommand).json_schema(ref_template=REF, mode="validation")
    found.update(command.pop("$defs", {}))
    found["EventCommand"] = command
    found["EventBatch"] = {
        "type": "array",
        "description": "events recorded in order, all or nothing; a refusal's field starts with the "
        "event's place, as in [3].quantity",
        "items": ref("EventCommand"),
        "minItems": 1,
        "maxItems": MAX_BATCH,
    }
    models: list[tuple[type[BaseModel], str]] = [(schemas.TokenCreate, "validation")] + [
        (model, "serialization")
        for model in (
            schemas.Receipt,
            schemas.ReceiptBatch,
            schemas.Problem,
            schemas.ZonePublic,
            schemas.LotPublic,
            schemas.LotDetail,
            schemas.PackagePublic,
            schemas.ProductPublic,
            schemas.CertificatePublic,
            schemas.OrganisationPublic,
            schemas.LineagePublic,
            schemas.TokenPublic,
            schemas.TokenCreated,
        )
    ]
    for model, mode in models:
        schema = model.model_json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
        found.update(schema.pop("$defs", {}))
        found[model.__name__] = schema
    return found


def _guarded(item: dict[str, Any]) -> dict[str, Any]:
    """The path ``item`` with 400 among the answers of each operation that takes a query parameter."""
    for operation in item.values():
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            responses = operation["responses"]
            responses.setdefault("400", {"description": ERRORS[400], "content": PROBLEM})
            operation["responses"] = dict(sorted(responses.items()))
    return item


def document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "OCOP Tracer API",
            "version": "1",
            "description": "Traceability for Vietnam's OCOP programme: events, lots, packages, the ledger.",
        },
        "paths": {f"/api/v1{path}": _guarded(item) for path, item in paths().items()},
        "components": {
            "schemas": {**_model_schemas(), **_static_schemas()},
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "an API token: `python -m tracer token create` or POST /api/v1/tokens",
                }
            },
        },
    }


@dataclass(frozen=True)
class OpenAPIDocument:
    """The document, built once per process (its paths and schemas do not change while it runs)."""

    body: dict[str, Any]


@bp.get("/openapi.json")
def openapi_json() -> Response:
    cached = services().made(OpenAPIDocument, lambda _found: OpenAPIDocument(document())).body
    return answer(
        {**cached, "servers": [{"url": request.url_root.rstrip("/")}]},
        headers={"Access-Control-Allow-Origin": "*"},
    )
