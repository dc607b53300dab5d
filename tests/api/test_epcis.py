"""EPCIS 2.0 export: every demo lot's document validates against GS1's EPCIS JSON schema, maps each event
type as DESIGN.md says, carries ledger indexes and leaf hashes that match the log, and leaks no e-mail."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from jsonschema import Draft7Validator, FormatChecker

from tests.api.helpers import Api
from tests.support.standards import EPCIS
from tracer.ledger.merkle import leaf_hash

SCHEMA = json.loads((EPCIS / "EPCIS-JSON-Schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft7Validator(SCHEMA, format_checker=FormatChecker())
DEMO_LOTS = ["gac_oil", "gac_fruit", "cacao_powder", "sausage_recalled", "turmeric", "lychee"]


def _document(api: Api, lot_id: str) -> dict[str, Any]:
    response = api.get(None, f"/epcis/events?lot={lot_id}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/ld+json"
    text = response.get_data(as_text=True)
    assert "@" not in text.replace("@context", "").replace("@@", "")  # no e-mail addresses
    return json.loads(text, parse_float=Decimal)  # type: ignore[no-any-return]


def _by_type(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for event in doc["epcisBody"]["eventList"]:
        found.setdefault(event.get("bizStep") or event.get("disposition"), []).append(event)
    return found


@pytest.mark.parametrize("name", DEMO_LOTS)
def test_every_demo_lot_validates_against_the_epcis_schema(api: Api, demo: Any, name: str) -> None:
    doc = _document(api, demo.lots[name])
    errors = sorted(VALIDATOR.iter_errors(json.loads(json.dumps(doc, default=float))), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
    assert doc["type"] == "EPCISDocument" and doc["schemaVersion"] == "2.0"
    assert doc["@context"][0] == "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    assert doc["epcisBody"]["eventList"]


def test_gac_oil_maps_harvest_process_package_ship(api: Api, demo: Any) -> None:
    doc = _document(api, demo.lots["gac_oil"])
    steps = _by_type(doc)
    [harvest, packing] = steps["commissioning"]
    assert harvest["type"] == "ObjectEvent" and harvest["action"] == "ADD"
    assert harvest["readPoint"]["id"].startswith("https://trace.example.vn/id/zone/Z")
    assert harvest["quantityList"][0] == {
        "epcClass": f"https://trace.example.vn/id/lot/{demo.lots['gac_fruit']}",
        "quantity": 1200,
        "uom": "KGM",
    }
    [process] = steps["creating_class_instance"]
    assert process["type"] == "TransformationEvent" and process["ocop:step"] == "Ép dầu gấc"
    output = process["outputQuantityList"][0]
    assert output["epcClass"] == f"https://trace.example.vn/01/08935049500018/10/{demo.lots['gac_oil']}"
    assert output["quantity"] == 60 and output["uom"] == "LTR"
    # packaging is no aggregation (a lot is a class, packing no containment): the quantity of the lot
    # used becomes the package serials
    assert packing["type"] == "TransformationEvent" and "action" not in packing
    assert packing["inputQuantityList"] == [
        {
            "epcClass": f"https://trace.example.vn/01/08935049500018/10/{demo.lots['gac_oil']}",
            "quantity": 20,  # of the 60 L pressed (tracer/demo/gac.py)
            "uom": "LTR",
        }
    ]
    assert len(packing["outputEPCList"]) == 24 and "parentID" not in packing
    assert all(
        c.startswith(f"https://trace.example.vn/01/08935049500018/10/{demo.lots['gac_oil']}/21/")
        for c in packing["outputEPCList"]
    )
    [shipping] = steps["shipping"]
    assert (
        shipping["disposition"] == "in_transit"
        and shipping["ocop:salePoint"]["ocop:name"] == "Cửa hàng OCOP Trà Vinh"
    )
    raw = api.get(None, f"/epcis/events?lot={demo.lots['gac_oil']}").data
    assert "Ép dầu gấc".encode() in raw  # raw UTF-8


def test_events_carry_their_ledger_index_and_leaf_hash(api: Api, demo: Any) -> None:
    doc = _document(api, demo.lots["cacao_powder"])
    kinds = {e.get("bizStep") for e in doc["epcisBody"]["eventList"]}
    assert {"commissioning", "shipping", "receiving", "creating_class_instance"} <= kinds
    assert not any(e["type"] == "AggregationEvent" for e in doc["epcisBody"]["eventList"])
    for event in doc["epcisBody"]["eventList"]:
        index = event["ocop:ledgerIndex"]
        envelope = api.get(None, f"/ledger/entries/{index}").data
        assert event["ocop:leafHash"] == leaf_hash(envelope).hex()
        assert event["ocop:ledgerEntry"] == f"https://trace.example.vn/api/v1/ledger/entries/{index}"


def test_recall_has_disposition_recalled(api: Api, demo: Any) -> None:
    doc = _document(api, demo.lots["sausage_recalled"])
    [recall] = [e for e in doc["epcisBody"]["eventList"] if e.get("disposition") == "recalled"]
    assert recall["type"] == "ObjectEvent" and "nitrit" in recall["ocop:reason"]
    assert demo.lots["sausage_recalled"] in " ".join(q["epcClass"] for q in recall["quantityList"])


def test_inspection_is_an_inspecting_event(api: Api, demo: Any) -> None:
    from tests.support.accounts import INSPECTOR

    serial = api.all_items(INSPECTOR, f"/packages?lot_id={demo.lots['turmeric']}")[0]["serial"]
    api.record(INSPECTOR, {"type": "inspect", "serial": serial, "result": "fail", "place": "Chợ Cầu Kè"})
    doc = _document(api, demo.lots["turmeric"])
    [inspection] = _by_type(doc)["inspecting"]
    assert inspection["disposition"] == "non_conformant"
    assert inspection["epcList"] == [f"https://trace.example.vn/p/{serial}"]
    assert not list(VALIDATOR.iter_errors(json.loads(json.dumps(doc, default=float))))


@pytest.mark.parametrize(("query", "status"), [("", 400), ("?lot=LNOSUCHLOT", 404), ("?lot=%00", 400)])
def test_bad_lot_parameter(api: Api, query: str, status: int) -> None:
    response = api.get(None, f"/epcis/events{query}")
    assert response.status_code == status and response.mimetype == "application/problem+json"
