"""Issue 19, item 1: numbers read as a Vietnamese user writes them, in every console form and the CSV import.

"1.000" kg on a Vietnamese page is one thousand kilograms (it was once saved, signed, as 1 kg), "1,5" ha one
and a half; a number that reads two ways is asked about, with nothing written until it is answered; English
pages read the English convention; the API's JSON keeps its "." decimal. Each on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import select

from tests.api.helpers import Api
from tests.support.accounts import GAC_PRODUCER
from tests.web.conftest import error_of, ledger_size, query, save_form, text
from tests.web.test_console_forms import gac
from tracer.events.rules import today
from tracer.ledger.dsse import Envelope
from tracer.models.lots import Lot
from tracer.models.zones import Zone
from tracer.platform import journal
from tracer.platform.services import services

TODAY = today().isoformat()


def receipt_index(response: Any) -> int:
    assert response.status_code == 302, text(response)[:3000]
    found = re.fullmatch(r"/console/receipts/(\d+)(\?lang=en)?", response.headers["Location"])
    assert found, response.headers["Location"]
    return int(found.group(1))


def signed_body(app: Any, index: int) -> dict[str, Any]:
    """The event body as signed into the ledger at ``index`` (the DSSE payload), not the projection."""
    with app.app_context(), services(app).engine.connect() as conn:
        envelope = Envelope.from_json(journal.store().entry(conn, index))
    return json.loads(envelope.payload)  # type: ignore[no-any-return]


def lot(app: Any, lot_id: str) -> Lot:
    return query(app, select(Lot).where(Lot.id == lot_id))[0]


def harvest_form(zone: str, quantity: str, **extra: str) -> dict[str, str]:
    form = {
        "zone_id": zone,
        "name": "Quả gấc chín",
        "quantity": quantity,
        "unit": "kg",
        "harvested_on": TODAY,
    }
    return {**form, **extra}


def harvested(client: Any, app: Any, zone: str, quantity: str, path: str = "/console/harvest", **extra: str):
    """Post the harvest form; the signed body's lot and the projected lot."""
    index = receipt_index(save_form(client, path, harvest_form(zone, quantity, **extra)))
    body = signed_body(app, index)
    assert body["type"] == "harvest"
    return body["lot"], lot(app, body["lot"]["id"])


def answers(html: str, name: str) -> list[str]:
    """The readings a question offers for field ``name`` (the values of its radio buttons)."""
    return re.findall(rf'<input type="radio" name="{re.escape(name)}-reading" value="([^"]+)">', html)


# -- the console's forms ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [("1.000", "1000"), ("1,5", "1.5"), ("80,5", "80.5"), ("1.234,5", "1234.5"), ("12", "12"),
     ("1.000.000", "1000000"), ("0,500", "0.5"), (" 2,25 ", "2.25")],
)  # fmt: skip
def test_a_vietnamese_page_reads_the_vietnamese_convention(producer, demo_app, typed, value):
    _org, zone, _product = gac(demo_app)
    # in grams: a million kilograms is more than the zone's 4.5 ha of gấc give in a year (mass balance)
    signed, projected = harvested(producer, demo_app, zone.id, typed, unit="g")
    assert signed["quantity"] == value  # the signed ledger body
    assert projected.quantity == Decimal(value) and projected.remaining == Decimal(value)


def test_the_form_shows_its_examples_the_page_way(producer):
    vietnamese = text(producer.get("/console/harvest"))
    assert re.search(r'id="quantity"[^>]*placeholder="12,5"|placeholder="12,5"[^>]*id="quantity"', vietnamese)
    assert 'inputmode="decimal"' in vietnamese
    english = text(producer.get("/console/harvest?lang=en"))
    assert re.search(r'id="quantity"[^>]*placeholder="12.5"|placeholder="12.5"[^>]*id="quantity"', english)
    zones = text(producer.get("/console/zones"))
    assert 'data-decimal=","' in zones and 'placeholder="9,9347"' in zones
    assert 'data-decimal="."' in text(producer.get("/console/zones?lang=en"))
    page = text(producer.get("/console/harvest/import"))
    assert "1.000 là một nghìn, 12,5 là mười hai phẩy năm" in page


