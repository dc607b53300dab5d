"""GET listings: paging (cursor and offset), organisation scoping, package URIs, and lineage back/forward."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.helpers import Api
from tests.support.accounts import ADMIN, CACAO_PRODUCER, GAC_PRODUCER, INSPECTOR, SAUSAGE_PRODUCER

PATHS = ["/zones", "/lots", "/packages", "/certificates", "/organisations"]


@pytest.mark.parametrize("path", PATHS)
def test_listings_need_a_token(api: Api, path: str) -> None:
    response = api.get(None, path)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_products_are_public(api: Api) -> None:
    response = api.get(None, "/products")
    assert response.status_code == 200
    names = [p["name"] for p in response.get_json()["items"]]
    assert "Dầu gấc Mỹ Cẩm" in names
    assert "Dầu gấc Mỹ Cẩm".encode() in response.data


def test_cursor_pages_cover_everything_once(api: Api) -> None:
    whole = api.get(INSPECTOR, "/lots?limit=200").get_json()
    assert whole["next"] is None and len(whole["items"]) > 5
    seen: list[str] = []
    cursor = None
    while True:
        page = api.get(INSPECTOR, "/lots?limit=2" + (f"&cursor={cursor}" if cursor else "")).get_json()
        assert len(page["items"]) <= 2
        seen += [lot["id"] for lot in page["items"]]
        cursor = page["next"]
        if cursor is None:
            break
    assert seen == [lot["id"] for lot in whole["items"]]
    assert len(set(seen)) == len(seen)


def test_offset_paging(api: Api) -> None:
    everything = [lot["id"] for lot in api.get(INSPECTOR, "/lots?limit=200").get_json()["items"]]
    page = api.get(INSPECTOR, "/lots?limit=3&offset=2").get_json()
    assert [lot["id"] for lot in page["items"]] == everything[2:5]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("limit=abc", "limit"),
        ("offset=-1", "offset"),
        ("cursor=%21%21", "cursor"),
        ("cursor=WzFd&offset=3", "offset"),
        ("status=lost", "status"),
    ],
)
def test_bad_paging_parameters_are_400(api: Api, query: str, field: str) -> None:
    response = api.get(INSPECTOR, f"/lots?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["field"] == field


def test_producer_sees_only_its_organisation(api: Api, demo: Any) -> None:
    mine = api.all_items(GAC_PRODUCER, "/lots")
    assert {lot["organisation_id"] for lot in mine} == {mine[0]["organisation_id"]}
    assert demo.lots["gac_oil"] in {lot["id"] for lot in mine}
    assert demo.lots["cacao_powder"] not in {lot["id"] for lot in mine}
    for path in (
        f"/lots/{demo.lots['cacao_powder']}",
        f"/lots/{demo.lots['cacao_powder']}/lineage",
        f"/packages?lot_id={demo.lots['cacao_powder']}",
    ):
        response = api.get(GAC_PRODUCER, path)
        assert response.status_code == 404 or response.get_json()["items"] == [], path
    zones = api.all_items(GAC_PRODUCER, "/zones")
    assert [z["name"] for z in zones] == ["Vườn gấc ấp số 2"]
    other = api.all_items(CACAO_PRODUCER, "/packages")
    assert other and api.get(GAC_PRODUCER, f"/packages/{other[0]['serial']}").status_code == 404
    assert api.get(INSPECTOR, f"/packages/{other[0]['serial']}").status_code == 200
    everyone = api.all_items(ADMIN, "/lots")
    assert len({lot["organisation_id"] for lot in everyone}) >= 4


def test_package_items_carry_their_printed_uri(api: Api, demo: Any) -> None:
    products = {p["id"]: p for p in api.all_items(None, "/products")}
    packages = api.all_items(INSPECTOR, "/packages")
    assert packages
    for package in packages:
        gtin = products[package["product_id"]]["gtin"]
        if gtin:
            expected = f"https://trace.example.vn/01/{gtin}/10/{package['lot_id']}/21/{package['serial']}"
        else:
            expected = f"https://trace.example.vn/p/{package['serial']}"
        assert package["uri"] == expected
    assert any("/p/" in p["uri"] for p in packages) and any("/01/" in p["uri"] for p in packages)


def test_gac_oil_lineage_back_reaches_the_my_cam_zone(api: Api, demo: Any) -> None:
    response = api.get(GAC_PRODUCER, f"/lots/{demo.lots['gac_oil']}/lineage?direction=back")
    assert response.status_code == 200
    lineage = response.get_json()
    assert {lot["id"] for lot in lineage["lots"]} == {demo.lots["gac_oil"], demo.lots["gac_fruit"]}
    [zone] = lineage["zones"]
    assert (
        zone["commune"] == "Xã Mỹ Cẩm"
        and zone["district"] == "Huyện Càng Long"
        and zone["province"] == "Trà Vinh"
    )
    [harvest] = lineage["harvests"]
    assert harvest["lot_id"] == demo.lots["gac_fruit"] and harvest["zone_id"] == zone["id"]
    assert harvest["quantity"] == "1200" and harvest["unit"] == "kg"
    assert lineage["edges"] == [
        {
            "input_lot_id": demo.lots["gac_fruit"],
            "output_lot_id": demo.lots["gac_oil"],
            "quantity": "1200",
            "ledger_index": lineage["edges"][0]["ledger_index"],
        }
    ]
    assert lineage["packages"] is None


def test_recalled_pork_lineage_forward_reaches_the_sausage_packages(api: Api, demo: Any) -> None:
    sausage = demo.lots["sausage_recalled"]
    back = api.get(SAUSAGE_PRODUCER, f"/lots/{sausage}/lineage?direction=back").get_json()
    [pork] = [lot for lot in back["lots"] if lot["zone_id"]]
    assert pork["name"] == "Thịt heo nạc" and pork["status"] == "recalled"
    forward = api.get(SAUSAGE_PRODUCER, f"/lots/{pork['id']}/lineage?direction=forward").get_json()
    assert {lot["id"] for lot in forward["lots"]} == {pork["id"], sausage}
    assert {lot["status"] for lot in forward["lots"]} == {"recalled"}
    packages = forward["packages"]
    assert packages["count"] == 10 and len(packages["sample"]) == 10
    assert {p["lot_id"] for p in packages["sample"]} == {sausage}
    assert {p["status"] for p in packages["sample"]} == {"recalled"}
    assert forward["zones"] == [] and forward["harvests"] == []


def test_lineage_direction_is_checked(api: Api, demo: Any) -> None:
    response = api.get(INSPECTOR, f"/lots/{demo.lots['gac_oil']}/lineage?direction=sideways")
    assert response.status_code == 400 and response.get_json()["field"] == "direction"


def test_unknown_ids_are_404(api: Api) -> None:
    for path in (
        "/lots/LNOSUCHLOT",
        "/zones/ZNOSUCH",
        "/packages/NOSUCHSERIAL",
        "/lots/bad%00id",
        "/lots/" + "L" * 40,
    ):
        response = api.get(INSPECTOR, path)
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"
