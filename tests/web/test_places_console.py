"""Addresses in the 2025 units in the console (issue #19, item 5), on both databases: the zone form offers the
34 provinces and the chosen province's communes as lists, an old address typed in is signed in the new units
and keeps its old text beside them, an unknown province or commune is refused next to its field with nothing
written, and /console/places finds a commune by its old name without JavaScript."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlmodel import select

from tests.web.conftest import error_of, ledger_size, post_form, query, save_form, text
from tests.web.test_console_forms import receipt_index
from tracer.ledger.dsse import Envelope
from tracer.models.zones import Zone
from tracer.platform import journal
from tracer.platform.services import services


def _signed(app: Any, index: int) -> dict[str, Any]:
    with app.app_context(), services(app).engine.connect() as conn:
        return json.loads(Envelope.from_json(journal.store().entry(conn, index)).payload)  # type: ignore[no-any-return]


def _zone(**place: str) -> dict[str, str]:
    return {"name": "Vườn gấc ấp số 7", "crop": "Gấc", "address": "Ấp số 7", **place}


def test_the_form_offers_the_2025_units_as_lists(producer) -> None:
    page = text(producer.get("/console/zones"))
    provinces = re.search(r'<datalist id="provinces">(.*?)</datalist>', page, re.S).group(1)
    assert provinces.count("<option") == 34 and 'value="Vĩnh Long"' in provinces
    assert 'value="Trà Vinh"' not in provinces
    assert 'list="provinces"' in page and 'list="communes"' in page
    chosen = text(producer.get("/console/zones?province=Vĩnh Long&commune=Xã Càng Long"))
    communes = re.search(r'<datalist id="communes">(.*?)</datalist>', chosen, re.S).group(1)
    assert 'value="Xã Càng Long"' in communes and 'value="Phường Trà Vinh"' in communes
    assert 'value="Xã Càng Long"' in chosen.split('<datalist id="communes">')[0]  # prefilled


def test_an_old_address_is_signed_in_the_new_units_and_keeps_its_old_text(producer, demo_app) -> None:
    place = {"commune": "xã Mỹ Cẩm", "district": "huyện Càng Long", "province": "tỉnh Trà Vinh"}
    index = receipt_index(save_form(producer, "/console/zones", _zone(**place)))
    body = _signed(demo_app, index)["zone"]
    assert (body["commune"], body["province"]) == ("Xã Càng Long", "Vĩnh Long") and "district" not in body
    assert body["former_address"] == "xã Mỹ Cẩm, huyện Càng Long, tỉnh Trà Vinh"
    zone = query(demo_app, select(Zone).where(Zone.name == "Vườn gấc ấp số 7"))[0]
    assert (zone.commune, zone.district, zone.province) == ("Xã Càng Long", "", "Vĩnh Long")
    listed = text(producer.get("/console/zones"))
    assert (
        'Xã Càng Long, Vĩnh Long <span class="muted">(trước đây: xã Mỹ Cẩm, huyện Càng Long, tỉnh Trà Vinh)'
        in listed
    )


def test_a_new_address_is_signed_as_chosen(producer, demo_app) -> None:
    index = receipt_index(
        save_form(producer, "/console/zones", _zone(commune="Xã Cầu Kè", province="Vĩnh Long"))
    )
    body = _signed(demo_app, index)["zone"]
    assert (body["commune"], body["province"]) == ("Xã Cầu Kè", "Vĩnh Long")
    assert "former_address" not in body and "district" not in body


def test_an_unknown_place_is_refused_next_to_its_field(producer) -> None:
    size = ledger_size(producer)
    nowhere = post_form(producer, "/console/zones", _zone(commune="Xã Mỹ Cẩm", province="Sao Hỏa"))
    assert nowhere.status_code == 422
    assert (
        error_of(text(nowhere), "province")
        == "Chọn tỉnh, thành phố trong danh sách (34 đơn vị từ ngày 1/7/2025)."
    )
    unknown = post_form(producer, "/console/zones", _zone(commune="Xã Không Có", province="Vĩnh Long"))
    assert unknown.status_code == 422
    assert error_of(text(unknown), "commune") == (
        "Từ ngày 1/7/2025, Vĩnh Long không có xã, phường Xã Không Có: "
        "chọn trong danh sách, hoặc tìm theo tên cũ."
    )
    script = post_form(producer, "/console/zones", _zone(commune="<script>x</script>", province="Vĩnh Long"))
    assert script.status_code == 422 and "<script>x</script>" not in text(script)
    empty = post_form(producer, "/console/zones", _zone(commune="", province=""))
    assert empty.status_code == 422 and error_of(text(empty), "commune")
    assert ledger_size(producer) == size


def test_a_commune_is_found_by_its_old_name(producer) -> None:
    page = text(producer.get("/console/places?q=my cam"))
    assert "<script" not in page.split("<main")[1].split("</main>")[0]
    link = re.search(r'<a href="(/console/zones\?[^"]+)"><strong>Xã Càng Long</strong>, Vĩnh Long</a>', page)
    assert link and "(trước đây: Xã Mỹ Cẩm, Huyện Càng Long, Trà Vinh)" in page
    prefilled = text(producer.get(link.group(1).replace("&amp;", "&")))
    assert 'id="commune" list="communes"' in prefilled or 'value="Xã Càng Long"' in prefilled
    assert "Không có xã, phường nào mang tên này." in text(producer.get("/console/places?q=zzzz"))
    assert producer.get("/console/places?q=" + "a" * 5000).status_code == 200


def test_the_search_is_for_signed_in_producers(demo_client) -> None:
    response = demo_client.get("/console/places?q=my cam")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
