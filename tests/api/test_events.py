"""POST /api/v1/events end to end, one test per event type: the receipt, the projection read back through
GET, and the ledger growing by exactly one entry."""

from __future__ import annotations

from typing import Any

from tests.api.helpers import Api, day
from tests.support.accounts import AUTHORITY, CACAO_PRODUCER, FARMER, GAC_PRODUCER, INSPECTOR


def _gac_zone(api: Api) -> str:
    return str(api.get(GAC_PRODUCER, "/zones").get_json()["items"][0]["id"])


def _product_of(api: Api, name_part: str) -> dict[str, Any]:
    products = api.all_items(None, "/products")
    return next(p for p in products if name_part in p["name"])


def _org_id(api: Api, name_part: str) -> int:
    return int(next(o["id"] for o in api.all_items(INSPECTOR, "/organisations") if name_part in o["name"]))


def _recorded(api: Api, email: str, body: dict[str, Any]) -> dict[str, Any]:
    before = api.size()
    receipt = api.record(email, body)
    assert api.size() == before + 1
    assert receipt["ledger_index"] == before
    assert receipt["type"] == body["type"]
    assert len(receipt["leaf_hash"]) == 64 and receipt["keyid"]
    assert receipt["event"]["type"] == body["type"]
    return receipt


def _harvest(api: Api, quantity: str = "50") -> str:
    body = {
        "type": "harvest",
        "zone_id": _gac_zone(api),
        "name": "Quả gấc chín",
        "quantity": quantity,
        "unit": "kg",
        "harvested_on": day(-1),
    }
    return str(api.record(GAC_PRODUCER, body)["created"]["lot_ids"][0])


def _process(api: Api, product_id: int | None = None) -> str:
    raw = _harvest(api)
    output = {"name": "Dầu gấc nguyên chất", "quantity": "3.5", "unit": "lít"}
    if product_id is not None:
        output["product_id"] = product_id  # type: ignore[assignment]
    body = {
        "type": "process",
        "step": "Ép dầu gấc",
        "processed_on": day(),
        "inputs": [{"lot_id": raw, "quantity": "50"}],
        "outputs": [output],
    }
    return str(api.record(GAC_PRODUCER, body)["created"]["lot_ids"][0])


def test_zone_register(api: Api) -> None:
    body = {
        "type": "zone.register",
        "name": "Vườn gấc ấp số 3",
        "commune": "Xã Mỹ Cẩm",
        "district": "Huyện Càng Long",
        "province": "Trà Vinh",
        "crop": "Gấc",
        "area_ha": "1.25",
        "latitude": 9.98,
        "longitude": "106.19",
    }
    receipt = _recorded(api, GAC_PRODUCER, body)
    zone_id = receipt["created"]["zone_id"]
    response = api.get(GAC_PRODUCER, f"/zones/{zone_id}")
    assert response.status_code == 200
    assert "Vườn gấc ấp số 3".encode() in response.data  # raw UTF-8, not \u escapes
    zone = response.get_json()
    assert (
        zone["area_ha"] == "1.25"
        and zone["latitude"] == "9.98"
        and zone["ledger_index"] == receipt["ledger_index"]
    )


def test_harvest(api: Api) -> None:
    body = {
        "type": "harvest",
        "zone_id": _gac_zone(api),
        "name": "Quả gấc chín",
        "quantity": 12.5,
        "unit": "kg",
        "harvested_on": day(),
    }
    receipt = _recorded(api, GAC_PRODUCER, body)
    lot_id = receipt["created"]["lot_ids"][0]
    lot = api.get(GAC_PRODUCER, f"/lots/{lot_id}").get_json()
    assert lot["quantity"] == "12.5" and lot["remaining"] == "12.5" and lot["zone_id"] == body["zone_id"]
    assert [e["type"] for e in lot["events"]] == ["harvest"]


def test_process(api: Api) -> None:
    raw = _harvest(api, "80")
    body = {
        "type": "process",
        "step": "Ép dầu gấc",
        "processed_on": day(),
        "inputs": [{"lot_id": raw, "quantity": "30"}],
        "outputs": [{"name": "Dầu gấc", "quantity": "2.4", "unit": "lít"}],
    }
    receipt = _recorded(api, GAC_PRODUCER, body)
    out = receipt["created"]["lot_ids"][0]
    assert api.get(GAC_PRODUCER, f"/lots/{raw}").get_json()["remaining"] == "50"
    lineage = api.get(GAC_PRODUCER, f"/lots/{out}/lineage?direction=back").get_json()
    assert {lot["id"] for lot in lineage["lots"]} == {raw, out}


