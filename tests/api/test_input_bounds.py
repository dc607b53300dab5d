"""Issue 18's reproductions against the API, each once a server error: now a 4xx problem+json naming the
field, with nothing written (the ledger's size unchanged), on SQLite and on PostgreSQL."""

from __future__ import annotations

import base64
import json
import unicodedata
from typing import Any

import pytest

from tests.api.helpers import Api, day
from tests.support.accounts import AUTHORITY, GAC_PRODUCER, INSPECTOR

BIG = 2**63
LISTINGS = ["/products", "/lots", "/packages", "/certificates", "/organisations", "/zones"]


def cursor(*values: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


def refused(response: Any, status: int, field: str | None) -> dict[str, Any]:
    """The answer is the 4xx ``status`` as problem+json naming ``field``; its problem."""
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status and problem["detail"]
    assert problem.get("field") == field, problem
    assert "Traceback" not in response.get_data(as_text=True)
    return problem  # type: ignore[no-any-return]


CURSORS = [(BIG,), (-BIG,), (2**31,), ("abc",), ("L\x00X",), ("x" * 65,), (True,), (1.5,), ([1],), (1, 2)]


@pytest.mark.parametrize("path", LISTINGS)
def test_a_cursor_out_of_bounds_or_of_the_wrong_type_is_400(api: Api, path: str) -> None:
    for values in CURSORS:
        response = api.get(INSPECTOR, f"{path}?cursor={cursor(*values)}")
        if _fits(path, values):  # a value of the key's type within its column: a page, maybe empty
            assert response.status_code == 200, response.get_data(as_text=True)
            continue
        problem = refused(response, 400, "cursor")
        assert problem["detail"] == "cursor is not one this API gave out"


def _fits(path: str, values: tuple[Any, ...]) -> bool:
    if len(values) != 1:
        return False
    if path in ("/products", "/organisations"):  # keyed by integer ids
        return type(values[0]) is int and -(2**31) <= values[0] < 2**31
    return isinstance(values[0], str) and values[0].isascii() and values[0].isalnum() and len(values[0]) <= 64


def test_a_cursor_of_the_right_type_still_pages(api: Api) -> None:
    first = api.get(INSPECTOR, "/products?limit=1").get_json()
    assert first["next"]
    again = api.get(INSPECTOR, f"/products?limit=1&cursor={cursor(2**31 - 1)}")
    assert again.status_code == 200 and again.get_json() == {"items": [], "next": None}


def test_qr_scale_in_anything_but_ascii_digits_1_to_64_is_400(api: Api) -> None:
    serial = api.get(GAC_PRODUCER, "/packages?limit=1").get_json()["items"][0]["serial"]
    for scale in ["%C2%B2", "%D9%A3", "%EF%BC%93", "99999999999999999999", "0", "65", "-1", "1.0", ""]:
        refused(api.client.get(f"/api/v1/packages/{serial}/qr.png?scale={scale}"), 400, "scale")
    assert api.client.get(f"/api/v1/packages/{serial}/qr.png?scale=2").status_code == 200


def test_a_nul_in_a_serial_is_404_not_a_server_error(api: Api) -> None:
    for path in ["/packages/AB%00CD/qr.svg", "/packages/AB%00CD/qr.png", "/packages/AB%00CD/proof",
                 "/packages/AB%00CD", "/lots/L%00/lineage"]:  # fmt: skip
        problem = refused(api.get(INSPECTOR, path), 404, "path")
        assert "U+0000" in problem["detail"]


def test_a_control_character_in_a_query_parameter_is_400_naming_it(api: Api) -> None:
    for path, name in [("/packages?lot_id=L%00", "lot_id"), ("/lots?status=%00", "status"),
                       ("/products?organisation_id=1%00", "organisation_id"), ("/lots?cursor=%00", "cursor"),
                       ("/lots?limit=%7F", "limit"), ("/zones?x=%C2%85", "x")]:  # fmt: skip
        problem = refused(api.get(INSPECTOR, path), 400, name)
        assert problem["detail"].startswith(f"{name} holds the control character U+00")


def _harvest(zone: str, **changes: Any) -> dict[str, Any]:
    return {"type": "harvest", "zone_id": zone, "name": "Quả gấc", "quantity": "10", "unit": "kg",
            "harvested_on": day(), **changes}  # fmt: skip


@pytest.fixture
def zone(api: Api) -> str:
    return str(api.get(GAC_PRODUCER, "/zones").get_json()["items"][0]["id"])


@pytest.mark.parametrize("where", ["harvest", "package", "ship", "certify"])
def test_ids_beyond_the_column_are_422_and_store_nothing(api: Api, demo: Any, zone: str, where: str) -> None:
    before = api.size()
    for number in [BIG, 2**31, 2**70, 0, -1, True, "²"]:
        user, field, body = {
            "harvest": (GAC_PRODUCER, "product_id", _harvest(zone, product_id=number)),
            "package": (GAC_PRODUCER, "product_id", {"type": "package", "lot_id": demo.lots["gac_oil"],
                        "product_id": number, "count": 2, "net_content": "1 l", "packed_on": day()}),
            "ship": (GAC_PRODUCER, "to_organisation_id", {"type": "ship", "lot_id": demo.lots["gac_oil"],
                     "shipped_on": day(), "to_organisation_id": number}),
            "certify": (AUTHORITY, "product_id", {"type": "certify", "product_id": number, "stars": 3,
                        "decision_no": "1/QĐ", "issuing_level": "tinh", "issued_on": day()}),
        }[where]  # fmt: skip
        refused(api.post(user, "/events", body), 422, field)
    assert api.size() == before


def test_a_harvest_dated_year_1_or_9999_is_422(api: Api, zone: str) -> None:
    before = api.size()
    for harvested in ["0001-01-01", "1999-12-31", "9999-12-31"]:
        problem = refused(api.post(GAC_PRODUCER, "/events", _harvest(zone, harvested_on=harvested)), 422,
                          "harvested_on")  # fmt: skip
        assert harvested in problem["detail"]
    assert api.size() == before


def test_a_certificate_valid_from_year_1_to_9999_is_422(api: Api) -> None:
    product = api.get(AUTHORITY, "/products?limit=1").get_json()["items"][0]["id"]
    before = api.size()
    cases = [
        ("0001-01-01", "9999-12-31", "issued_on"),
        (None, "9999-12-31", "valid_until"),
        ("9999-12-01", None, "issued_on"),
        (None, "0001-01-01", "valid_until"),
    ]
    for issued, until, field in cases:
        body = {"type": "certify", "product_id": product, "stars": 3, "decision_no": "1/QĐ",
                "issuing_level": "tinh", "issued_on": issued or day(),
                **({"valid_until": until} if until else {})}  # fmt: skip
        refused(api.post(AUTHORITY, "/events", body), 422, field)
    assert api.size() == before


SPOOFS = [
    ("Gấc\u202e", "U+202E"),  # right-to-left override
    ("\u2066Gấc\u2069", "U+2066"),  # left-to-right isolate
    ("G\u200bấc", "U+200B"),  # zero-width space
    ("Gấc\u200dx", "U+200D"),  # zero-width joiner
    ("\ufeffGấc", "U+FEFF"),  # byte-order mark
    ("Gấc\u2060x", "U+2060"),  # word joiner
    ("G\x07ấc", "U+0007"),
    ("G\x1bấc", "U+001B"),
    ("G\x85ấc", "U+0085"),
    ("Gấc\x00", "U+0000"),
    ("Gấc\u2028x", "U+2028"),  # line separator
]


@pytest.mark.parametrize("field", ["name", "unit"])
def test_spoofing_and_control_characters_in_producer_text_are_422(api: Api, zone: str, field: str) -> None:
    before = api.size()
    for text, code in SPOOFS:
        problem = refused(api.post(GAC_PRODUCER, "/events", _harvest(zone, **{field: text})), 422, field)
        assert code in problem["detail"], (text, problem)
    assert api.size() == before


def test_control_characters_are_refused_anywhere_in_a_json_body(api: Api, zone: str) -> None:
    body = {"type": "zone.register", "name": "Vườn", "commune": "Mỹ Cẩm", "district": "Càng Long",
            "province": "Trà Vinh", "crop": "Gấc",
            "polygon": {"type": "Polygon", "coordinates": [[[1, 1]]], "name": "a\x01b"}}  # fmt: skip
    before = api.size()
    refused(api.post(GAC_PRODUCER, "/events", body), 422, "polygon.name")
    lone = b'{"type": "harvest", "zone_id": "' + zone.encode() + b'", "name": "\\ud800"}'
    headers = api.headers(GAC_PRODUCER, **{"Content-Type": "application/json"})
    response = api.client.post("/api/v1/events", data=lone, headers=headers)
    assert "U+D800" in refused(response, 422, "name")["detail"]
    assert api.size() == before


def test_tab_and_line_breaks_stay_allowed_where_text_has_lines(api: Api, demo: Any) -> None:
    body = {"type": "recall", "lot_ids": [demo.lots["gac_oil"]], "reason": "Nhiễm khuẩn:\n\tlô mẫu số 2"}
    assert api.post(GAC_PRODUCER, "/events", body).status_code == 201
    refused(api.post(GAC_PRODUCER, "/events", {**body, "reason": "Nhiễm\u202ekhuẩn"}), 422, "reason")


def test_vietnamese_is_stored_in_one_spelling_nfc(api: Api, zone: str) -> None:
    decomposed = unicodedata.normalize("NFD", "Quả gấc chín Trà Vinh")
    assert decomposed != "Quả gấc chín Trà Vinh"
    receipt = api.record(GAC_PRODUCER, _harvest(zone, name=decomposed))
    assert receipt["event"]["lot"]["name"] == "Quả gấc chín Trà Vinh"


def test_the_openapi_document_states_the_bounds(api: Api) -> None:
    doc = api.client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    product_id = schemas["Harvest"]["properties"]["product_id"]["anyOf"][0]
    assert (product_id["minimum"], product_id["maximum"]) == (1, 2**31 - 1)
    qr = doc["paths"]["/api/v1/packages/{serial}/qr.png"]["get"]["responses"]
    assert "400" in qr  # the request guard answers a control character in a query parameter so