def test_an_ambiguous_quantity_is_asked_about_and_nothing_is_written_until_answered(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    size, lots = ledger_size(producer), len(query(demo_app, select(Lot)))
    response = save_form(producer, "/console/harvest", harvest_form(zone.id, "1,000"))
    assert response.status_code == 422
    html = text(response)
    assert error_of(html, "quantity") == "“1,000” có thể hiểu theo hai cách: bạn muốn nhập 1 hay 1.000?"
    assert "Bạn muốn nhập số nào?" in html
    assert answers(html, "quantity") == ["1", "1000"]
    assert (
        '<strong>1</strong> · <span class="muted">đọc theo cách viết số của Việt Nam (1.234,5)</span>' in html
    )
    assert (
        '<strong>1.000</strong> · <span class="muted">đọc theo cách viết số của tiếng Anh (1,234.5)</span>'
        in html
    )
    assert 'value="1,000"' in html  # the text is kept as typed
    assert ledger_size(producer) == size and len(query(demo_app, select(Lot))) == lots

    # an answer that is not one of the readings is no answer: asked again, nothing written
    for forged in ("5", "1e3", "-1000", "NaN"):
        again = save_form(
            producer, "/console/harvest", harvest_form(zone.id, "1,000", **{"quantity-reading": forged})
        )
        assert again.status_code == 422 and answers(text(again), "quantity") == ["1", "1000"]
    assert ledger_size(producer) == size

    signed, projected = harvested(producer, demo_app, zone.id, "1,000", **{"quantity-reading": "1000"})
    assert signed["quantity"] == "1000" and projected.quantity == 1000
    signed, projected = harvested(producer, demo_app, zone.id, "1,000", **{"quantity-reading": "1"})
    assert signed["quantity"] == "1" and projected.quantity == 1
    assert ledger_size(producer) == size + 2


def test_an_answer_for_another_text_is_ignored(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    # the writer changed the text after the question: the new text is read afresh
    signed, _ = harvested(producer, demo_app, zone.id, "2.000", **{"quantity-reading": "1"})
    assert signed["quantity"] == "2000"
    response = save_form(
        producer, "/console/harvest", harvest_form(zone.id, "2,000", **{"quantity-reading": "1"})
    )
    assert response.status_code == 422 and answers(text(response), "quantity") == ["2", "2000"]


def test_an_english_decimal_point_on_a_vietnamese_page_is_asked_about(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    size = ledger_size(producer)
    response = save_form(producer, "/console/harvest", harvest_form(zone.id, "1.5"))
    assert response.status_code == 422
    assert (
        error_of(text(response), "quantity") == "“1.5” có thể hiểu theo hai cách: bạn muốn nhập 15 hay 1,5?"
    )
    assert answers(text(response), "quantity") == ["15", "1.5"]
    response = save_form(producer, "/console/harvest", harvest_form(zone.id, "1,000,000"))
    assert (
        error_of(text(response), "quantity")
        == "“1,000,000” có thể bị gõ nhầm: có phải bạn muốn nhập 1.000.000?"
    )
    assert answers(text(response), "quantity") == ["1000000"]
    assert ledger_size(producer) == size
    signed, _ = harvested(producer, demo_app, zone.id, "1.5", **{"quantity-reading": "1.5"})
    assert signed["quantity"] == "1.5"


def test_an_english_page_reads_the_english_convention(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    path = "/console/harvest?lang=en"
    signed, projected = harvested(producer, demo_app, zone.id, "1,000", path=path)
    assert signed["quantity"] == "1000" and projected.quantity == 1000
    signed, _ = harvested(producer, demo_app, zone.id, "1.5", path=path)
    assert signed["quantity"] == "1.5"
    size = ledger_size(producer)
    response = save_form(producer, path, harvest_form(zone.id, "1.000"))
    assert response.status_code == 422
    assert error_of(text(response), "quantity") == "“1.000” can be read two ways: did you mean 1 or 1,000?"
    assert '<strong>1,000</strong> · <span class="muted">read the Vietnamese way (1.234,5)</span>' in text(
        response
    )
    response = save_form(producer, path, harvest_form(zone.id, "abc"))
    assert error_of(text(response), "quantity") == "Enter a number, such as 12.5."
    assert ledger_size(producer) == size


def test_zone_coordinates_and_area_the_vietnamese_way(producer, demo_app):
    place = {"commune": "Xã Mỹ Cẩm", "district": "Huyện Càng Long", "province": "Trà Vinh"}
    form = {"name": "Vườn gấc ấp số 9", "crop": "Gấc", **place,
            "latitude": "9,987650", "longitude": "106,189120", "area_ha": "1,5"}  # fmt: skip
    index = receipt_index(save_form(producer, "/console/zones", form))
    body = signed_body(demo_app, index)["zone"]
    assert (body["latitude"], body["longitude"], body["area_ha"]) == ("9.98765", "106.18912", "1.5")
    zone = query(demo_app, select(Zone).where(Zone.name == "Vườn gấc ấp số 9"))[0]
    assert (zone.latitude, zone.longitude, zone.area_ha) == (
        Decimal("9.98765"),
        Decimal("106.18912"),
        Decimal("1.5"),
    )
    size = ledger_size(producer)
    response = save_form(producer, "/console/zones", {**form, "name": "Vườn khác", "area_ha": "1.5"})
    assert response.status_code == 422 and answers(text(response), "area_ha") == ["15", "1.5"]
    assert ledger_size(producer) == size


def _process_form(lot_id: str, taken: str, made: str, **extra: str) -> dict[str, str]:
    return {"step": "Ép dầu gấc", "facility": "Xưởng ép", "processed_on": TODAY, "inputs-0-lot_id": lot_id,
            "inputs-0-quantity": taken, "inputs-1-lot_id": "", "inputs-1-quantity": "",
            "outputs-0-name": "Dầu gấc nguyên chất", "outputs-0-quantity": made, "outputs-0-unit": "lít",
            "outputs-0-product_id": "", **extra}  # fmt: skip


def test_process_and_package_forms_read_the_vietnamese_convention(producer, demo_app):
    _org, zone, product = gac(demo_app)
    fruit, _ = harvested(producer, demo_app, zone.id, "2.500")
    assert fruit["quantity"] == "2500"
    size = ledger_size(producer)

    # an ambiguous input quantity is asked about next to its row; nothing is written
    response = save_form(producer, "/console/process", _process_form(fruit["id"], "1,000", "80,5"))
    assert response.status_code == 422
    assert answers(text(response), "inputs-0-quantity") == ["1", "1000"]
    assert error_of(text(response), "inputs-0-quantity").startswith("“1,000” có thể hiểu theo hai cách")
    assert ledger_size(producer) == size and lot(demo_app, fruit["id"]).remaining == 2500

    index = receipt_index(
        save_form(producer, "/console/process",
                  _process_form(fruit["id"], "1,000", "80,5", **{"inputs-0-quantity-reading": "1000"}))
    )  # fmt: skip
    body = signed_body(demo_app, index)
    assert body["inputs"] == [{"lot_id": fruit["id"], "quantity": "1000"}]
    assert body["outputs"][0]["quantity"] == "80.5"
    oil = body["outputs"][0]["id"]
    assert lot(demo_app, fruit["id"]).remaining == 1500
    assert lot(demo_app, oil).quantity == Decimal("80.5")
    # shown as the page writes numbers, so what is read back is what is shown
    assert "1.500 / 2.500 kg" in text(producer.get(f"/console/lots/{fruit['id']}"))
    assert "80,5 / 80,5 lít" in text(producer.get(f"/console/lots/{oil}"))
    assert "80.5 / 80.5 lít" in text(producer.get(f"/console/lots/{oil}?lang=en"))
    size = ledger_size(producer)
    response = save_form(producer, "/console/process", _process_form(fruit["id"], "1.500,5", "1"))
    assert error_of(text(response), "inputs-0-quantity") == (
        f"Lô {fruit['id']} chỉ còn 1.500 kg; 1.500,5 vượt quá số còn lại."
    )
    assert ledger_size(producer) == size

    package = {"lot_id": oil, "product_id": str(product.id), "count": "10", "net_content": "250 ml",
               "quantity_used": "2,5", "packed_on": TODAY, "expires_on": ""}  # fmt: skip
    index = receipt_index(save_form(producer, "/console/package", package))
    assert signed_body(demo_app, index)["quantity_used"] == "2.5"
    assert lot(demo_app, oil).remaining == Decimal("78")
    size = ledger_size(producer)
    response = save_form(producer, "/console/package", {**package, "quantity_used": "2.5"})
    assert response.status_code == 422 and answers(text(response), "quantity_used") == ["25", "2.5"]
    assert ledger_size(producer) == size and lot(demo_app, oil).remaining == Decimal("78")


# -- bad input: a readable answer, never a server error, nothing written -------------------------------------

EDGES = [
    ("1e5", "Nhập một số, ví dụ 12,5."),
    ("1..0", "Nhập một số, ví dụ 12,5."),
    ("--1", "Nhập một số, ví dụ 12,5."),
    ("∞", "Nhập một số, ví dụ 12,5."),
    ("NaN", "Nhập một số, ví dụ 12,5."),
    ("١٢", "Nhập một số, ví dụ 12,5."),
    ("9" * 10_000, "Một số có nhiều nhất 32 ký tự."),
    (str(2**63), "Số này quá lớn."),
    ("9.223.372.036.854.775.808", "Số này quá lớn."),
    ("-1.000", "Phải lớn hơn 0."),
    ("0", "Phải lớn hơn 0."),
    ("0,0000001", "Tối đa 6 chữ số thập phân."),
    ("0,0000000", "Phải lớn hơn 0."),
    ("", "Nhập một số, ví dụ 12,5."),
]


@pytest.mark.parametrize(("typed", "message"), EDGES)
def test_bad_quantities_are_answered_next_to_the_field(producer, demo_app, typed, message):
    _org, zone, _product = gac(demo_app)
    size, lots = ledger_size(producer), len(query(demo_app, select(Lot)))
    response = save_form(producer, "/console/harvest", harvest_form(zone.id, typed))
    assert response.status_code == 422, text(response)[:2000]
    assert error_of(text(response), "quantity") == message
    assert ledger_size(producer) == size and len(query(demo_app, select(Lot))) == lots


def test_a_nul_in_a_number_is_refused_before_any_view(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    size = ledger_size(producer)
    for typed in ("1\x00", "1.000\x00", "\x00"):
        response = save_form(producer, "/console/harvest", harvest_form(zone.id, typed))
        assert response.status_code == 400 and "U+0000" in text(response)
        answered = save_form(
            producer, "/console/harvest", harvest_form(zone.id, "1,000", **{"quantity-reading": "1\x00"})
        )
        assert answered.status_code == 400
    assert ledger_size(producer) == size


# -- the CSV import ------------------------------------------------------------------------------------------


def upload(client: Any, content: str, path: str = "/console/harvest/import") -> Any:
    return save_form(client, path, {"file": (io.BytesIO(content.encode()), "thu-hoach.csv")},
                     content_type="multipart/form-data")  # fmt: skip


def test_a_csv_file_reads_the_vietnamese_convention(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    content = (f"zone_id,name,quantity,unit,harvested_on\n{zone.id},Gấc CSV một nghìn,1.000,kg,{TODAY}\n"
               f'{zone.id},Gấc CSV tám mươi,"80,5",kg,{TODAY}\n')  # fmt: skip
    size = ledger_size(producer)
    response = upload(producer, content)
    assert response.status_code == 200, text(response)
    assert ledger_size(producer) == size + 2
    for index, name, value in [(size, "Gấc CSV một nghìn", "1000"), (size + 1, "Gấc CSV tám mươi", "80.5")]:
        body = signed_body(demo_app, index)
        assert body["lot"]["name"] == name and body["lot"]["quantity"] == value
        assert lot(demo_app, body["lot"]["id"]).quantity == Decimal(value)
    # semicolons, as Vietnamese spreadsheets write them: the same reading
    response = upload(
        producer, f"zone_id;name;quantity;unit;harvested_on\n{zone.id};Gấc chấm phẩy;1.234,5;kg;{TODAY}\n"
    )
    assert response.status_code == 200
    assert signed_body(demo_app, size + 2)["lot"]["quantity"] == "1234.5"


def test_a_csv_file_with_an_ambiguous_or_bad_quantity_imports_nothing(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    content = (f"zone_id;name;quantity;unit;harvested_on\n{zone.id};Gấc;12,5;kg;{TODAY}\n"
               f"{zone.id};Gấc;1,000;kg;{TODAY}\n{zone.id};Gấc;1.5;kg;{TODAY}\n{zone.id};Gấc;1e5;kg;{TODAY}\n"
               f"{zone.id};Gấc;{2**63};kg;{TODAY}\n{zone.id};Gấc;{'9' * 100};kg;{TODAY}\n"
               f"{zone.id};Gấc;-1.000;kg;{TODAY}\n")  # fmt: skip
    size, lots = ledger_size(producer), len(query(demo_app, select(Lot)))
    response = upload(producer, content)
    assert response.status_code == 422
    html = text(response)
    assert "Chưa nhập dòng nào" in html
    row = '<tr><td>{}</td><td class="mono">quantity</td><td>{}</td></tr>'
    assert row.format(3, "“1,000” có thể hiểu theo hai cách: bạn muốn nhập 1 hay 1.000?") in html
    assert row.format(4, "“1.5” có thể hiểu theo hai cách: bạn muốn nhập 15 hay 1,5?") in html
    assert row.format(5, "Nhập một số, ví dụ 12,5.") in html
    assert row.format(6, "Số này quá lớn.") in html
    assert row.format(7, "Một số có nhiều nhất 32 ký tự.") in html
    assert row.format(8, "Phải lớn hơn 0.") in html
    assert "<tr><td>2</td>" not in html  # 12,5 is clear
    assert ledger_size(producer) == size and len(query(demo_app, select(Lot))) == lots


def test_a_csv_file_on_an_english_page_reads_the_english_convention(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    size = ledger_size(producer)
    path = "/console/harvest/import?lang=en"
    response = upload(
        producer, f'zone_id,name,quantity,unit,harvested_on\n{zone.id},Gấc,"1,000",kg,{TODAY}\n', path
    )
    assert response.status_code == 200, text(response)
    assert signed_body(demo_app, size)["lot"]["quantity"] == "1000"
    response = upload(
        producer, f"zone_id,name,quantity,unit,harvested_on\n{zone.id},Gấc,1.000,kg,{TODAY}\n", path
    )
    assert response.status_code == 422
    assert "“1.000” can be read two ways: did you mean 1 or 1,000?" in text(response)
    assert ledger_size(producer) == size + 1


# -- the API: JSON keeps its "." decimal --------------------------------------------------------------------


def test_the_api_reads_json_numbers_and_strings_as_before(demo_app):
    api = Api(demo_app)
    _org, zone, _product = gac(demo_app)

    def harvest(quantity: Any) -> Any:
        body = {"type": "harvest", "zone_id": zone.id, "name": "Gấc API", "unit": "kg", "harvested_on": TODAY}
        return api.post(GAC_PRODUCER, "/events", {**body, "quantity": quantity})

    for sent, value in [("1.000", "1.000"), ("80.5", "80.5"), (1000, "1000"), ("1000", "1000")]:
        response = harvest(sent)
        assert response.status_code == 201, response.get_data(as_text=True)
        index = response.get_json()["ledger_index"]
        body = signed_body(demo_app, index)
        assert body["lot"]["quantity"] == value  # never read the Vietnamese way
        assert lot(demo_app, body["lot"]["id"]).quantity == Decimal(value)
    # a JSON number with a fraction, as a client writes it (parsed as Decimal, never a float)
    body = {"type": "harvest", "zone_id": zone.id, "name": "Gấc API", "unit": "kg", "harvested_on": TODAY}
    headers = {**api.headers(GAC_PRODUCER), "Content-Type": "application/json"}
    raw = api.client.post(
        "/api/v1/events", headers=headers, data=json.dumps(body)[:-1] + ', "quantity": 80.5}'
    )
    assert raw.status_code == 201, raw.get_data(as_text=True)
    assert signed_body(demo_app, raw.get_json()["ledger_index"])["lot"]["quantity"] == "80.5"
    size = api.size()
    for sent in ("1,5", "1.000,5", str(2**63), "\x00", "-1"):
        response = harvest(sent)
        assert 400 <= response.status_code < 500, (sent, response.status_code)
        assert response.mimetype == "application/problem+json"
    assert api.size() == size