def test_package(api: Api) -> None:
    product = _product_of(api, "Dầu gấc")
    lot_id = _process(api, product["id"])
    body = {
        "type": "package",
        "lot_id": lot_id,
        "product_id": product["id"],
        "count": 7,
        "net_content": "100 ml",
        "packed_on": day(),
    }
    receipt = _recorded(api, GAC_PRODUCER, body)
    assert receipt["created"]["serial_count"] == 7
    packages = api.all_items(GAC_PRODUCER, f"/packages?lot_id={lot_id}")
    assert len(packages) == 7
    gtin = product["gtin"]
    for package in packages:
        assert package["uri"] == f"https://trace.example.vn/01/{gtin}/10/{lot_id}/21/{package['serial']}"
        assert package["lot_id"] == lot_id
    assert api.get(GAC_PRODUCER, f"/lots/{lot_id}").get_json()["status"] == "packaged"


def test_ship_and_receive(api: Api) -> None:
    beans = api.record(
        FARMER,
        {
            "type": "harvest",
            "zone_id": api.get(FARMER, "/zones").get_json()["items"][0]["id"],
            "name": "Hạt cacao tươi",
            "quantity": "100",
            "unit": "kg",
            "harvested_on": day(-2),
        },
    )["created"]["lot_ids"][0]
    coop = _org_id(api, "Cacao Ea Kly")
    _recorded(
        api, FARMER, {"type": "ship", "lot_id": beans, "shipped_on": day(-1), "to_organisation_id": coop}
    )
    assert api.get(FARMER, f"/lots/{beans}").get_json()["in_transit_to"] == coop
    receipt = _recorded(api, CACAO_PRODUCER, {"type": "receive", "lot_id": beans, "received_on": day()})
    assert receipt["created"]["lot_id"] == beans
    lot = api.get(CACAO_PRODUCER, f"/lots/{beans}").get_json()
    assert lot["organisation_id"] == coop and lot["in_transit_to"] is None
    assert [e["role"] for e in lot["events"]] == ["created", "shipped", "received"]
    assert api.get(FARMER, f"/lots/{beans}").status_code == 404  # no longer the farmer's


def test_ship_to_sale_point(api: Api) -> None:
    lot_id = _harvest(api)
    _recorded(
        api,
        GAC_PRODUCER,
        {
            "type": "ship",
            "lot_id": lot_id,
            "shipped_on": day(),
            "sale_point": {"name": "Cửa hàng OCOP Càng Long", "province": "Trà Vinh"},
        },
    )
    events = api.get(GAC_PRODUCER, f"/lots/{lot_id}").get_json()["events"]
    assert events[-1]["type"] == "ship"


def test_recall(api: Api) -> None:
    product = _product_of(api, "Dầu gấc")
    lot_id = _process(api, product["id"])
    api.record(
        GAC_PRODUCER,
        {
            "type": "package",
            "lot_id": lot_id,
            "product_id": product["id"],
            "count": 3,
            "net_content": "100 ml",
            "packed_on": day(),
        },
    )
    receipt = _recorded(
        api, GAC_PRODUCER, {"type": "recall", "lot_ids": [lot_id], "reason": "Nghi nhiễm khuẩn"}
    )
    assert receipt["created"]["lot_ids"] == [lot_id]
    lot = api.get(GAC_PRODUCER, f"/lots/{lot_id}").get_json()
    assert lot["status"] == "recalled" and lot["recall_reason"] == "Nghi nhiễm khuẩn"
    assert {p["status"] for p in api.all_items(GAC_PRODUCER, f"/packages?lot_id={lot_id}")} == {"recalled"}


def test_certify(api: Api) -> None:
    product = _product_of(api, "Tinh bột nghệ")
    receipt = _recorded(
        api,
        AUTHORITY,
        {
            "type": "certify",
            "product_id": product["id"],
            "stars": 4,
            "decision_no": "77/QĐ-UBND",
            "issuing_level": "tinh",
            "issued_on": day(),
        },
    )
    certificate_id = receipt["created"]["certificate_id"]
    listed = api.all_items(GAC_PRODUCER, f"/certificates?product_id={product['id']}")
    mine = next(c for c in listed if c["id"] == certificate_id)
    assert (
        mine["stars"] == 4 and mine["decision_no"] == "77/QĐ-UBND" and mine["valid_until"] > day(365 * 3 - 2)
    )


def test_inspect(api: Api, demo: Any) -> None:
    serial = demo.packages.get("gac_oil", [None])[0] if demo.packages else None
    if serial is None:
        serial = api.all_items(INSPECTOR, f"/packages?lot_id={demo.lots['gac_oil']}")[0]["serial"]
    receipt = _recorded(
        api,
        INSPECTOR,
        {
            "type": "inspect",
            "serial": serial,
            "result": "pass",
            "place": "Chợ Trà Vinh",
            "province": "Trà Vinh",
        },
    )
    assert receipt["created"] == {"lot_id": demo.lots["gac_oil"], "serial": serial}
    events = api.get(INSPECTOR, f"/lots/{demo.lots['gac_oil']}").get_json()["events"]
    assert events[-1] == {
        "ledger_index": receipt["ledger_index"],
        "type": "inspect",
        "role": "inspected",
        "occurred_on": None,
    }
