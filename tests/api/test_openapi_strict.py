"""The OpenAPI document is as strict as the server (issue #22, item 13): openapi-spec-validator accepts it,
and requests it refuses (page bounds, cursor with offset, ledger sizes, Idempotency-Key, inspection targets
and serials) are the ones the server refuses with problem+json, while their valid neighbours pass both."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from tests.api.helpers import Api
from tests.support.accounts import INSPECTOR


def _document(app: Flask) -> dict[str, Any]:
    return app.test_client().get("/api/v1/openapi.json").get_json()  # type: ignore[no-any-return]


def _parameter(doc: dict[str, Any], path: str, name: str, method: str = "get") -> Draft202012Validator:
    [param] = [p for p in doc["paths"][f"/api/v1{path}"][method]["parameters"] if p["name"] == name]
    return Draft202012Validator(param["schema"])


def _body(doc: dict[str, Any]) -> Draft202012Validator:
    schema = {"$ref": "#/components/schemas/EventCommand", "components": doc["components"]}
    return Draft202012Validator(schema)


def test_openapi_spec_validator_accepts_the_document(app: Flask) -> None:
    validate(_document(app))


@pytest.mark.parametrize(
    ("query", "page", "valid"),
    [
        ("?limit=5", {"limit": 5}, True),
        ("?offset=3", {"offset": 3}, True),
        ("?cursor=abc&offset=3", {"cursor": "abc", "offset": 3}, False),
        ("?limit=0", {"limit": 0}, False),
        ("?limit=201", {"limit": 201}, False),
        ("?offset=1000000001", {"offset": 10**9 + 1}, False),
    ],
)
def test_paging_agrees(api: Api, query: str, page: dict[str, Any], valid: bool) -> None:
    doc = _document(api.app)
    assert _parameter(doc, "/lots", "page").is_valid(page) is valid
    response = api.get(INSPECTOR, f"/lots{query}")
    assert (response.status_code == 200) is valid, response.get_data(as_text=True)
    if not valid:
        assert response.status_code == 400 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("size", "valid"), [(1, True), (0, False), (2**62 + 1, False)])
def test_ledger_size_agrees(api: Api, size: int, valid: bool) -> None:
    doc = _document(api.app)
    assert _parameter(doc, "/ledger/proof/inclusion", "size").is_valid(size) is valid
    response = api.get(None, f"/ledger/proof/inclusion?index=0&size={size}")
    assert (response.status_code == 200) is valid, response.get_data(as_text=True)
    if not valid:
        assert response.status_code == 400 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize(("key", "valid"), [("k-1 ok~", True), ("clé", False), ("x" * 201, False)])
def test_idempotency_key_agrees(api: Api, demo: Any, key: str, valid: bool) -> None:
    doc = _document(api.app)
    assert _parameter(doc, "/events", "Idempotency-Key", "post").is_valid(key) is valid
    body = {"type": "inspect", "lot_id": demo.lots["turmeric"], "result": "pass", "place": "Chợ Trà Vinh"}
    response = api.post(INSPECTOR, "/events", body, **{"Idempotency-Key": key})
    assert (response.status_code == 201) is valid, response.get_data(as_text=True)
    if not valid:
        assert response.status_code == 400 and response.mimetype == "application/problem+json"


def _inspection(api: Api, demo: Any, which: str) -> dict[str, Any]:
    serial = api.all_items(INSPECTOR, f"/packages?lot_id={demo.lots['turmeric']}")[0]["serial"]
    targets = {
        "serial": {"serial": serial},
        "lot": {"lot_id": demo.lots["turmeric"]},
        "both": {"serial": serial, "lot_id": demo.lots["turmeric"]},
        "neither": {},
        "nulls": {"serial": None, "lot_id": None},
        "serial and null lot": {"serial": serial, "lot_id": None},
        "lower-case serial": {"serial": serial.lower()},
        "serial with a U": {"serial": "U" + serial[1:]},
        "long serial": {"serial": serial + "0"},
    }
    return {"type": "inspect", **targets[which], "result": "pass", "place": "Chợ Trà Vinh"}


@pytest.mark.parametrize(
    ("which", "valid"),
    [
        ("serial", True),
        ("lot", True),
        ("serial and null lot", True),
        ("both", False),
        ("neither", False),
        ("nulls", False),
        ("lower-case serial", False),
        ("serial with a U", False),
        ("long serial", False),
    ],
)
def test_inspection_target_agrees(api: Api, demo: Any, which: str, valid: bool) -> None:
    body = _inspection(api, demo, which)
    assert _body(_document(api.app)).is_valid(body) is valid
    response = api.post(INSPECTOR, "/events", body)
    assert (response.status_code == 201) is valid, response.get_data(as_text=True)
    if not valid:
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
