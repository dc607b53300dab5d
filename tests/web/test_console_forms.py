"""Every producer form: good input is signed into the ledger and answered with its receipt; bad input is
answered next to its field, in Vietnamese, with nothing saved."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from tests.support.accounts import CACAO_PRODUCER, GAC_PRODUCER
from tests.web.conftest import error_of, ledger_size, query, save_form, sign_in_as, text
from tracer.events.rules import today
from tracer.models.lots import Lot, Package
from tracer.models.organisations import Organisation
from tracer.models.products import Product
from tracer.models.zones import Zone

TODAY = today().isoformat()
FUTURE = (today() + timedelta(days=30)).isoformat()


def gac(app):
    org = query(app, select(Organisation).where(Organisation.name == "Hợp tác xã Nông nghiệp Mỹ Cẩm"))[0]
    zone = query(app, select(Zone).where(Zone.organisation_id == org.id))[0]
    product = query(app, select(Product).where(Product.organisation_id == org.id))[0]
    return org, zone, product


def receipt_index(response) -> int:
    assert response.status_code == 302, text(response)[:3000]
    found = re.fullmatch(r"/console/receipts/(\d+)", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def harvest(client, zone_id: str, quantity: str = "500") -> str:
    index = receipt_index(
        save_form(
            client,
            "/console/harvest",
            {
                "zone_id": zone_id,
                "name": "Quả gấc chín",
                "quantity": quantity,
                "unit": "kg",
                "harvested_on": TODAY,
            },
        )
    )
    page = text(client.get(f"/console/receipts/{index}"))
    return re.search(r'href="/console/lots/(L\w+)"', page).group(1)


def process(client, lot_id: str, product_id: int) -> str:
    index = receipt_index(
        save_form(
            client,
            "/console/process",
            {
                "step": "Ép dầu gấc",
                "facility": "Xưởng ép",
                "processed_on": TODAY,
                "inputs-0-lot_id": lot_id,
                "inputs-0-quantity": "500",
                "inputs-1-lot_id": "",
                "inputs-1-quantity": "",
                "outputs-0-name": "Dầu gấc nguyên chất",
                "outputs-0-quantity": "25",
                "outputs-0-unit": "lít",
                "outputs-0-product_id": str(product_id),
            },
        )
    )
    page = text(client.get(f"/console/receipts/{index}"))
    return re.search(r'href="/console/lots/(L\w+)"', page).group(1)


def test_zone_harvest_process_package_ship_recall(producer, demo_app):
    org, zone, product = gac(demo_app)
    index = receipt_index(
        save_form(
            producer,
            "/console/zones",
            {
                "name": "Vườn gấc ấp số 3",
                "crop": "Gấc",
                "address": "Ấp số 3",
                "commune": "Xã Mỹ Cẩm",
                "district": "Huyện Càng Long",
                "province": "Trà Vinh",
                "latitude": "9,98",
                "longitude": "106,19",
                "area_ha": "1,5",
                "certifications": "VietGAP, hữu cơ",
            },
        )
    )
    receipt = text(producer.get(f"/console/receipts/{index}"))
    assert f'id="ledger-index">{index}<' in receipt
    assert re.search(r'id="leaf-hash">[0-9a-f]{64}<', receipt)
    assert "Đã lưu vào sổ cái" in receipt
    new_zone = query(demo_app, select(Zone).where(Zone.name == "Vườn gấc ấp số 3"))[0]
    assert new_zone.certifications == "VietGAP, hữu cơ" and str(new_zone.latitude) == "9.98"

    fruit = harvest(producer, new_zone.id)
    oil = process(producer, fruit, product.id)
    index = receipt_index(
        save_form(
            producer,
            "/console/package",
            {
                "lot_id": oil,
                "product_id": str(product.id),
                "count": "100",
                "net_content": "250 ml",
                "quantity_used": "25",
                "packed_on": TODAY,
                "expires_on": "",
            },
        )
    )
    receipt = text(producer.get(f"/console/receipts/{index}"))
    assert f"/api/v1/lots/{oil}/labels.pdf?layout=a4-3x8" in receipt
    assert "Tải nhãn in" in receipt
    assert len(query(demo_app, select(Package).where(Package.lot_id == oil))) == 100

    second = harvest(producer, new_zone.id, "80")
    receipt_index(
        save_form(
            producer,
            "/console/ship",
            {
                "lot_id": second,
                "shipped_on": TODAY,
                "destination": "sale_point",
                "sale_point_name": "Chợ Trà Vinh",
                "sale_point_address": "",
                "sale_point_province": "Trà Vinh",
            },
        )
    )
    assert query(demo_app, select(Lot).where(Lot.id == second))[0].status == "active"

    receipt_index(
        save_form(producer, "/console/recall", {"lot_ids": [fruit], "reason": "Nghi nhiễm nấm mốc"})
    )
    assert query(demo_app, select(Lot).where(Lot.id == oil))[0].status == "recalled"  # descendants too
    lot_page = text(producer.get(f"/console/lots/{oil}"))
    assert "Nghi nhiễm nấm mốc" in lot_page


def test_ship_to_another_organisation_then_receive(producer, demo_app, demo):
    _org, zone, _product = gac(demo_app)
    lot = harvest(producer, zone.id, "40")
    coop = query(demo_app, select(Organisation).where(Organisation.name == "Hợp tác xã Cacao Ea Kly"))[0]
    receipt_index(
        save_form(
            producer,
            "/console/ship",
            {
                "lot_id": lot,
                "shipped_on": TODAY,
                "destination": "organisation",
                "to_organisation_id": str(coop.id),
            },
        )
    )
    other = sign_in_as(demo_app.test_client(), demo, CACAO_PRODUCER)
    page = text(other.get("/console/receive"))
    assert lot in page
    response = save_form(other, "/console/receive", {"lot_id": lot, "received_on": TODAY})
    assert response.status_code == 302
    assert query(demo_app, select(Lot).where(Lot.id == lot))[0].organisation_id == coop.id


def test_process_with_several_inputs_and_outputs(producer, demo_app):
    _org, zone, product = gac(demo_app)
    first, second = harvest(producer, zone.id, "100"), harvest(producer, zone.id, "50")
    receipt_index(
        save_form(
            producer,
            "/console/process",
            {
                "step": "Sơ chế",
                "processed_on": TODAY,
                "inputs-0-lot_id": first,
                "inputs-0-quantity": "100",
                "inputs-1-lot_id": second,
                "inputs-1-quantity": "20",
                "inputs-2-lot_id": "",
                "inputs-2-quantity": "",
                "outputs-0-name": "Màng gấc",
                "outputs-0-quantity": "30",
                "outputs-0-unit": "kg",
                "outputs-0-product_id": "",
                "outputs-1-name": "Hạt gấc",
                "outputs-1-quantity": "10",
                "outputs-1-unit": "kg",
                "outputs-1-product_id": str(product.id),
            },
        )
    )
    lots = {lot.id: lot for lot in query(demo_app, select(Lot).where(Lot.id.in_([first, second])))}
    assert lots[first].status == "used" and str(lots[second].remaining) == "30"
    assert {
        lot.name for lot in query(demo_app, select(Lot).where(Lot.name.in_(["Màng gấc", "Hạt gấc"])))
    } == {"Màng gấc", "Hạt gấc"}


# (form, data, field id, Vietnamese error) - the lot placeholders are filled in per test.
BAD = [
    (
        "zones",
        {"name": "", "crop": "Gấc", "commune": "X", "district": "H", "province": "T"},
        "name",
        "Bắt buộc nhập.",
    ),
    (
        "zones",
        {"name": "Vườn", "crop": "Gấc", "commune": "X", "district": "H", "province": "T", "latitude": "91"},
        "latitude",
        "Không được lớn hơn 90.",
    ),
    (
        "zones",
        {"name": "Vườn", "crop": "Gấc", "commune": "X", "district": "H", "province": "T", "area_ha": "-2"},
        "area_ha",
        "Phải lớn hơn 0.",
    ),
    (
        "harvest",
        {"zone_id": "{zone}", "name": "Gấc", "quantity": "abc", "unit": "kg", "harvested_on": TODAY},
        "quantity",
        "Nhập một số, ví dụ 12,5.",
    ),
    (
        "harvest",
        {"zone_id": "{zone}", "name": "Gấc", "quantity": "5", "unit": "kg", "harvested_on": FUTURE},
        "harvested_on",
        "Ngày này nằm trong tương lai.",
    ),
    (
        "harvest",
        {"zone_id": "{zone}", "name": "Gấc", "quantity": "5", "unit": "kg", "harvested_on": "31/02/2025"},
        "harvested_on",
        "Nhập ngày theo dạng dd/mm/yyyy.",
    ),
    (
        "harvest",
        {"zone_id": "ZXXXXXXXXX", "name": "Gấc", "quantity": "5", "unit": "kg", "harvested_on": TODAY},
        "zone_id",
        "Không có vùng ZXXXXXXXXX trong các vùng nguyên liệu của tổ chức bạn.",
    ),
    ("receive", {"lot_id": "{lot}", "received_on": TODAY}, "lot_id", "đang được chuyển đến tổ chức bạn"),
    (
        "process",
        {
            "step": "Ép",
            "processed_on": TODAY,
            "inputs-0-lot_id": "{lot}",
            "inputs-0-quantity": "999999",
            "outputs-0-name": "Dầu",
            "outputs-0-quantity": "1",
            "outputs-0-unit": "lít",
        },
        "inputs-0-quantity",
        "vượt quá số còn lại",
    ),
    (
        "process",
        {
            "step": "Ép",
            "processed_on": TODAY,
            "outputs-0-name": "Dầu",
            "outputs-0-quantity": "1",
            "outputs-0-unit": "lít",
        },
        "inputs-0-lot_id",
        "Cần ít nhất một dòng.",
    ),
    (
        "process",
        {
            "step": "Ép",
            "processed_on": TODAY,
            "inputs-0-lot_id": "{lot}",
            "inputs-0-quantity": "1",
            "outputs-0-name": "Dầu",
            "outputs-0-quantity": "0",
            "outputs-0-unit": "lít",
        },
        "outputs-0-quantity",
        "Phải lớn hơn 0.",
    ),
    (
        "package",
        {
            "lot_id": "{lot}",
            "product_id": "{product}",
            "count": "1000",
            "net_content": "100 ml",
            "packed_on": TODAY,
        },
        "count",
        "Đóng 1.000 gói × 100 ml = 100 kg, nhưng chỉ dùng 10 kg của lô",
    ),
    (
        "package",
        {
            "lot_id": "{oil}",
            "product_id": "{product}",
            "count": "0",
            "net_content": "100 ml",
            "packed_on": TODAY,
        },
        "count",
        "Phải từ 1 trở lên.",
    ),
    (
        "package",
        {
            "lot_id": "{oil}",
            "product_id": "{product}",
            "count": "5",
            "net_content": "100 ml",
            "packed_on": TODAY,
            "expires_on": TODAY,
        },
        "expires_on",
        "Hạn sử dụng phải sau ngày đóng gói.",
    ),
    (
        "ship",
        {
            "lot_id": "{lot}",
            "shipped_on": TODAY,
            "destination": "sale_point",
            "sale_point_name": "",
            "sale_point_province": "Trà Vinh",
        },
        "sale_point_name",
        "Bắt buộc nhập.",
    ),
    (
        "ship",
        {
            "lot_id": "{lot}",
            "shipped_on": TODAY,
            "destination": "organisation",
            "to_organisation_id": "{own}",
        },
        "to_organisation_id",
        "Không thể gửi lô hàng cho chính tổ chức của bạn.",
    ),
    ("recall", {"lot_ids": "{lot}", "reason": "x"}, "reason", "Bắt buộc nhập."),
    ("recall", {"reason": "Nghi nhiễm khuẩn"}, "lot_ids", "Cần ít nhất một dòng."),
]


@pytest.mark.parametrize(
    ("form", "data", "field", "message"),
    BAD,
    ids=[f"{f}-{field}-{i}" for i, (f, _d, field, _m) in enumerate(BAD)],
)
def test_bad_input_is_answered_next_to_the_field_and_nothing_is_saved(
    producer, demo_app, demo, form, data, field, message
):
    org, zone, product = gac(demo_app)
    lot = harvest(producer, zone.id, "10")  # a raw lot of the producer's own, in stock
    values = {
        "zone": zone.id,
        "lot": lot,
        "oil": demo.lots["gac_oil"],
        "product": str(product.id),
        "own": str(org.id),
    }
    filled = {k: v.format(**values) for k, v in data.items()}
    size = ledger_size(producer)
    response = save_form(producer, f"/console/{form}", filled)
    assert response.status_code == 422, text(response)[:2000]
    html = text(response)
    assert message in error_of(html, field), (error_of(html, field), html[html.find("<form") :][:3000])
    assert 'aria-invalid="true"' in html or "has-error" in html
    assert ledger_size(producer) == size


def test_receipt_of_another_organisation_is_not_found(demo_app, demo):
    other = sign_in_as(demo_app.test_client(), demo, CACAO_PRODUCER)
    mine = sign_in_as(demo_app.test_client(), demo, GAC_PRODUCER)
    _org, zone, _product = gac(demo_app)
    index = receipt_index(
        save_form(
            mine,
            "/console/harvest",
            {"zone_id": zone.id, "name": "Gấc", "quantity": "1", "unit": "kg", "harvested_on": TODAY},
        )
    )
    assert mine.get(f"/console/receipts/{index}").status_code == 200
    assert other.get(f"/console/receipts/{index}").status_code == 404


def test_english_on_request(producer):
    html = text(producer.get("/console/harvest?lang=en"))
    assert "Record a harvest" in html and "Quantity" in html
    assert 'href="/console/harvest/import?lang=en"' in html  # links keep the language
    assert "Ghi nhận thu hoạch" in text(producer.get("/console/harvest"))


def test_pages_are_built_for_phones_without_inline_script(producer, demo):
    for path in ["/console", "/console/zones", "/console/process", f"/console/lots/{demo.lots['gac_oil']}"]:
        html = text(producer.get(path))
        assert 'name="viewport"' in html
        assert re.search(r"<script(?![^>]*\bsrc=)", html) is None, path
        assert " style=" not in html and " on" + "click=" not in html
    assert 'id="locate"' in text(producer.get("/console/zones"))
