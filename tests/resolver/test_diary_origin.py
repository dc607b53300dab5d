"""The farm diary on the origin page and in the package's proof (issue #19, item 6), on both databases: the
gấc oil's page summarises what was applied to its zone up to the harvest (not what came after), and the
package's bundle carries the diary entries its zone's map list names, so it still verifies GENUINE."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from tests.api.helpers import Api, day
from tests.resolver.conftest import Pkg
from tests.scanner.conftest import log_key
from tests.support.accounts import GAC_PRODUCER
from tracer.events.rules import today
from tracer.proofs.verdict import verify_package_bundle


def _diary(api: Api, zone: str) -> None:
    spray = {"kind": "protection", "product": "Amistar Top 325SC", "dose": "10 ml / bình 16 l", "phi_days": 7}
    late = {"kind": "protection", "product": "Sau này 10EC", "dose": "5 ml", "phi_days": 3}
    entries = [
        {"kind": "fertiliser", "applied_on": day(-60), "product": "Phân hữu cơ", "dose": "2 kg / gốc"},
        {**spray, "applied_on": day(-55)},
        {"kind": "irrigation", "applied_on": day(-50)},
        {"kind": "irrigation", "applied_on": day(-48)},
        {**late, "applied_on": day(-2)},
    ]
    for entry in entries:
        api.record(GAC_PRODUCER, {"type": "zone.diary", "zone_id": zone, **entry})


def test_the_origin_page_summarises_the_diary_up_to_the_harvest(
    demo_app: Flask, demo_client: FlaskClient, gac: Pkg
) -> None:
    api = Api(demo_app)
    zone = api.get(GAC_PRODUCER, "/zones").get_json()["items"][0]["id"]
    _diary(api, zone)
    html = demo_client.get(gac.path).get_data(as_text=True)
    sprayed = (today() + timedelta(days=-55)).strftime("%d/%m/%Y")
    assert "Nhật ký canh tác đến ngày thu hoạch" in html
    assert "Bón phân: 1 lần" in html and "Phun thuốc bảo vệ thực vật: 1 lần" in html
    assert "Tưới nước: 2 lần" in html and "Chăm sóc khác" not in html
    assert f"Amistar Top 325SC ngày {sprayed}, thời gian cách ly 7 ngày" in html
    assert "Sau này 10EC" not in html  # applied after the harvest
    english = demo_client.get(gac.path + "?lang=en").get_data(as_text=True)
    assert "Farm diary up to the harvest" in english and "Irrigation: 2 times" in english

    bundle = demo_client.get(f"/api/v1/packages/{gac.serial}/proof").get_json()
    zone_list = next(item for item in bundle["map"] if item["key"] == f"zone:{zone}")
    assert len(zone_list["indexes"]) == 1 + 5  # its registration and the five diary entries
    verdict = verify_package_bundle(bundle, log_key(demo_app))
    assert verdict.status == "genuine", verdict.reasons
