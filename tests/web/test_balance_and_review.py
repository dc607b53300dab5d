"""Issue #19 in the console, on both databases: the mass balance refused in the forms and the CSV import in
the reader's language with the numbers; each entry reviewed as a sentence before it is signed, and the
receipt repeating it; CSV rows listed first and a file imported twice refused unless confirmed; a fully
packaged lot shipped as its packages; fresh produce packaged without a processing step; a recall with its
reason, confirmed."""

from __future__ import annotations

import io
import re

from sqlmodel import select

from tests.web.conftest import (
    confirm,
    confirm_page,
    error_of,
    ledger_size,
    post_form,
    query,
    save_form,
    text,
)
from tests.web.test_console_forms import TODAY, gac, harvest, process, receipt_index
from tests.web.test_vietnamese_numbers import signed_body
from tracer.events.rules import today
from tracer.models.lots import Lot, Package

SHOWN_TODAY = today().strftime("%d/%m/%Y")


def _harvest_form(zone_id: str, quantity: str, unit: str = "kg") -> dict[str, str]:
    return {
        "zone_id": zone_id,
        "name": "Quả gấc chín",
        "quantity": quantity,
        "unit": unit,
        "harvested_on": TODAY,
    }


def _package_form(lot: str, product: int, count: str, net: str, used: str = "") -> dict[str, str]:
    return {
        "lot_id": lot,
        "product_id": str(product),
        "count": count,
        "net_content": net,
        "quantity_used": used,
        "packed_on": TODAY,
        "expires_on": "",
    }


# -- the laundering paths, refused in the forms --------------------------------------------------------------


