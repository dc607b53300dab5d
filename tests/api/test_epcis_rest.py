"""The EPCIS 2.0 REST query interface under /epcis/ (issue #22): standard query parameters, pagination by
nextPageToken and the Link header, an event by its hash ID, the GS1 version headers, problem+json for a
parameter it does not support."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from tests.api.helpers import Api
from tests.support.standards import EPCIS

REST_SPEC = (EPCIS / "epcis-rest-openapi.yaml").read_text(encoding="utf-8")


def _get(client: FlaskClient, url: str) -> tuple[dict[str, Any], Any]:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["GS1-EPCIS-Version"] == "2.0.0" and response.headers["GS1-CBV-Version"] == "2.0.0"
    assert response.mimetype == "application/ld+json"
    return json.loads(response.get_data(as_text=True)), response


def _events(doc: dict[str, Any]) -> list[dict[str, Any]]:
    assert doc["type"] == "EPCISQueryDocument"
    return doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"]  # type: ignore[no-any-return]


def _all(client: FlaskClient, query: str, per_page: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    url: str | None = f"/epcis/events?perPage={per_page}{query}"
    while url:
        doc, response = _get(client, url)
        page = _events(doc)
        assert len(page) <= per_page
        found += page
        link = response.headers.get("Link")
        url = link[1 : link.index(">")].removeprefix("https://trace.example.vn") if link else None
    return found


def test_the_standard_names_these_parameters() -> None:
    for name in ("GE_eventTime", "LT_eventTime", "EQ_bizStep", "MATCH_epc", "MATCH_anyEPC", "EQ_bizLocation"):
        assert name in REST_SPEC
    assert "nextPageToken" in REST_SPEC and "GS1-EPCIS-Version" in REST_SPEC


def test_pages_walk_every_event_once(api: Api, demo: Any) -> None:
    every = _all(api.client, "", 100)
    paged = _all(api.client, "", 3)
    assert [e["eventID"] for e in paged] == [e["eventID"] for e in every]
    assert len({e["eventID"] for e in every}) == len(every) > 10
    indexes = [e["ocop:ledgerIndex"] for e in every]
    assert indexes == sorted(indexes)


def test_filters(api: Api, demo: Any) -> None:
    every = _all(api.client, "", 100)
    transformations = _all(api.client, "&eventType=TransformationEvent", 100)
    assert transformations and transformations == [e for e in every if e["type"] == "TransformationEvent"]
    shipping = _all(api.client, "&EQ_bizStep=https://ref.gs1.org/cbv/BizStep-shipping|receiving", 100)
    assert shipping == [e for e in every if e.get("bizStep") in ("shipping", "receiving")]
    times = sorted(datetime.fromisoformat(e["eventTime"]) for e in every)
    middle = times[len(times) // 2]
    later = _all(api.client, f"&GE_eventTime={quote(middle.isoformat())}", 100)
    assert later == [e for e in every if datetime.fromisoformat(e["eventTime"]) >= middle]
    assert 0 < len(later) < len(every)
    before = _all(api.client, f"&LT_eventTime={middle.isoformat()}", 100)  # "+" unencoded: a space
    assert before == [e for e in every if datetime.fromisoformat(e["eventTime"]) < middle]
    [packing] = [e for e in every if "outputEPCList" in e][:1]
    package = packing["outputEPCList"][5]
    assert _all(api.client, f"&MATCH_anyEPC={quote(package)}", 100) == [packing]
    assert _all(api.client, f"&MATCH_epc={quote(package)}", 100) == []  # not an epcList nor childEPCs
    harvest = next(e for e in every if "bizLocation" in e)
    zone = harvest["bizLocation"]["id"]
    located = _all(api.client, f"&EQ_bizLocation={quote(zone)}", 100)
    assert harvest in located and all(e["bizLocation"]["id"] == zone for e in located)


def test_an_event_by_its_hash_id(api: Api, demo: Any) -> None:
    every = _all(api.client, "", 100)
    for wanted in (every[0], every[-1]):
        doc, _ = _get(api.client, f"/epcis/events/{quote(wanted['eventID'], safe='')}")
        assert {k: v for k, v in doc.items() if k != "@context"} == wanted
    missing = api.client.get(f"/epcis/events/{quote('ni:///sha-256;' + '0' * 64 + '?ver=CBV2.0', safe='')}")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    for junk in ("x", "ni:///sha-256;" + "0" * 64, quote("ni:///sha-256;" + "0" * 63 + "\x00?ver=CBV2.0")):
        response = api.client.get(f"/epcis/events/{junk}")
        assert response.status_code in (400, 404) and response.mimetype == "application/problem+json"


def test_query_documents_validate_against_the_epcis_schema(api: Api, demo: Any) -> None:
    from jsonschema import Draft7Validator, FormatChecker

    validator = Draft7Validator(
        json.loads((EPCIS / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8")),
        format_checker=FormatChecker(),
    )
    doc, _ = _get(api.client, "/epcis/events?perPage=100")
    errors = sorted(validator.iter_errors(doc), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


@pytest.mark.parametrize(
    "query",
    [
        "EQ_action=ADD",
        "eventType=Nothing",
        "GE_eventTime=yesterday",
        "GE_eventTime=2026-01-01T00:00:00",
        "perPage=0",
        "perPage=101",
        "perPage=1&perPage=2",
        "nextPageToken=-1",
        "nextPageToken=%00",
        "EQ_bizStep=",
    ],
)
def test_bad_parameters_are_problems(api: Api, query: str) -> None:
    response = api.client.get(f"/epcis/events?{query}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json", query