def test_one_kilogram_into_500000_litres_is_refused_in_the_form(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    fruit = harvest(producer, zone.id, "1")
    size = ledger_size(producer)
    response = post_form(
        producer,
        "/console/process",
        {
            "step": "Ép dầu gấc",
            "processed_on": TODAY,
            "inputs-0-lot_id": fruit,
            "inputs-0-quantity": "0,000001",
            "outputs-0-name": "Dầu gấc",
            "outputs-0-quantity": "500.000",
            "outputs-0-unit": "l",
        },
    )
    assert response.status_code == 422
    message = error_of(text(response), "outputs-0-quantity")
    assert "Dầu gấc: 500.000 l là nhiều hơn đầu vào cho phép" in message, message
    assert "Từ 0,000001 kg" in message and "tối đa 0,000001 l" in message, message
    assert ledger_size(producer) == size


def test_packages_beyond_the_lot_are_refused_in_the_form(producer, demo_app):
    _org, zone, product = gac(demo_app)
    oil = process(producer, harvest(producer, zone.id), product.id)  # 25 lít
    size = ledger_size(producer)
    response = post_form(
        producer, "/console/package", _package_form(oil, product.id, "10.000", "100 ml", "0,000001")
    )
    assert response.status_code == 422
    assert f"Đóng 10.000 gói × 100 ml = 1.000 lít, nhưng chỉ dùng 0,000001 lít của lô {oil}." in error_of(
        text(response), "count"
    )
    response = post_form(producer, "/console/package", _package_form(oil, product.id, "300", "100 ml"))
    assert f"Đóng 300 gói × 100 ml = 30 lít, nhưng chỉ dùng 25 lít của lô {oil}." in error_of(
        text(response), "count"
    )
    english = post_form(producer, "/console/package?lang=en", _package_form(oil, product.id, "300", "100 ml"))
    assert f"Packing 300 packages × 100 ml = 30 lít, but only 25 lít of lot {oil} is used." in error_of(
        text(english), "count"
    )
    assert ledger_size(producer) == size


def test_a_harvest_beyond_the_zone_is_refused_in_the_form(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    size = ledger_size(producer)
    response = post_form(producer, "/console/harvest", _harvest_form(zone.id, "1.000", "tấn"))
    assert response.status_code == 422
    message = error_of(text(response), "quantity")
    assert "1.000 tấn là nhiều hơn vùng Vườn gấc ấp số 2 có thể cho: 4,5 ha Gấc, tối đa 60 tấn/ha" in message
    assert "tức 270.000 kg" in message, message
    assert ledger_size(producer) == size


def _upload(client, content: str, **kwargs):
    return post_form(
        client,
        "/console/harvest/import",
        {"file": (io.BytesIO(content.encode()), "thu-hoach.csv")},
        content_type="multipart/form-data",
        **kwargs,
    )


def test_a_csv_line_beyond_the_zone_is_named_and_nothing_is_imported(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    size = ledger_size(producer)
    content = (
        f'zone_id,name,quantity,unit,harvested_on\n{zone.id},Gấc,"12,5",kg,{SHOWN_TODAY}\n'
        f"{zone.id},Gấc,300.000,kg,{SHOWN_TODAY}\n"
    )
    response = _upload(producer, content)
    assert response.status_code == 422
    page = text(response)
    assert re.search(r"<td>3</td><td class=\"mono\">quantity</td><td>300.000 kg là nhiều hơn vùng", page), (
        page
    )
    assert ledger_size(producer) == size


# -- review before signing -----------------------------------------------------------------------------------


def test_a_harvest_is_reviewed_as_a_sentence_then_signed_and_the_receipt_repeats_it(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    size = ledger_size(producer)
    review = post_form(producer, "/console/harvest", _harvest_form(zone.id, "1.000"))
    assert confirm_page(review)
    sentence = f"Thu hoạch 1.000 kg Quả gấc chín từ Vườn gấc ấp số 2, ngày {SHOWN_TODAY}."
    assert f'<p class="summary" id="summary">{sentence}</p>' in text(review)
    assert ledger_size(producer) == size  # nothing signed yet
    # "Change" shows the form again with the values as typed
    html = text(review)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', html))
    again = producer.post("/console/harvest", data={**fields, "edit": "1"})
    assert again.status_code == 200 and 'value="1.000"' in text(again) and ledger_size(producer) == size
    # without the page's CSRF token, the confirmation is refused
    forged = producer.post("/console/harvest", data={**fields, "csrf_token": "x", "confirm": "1"})
    assert forged.status_code in (400, 422) and ledger_size(producer) == size
    index = receipt_index(confirm(producer, review))
    assert ledger_size(producer) == size + 1
    receipt = text(producer.get(f"/console/receipts/{index}"))
    assert sentence in receipt
    assert signed_body(demo_app, index)["lot"]["quantity"] == "1000"


def test_a_confirmation_is_checked_again(producer, demo_app):
    """The values sent back are validated afresh: changed on the way to more than the zone gives, refused."""
    _org, zone, _product = gac(demo_app)
    review = post_form(producer, "/console/harvest", _harvest_form(zone.id, "10"))
    fields = dict(re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', text(review)))
    size = ledger_size(producer)
    tampered = producer.post("/console/harvest", data={**fields, "quantity": "1.000.000", "confirm": "1"})
    assert tampered.status_code == 422 and ledger_size(producer) == size
    assert "là nhiều hơn vùng" in error_of(text(tampered), "quantity")


def test_every_event_form_is_reviewed_with_its_sentence(producer, demo_app):
    _org, zone, product = gac(demo_app)
    fruit = harvest(producer, zone.id, "100")
    oil = process(producer, harvest(producer, zone.id), product.id)
    cases = [
        (
            "/console/zones",
            {
                "name": "Vườn mới",
                "crop": "Gấc",
                "commune": "Xã Mỹ Cẩm",
                "district": "Huyện Càng Long",
                "province": "Trà Vinh",
                "area_ha": "1,25",
            },
            # (typed as xã Mỹ Cẩm, huyện Càng Long, Trà Vinh: signed in the 2025 units, tracer/places)
            "Đăng ký vùng nguyên liệu Vườn mới (Gấc, 1,25 ha) tại Xã Càng Long, Vĩnh Long.",  # the 2025 units
        ),
        (
            "/console/process",
            {
                "step": "Sấy",
                "processed_on": TODAY,
                "inputs-0-lot_id": fruit,
                "inputs-0-quantity": "100",
                "outputs-0-name": "Gấc sấy",
                "outputs-0-quantity": "20,5",
                "outputs-0-unit": "kg",
            },
            f"Chế biến (Sấy) ngày {SHOWN_TODAY}: từ 100 kg Quả gấc chín ({fruit}), làm ra 20,5 kg Gấc sấy.",
        ),
        (
            "/console/package",
            _package_form(oil, product.id, "100", "250 ml"),
            f"Đóng 100 gói Dầu gấc Mỹ Cẩm × 250 ml, dùng 25 lít của lô Dầu gấc nguyên chất ({oil}), "
            f"ngày {SHOWN_TODAY}.",
        ),
        (
            "/console/ship",
            {
                "lot_id": fruit,
                "shipped_on": TODAY,
                "destination": "sale_point",
                "sale_point_name": "Chợ Trà Vinh",
                "sale_point_province": "Trà Vinh",
            },
            f"Giao lô Quả gấc chín ({fruit}) đến điểm bán Chợ Trà Vinh, Trà Vinh, ngày {SHOWN_TODAY}.",
        ),
        (
            "/console/recall",
            {"lot_ids": [fruit], "reason": "Nghi nhiễm nấm mốc"},
            f"Thu hồi Quả gấc chín ({fruit}). Lý do: “Nghi nhiễm nấm mốc”.",
        ),
    ]
    for path, data, sentence in cases:
        size = ledger_size(producer)
        review = post_form(producer, path, data)
        assert confirm_page(review), (path, text(review)[:3000])
        assert sentence in text(review), (path, re.findall(r"id=.summary.>(.*?)</p>", text(review)))
        assert ledger_size(producer) == size
        index = receipt_index(confirm(producer, review))
        assert sentence in text(producer.get(f"/console/receipts/{index}"))


# -- CSV: rows first, a file imported twice refused unless confirmed -----------------------------------------


def test_csv_rows_are_shown_first_and_a_second_import_needs_saying_so(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    content = (
        f'zone_id,name,quantity,unit,harvested_on\n{zone.id},Gấc đợt 1,"120,5",kg,{SHOWN_TODAY}\n'
        f"{zone.id},Gấc đợt 2,80,kg,{SHOWN_TODAY}\n"
    )
    size = ledger_size(producer)
    review = _upload(producer, content)
    assert confirm_page(review)
    page = text(review)
    assert "Nhập 2 lần thu hoạch từ tệp." in page
    assert f"Thu hoạch 120,5 kg Gấc đợt 1 từ Vườn gấc ấp số 2, ngày {SHOWN_TODAY}." in page
    assert 'id="imported-before"' not in page and ledger_size(producer) == size
    done = confirm(producer, review)
    assert done.status_code == 200 and "Đã nhập 2 lần thu hoạch" in text(done)
    assert ledger_size(producer) == size + 2
    # the same file again: pointed out before anything is signed
    again = _upload(producer, content)
    assert confirm_page(again) and 'id="imported-before"' in text(again)
    assert "Nhập lại và ký" in text(again)
    # a confirmation without saying "again" (a replayed first confirmation) is refused
    replay = confirm(producer, review)
    assert replay.status_code == 422 and "Tệp này đã được nhập trước đây" in text(replay)
    assert ledger_size(producer) == size + 2
    # said so: imported again
    assert "Đã nhập 2 lần thu hoạch" in text(confirm(producer, again))
    assert ledger_size(producer) == size + 4
    assert len(query(demo_app, select(Lot).where(Lot.name == "Gấc đợt 1"))) == 2


# -- flows ---------------------------------------------------------------------------------------------------


def test_fresh_produce_is_packaged_and_a_fully_packaged_lot_ships_as_its_packages(producer, demo_app):
    _org, zone, product = gac(demo_app)
    fruit = harvest(producer, zone.id, "10")
    assert fruit in text(producer.get("/console/package"))  # a harvest is packable, no processing step
    receipt_index(save_form(producer, "/console/package", _package_form(fruit, product.id, "20", "500 g")))
    packed = query(demo_app, select(Lot).where(Lot.id == fruit))[0]
    assert packed.status == "packaged" and packed.remaining == 0
    assert fruit in text(producer.get("/console/ship"))  # still on the shipping list
    lot_page = text(producer.get(f"/console/lots/{fruit}"))
    assert f'href="/console/ship?lot={fruit}"' in lot_page and "Giao các gói của lô" in lot_page
    receipt_index(
        save_form(
            producer,
            "/console/ship",
            {
                "lot_id": fruit,
                "shipped_on": TODAY,
                "destination": "sale_point",
                "sale_point_name": "Chợ Trà Vinh",
                "sale_point_province": "Trà Vinh",
            },
        )
    )
    statuses = {p.status for p in query(demo_app, select(Package).where(Package.lot_id == fruit))}
    assert statuses == {"shipped"}
    assert fruit not in text(producer.get("/console/ship"))  # nothing left to ship


def test_a_recall_asks_for_a_reason_and_a_confirmation(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    fruit = harvest(producer, zone.id, "10")
    size = ledger_size(producer)
    no_reason = post_form(producer, "/console/recall", {"lot_ids": [fruit], "reason": ""})
    assert no_reason.status_code == 422 and error_of(text(no_reason), "reason")
    review = post_form(producer, "/console/recall", {"lot_ids": [fruit], "reason": "Nghi nhiễm nấm mốc"})
    assert confirm_page(review) and ledger_size(producer) == size
    index = receipt_index(confirm(producer, review))
    assert signed_body(demo_app, index)["reason"] == "Nghi nhiễm nấm mốc"  # signed into the event
    assert query(demo_app, select(Lot).where(Lot.id == fruit))[0].status == "recalled"


def test_the_review_page_escapes_what_was_typed(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    fruit = harvest(producer, zone.id, "10")
    review = post_form(
        producer, "/console/recall", {"lot_ids": [fruit], "reason": '<script>alert(1)</script>"'}
    )
    html = text(review)
    assert confirm_page(review) and "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;" in html  # in the sentence and the hidden field
