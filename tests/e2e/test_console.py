"""The producer's whole journey on a phone (Chromium emulating a Pixel 7): sign in, register a zone with
the phone's location, harvest, process, package 60, download the label sheet, decode a label's QR code
with zxing-cpp and open the origin page it points to."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import screenshot
from tests.support.accounts import GAC_PRODUCER, password_of
from tracer.events.rules import today

pytestmark = pytest.mark.browser
ZONE = "Vườn gấc ấp số 5"
LOCATION = {"latitude": 9.98765, "longitude": 106.18912}


@pytest.fixture
def phone(browser: Any, playwright_instance: Any) -> Any:
    device = {k: v for k, v in playwright_instance.devices["Pixel 7"].items() if k != "default_browser_type"}
    context = browser.new_context(**device, locale="vi-VN", geolocation=LOCATION, permissions=["geolocation"])
    tab = context.new_page()
    yield tab
    context.close()


def lot_from_receipt(page: Any) -> str:
    href = page.locator('a[href^="/console/lots/"]').first.get_attribute("href")
    return href.rsplit("/", 1)[1]


def sign(page: Any, sentence: str | None = None) -> None:
    """The review step (issue #19): the entry as a sentence on a page no wider than the phone, then "Xác nhận
    và ký"; waits for the receipt, which repeats the sentence."""
    page.wait_for_selector("#summary")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shown = page.inner_text("#summary")
    if sentence is not None:
        assert shown == sentence
    page.click("#confirm")
    page.wait_for_url(re.compile(r".*/console/receipts/\d+$"))
    assert page.inner_text("#summary") == shown


def decode_first_label(pdf: bytes) -> str:
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf)
    image = document[0].render(scale=4).to_pil()
    codes = [
        code.text for code in zxingcpp.read_barcodes(image) if code.format == zxingcpp.BarcodeFormat.QRCode
    ]
    assert codes, "no QR code found on the first label sheet"
    return codes[0]


def test_producer_journey_on_a_phone(phone, demo_live_server, demo):
    page, base = phone, demo_live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(base + "/console")
    assert page.url.startswith(base + "/login?next=/console")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.fill("#email", GAC_PRODUCER)
    page.fill("#password", password_of(demo, GAC_PRODUCER))
    screenshot(page, "console-01-login")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/console")
    assert page.get_by_role("heading", name="Trang làm việc của cơ sở sản xuất").is_visible()
    # one column on a phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "console-02-dashboard")

    page.get_by_role("link", name="Vùng nguyên liệu").click()
    page.fill("#name", ZONE)
    page.fill("#crop", "Gấc")
    page.fill("#address", "Ấp số 5")
    page.fill("#commune", "Xã Mỹ Cẩm")
    page.fill("#district", "Huyện Càng Long")
    page.fill("#province", "Trà Vinh")
    page.fill("#area_ha", "2,5")
    page.get_by_role("button", name="Lấy vị trí từ điện thoại").click()
    page.wait_for_function("document.getElementById('latitude').value !== ''")
    assert page.input_value("#latitude") == "9,987650"
    assert page.input_value("#longitude") == "106,189120"
    screenshot(page, "console-03-zone")
    page.get_by_role("button", name="Đăng ký vùng").click()
    sign(page)
    assert re.fullmatch(r"[0-9a-f]{64}", page.inner_text("#leaf-hash"))
    screenshot(page, "console-04-receipt")

    page.goto(base + "/console/harvest")
    page.select_option("#zone_id", label=f"{ZONE} · Gấc")
    page.fill("#name", "Quả gấc chín")
    page.fill("#quantity", "300")
    page.fill("#unit", "kg")
    screenshot(page, "console-05-harvest")
    page.get_by_role("button", name="Lưu thu hoạch").click()
    sign(page, f"Thu hoạch 300 kg Quả gấc chín từ {ZONE}, ngày {today():%d/%m/%Y}.")
    fruit = lot_from_receipt(page)

    page.goto(base + "/console/process")
    page.fill("#step", "Ép dầu gấc")
    page.select_option("#inputs-0-lot_id", fruit)
    page.fill("#inputs-0-quantity", "300")
    page.get_by_role("button", name="Thêm lô đầu vào").click()  # the script adds a third, empty row
    assert page.locator("#inputs-2-lot_id").count() == 1
    page.fill("#outputs-0-name", "Dầu gấc nguyên chất")
    page.fill("#outputs-0-quantity", "15")
    page.fill("#outputs-0-unit", "lít")
    page.select_option("#outputs-0-product_id", label="Dầu gấc Mỹ Cẩm")
    screenshot(page, "console-06-process")
    page.get_by_role("button", name="Lưu bước chế biến").click()
    sign(page)
    oil = lot_from_receipt(page)

    page.goto(base + f"/console/package?lot={oil}")
    assert page.input_value("#lot_id") == oil
    page.fill("#count", "60")  # 60 x 250 ml: the 15 lít pressed (mass balance: 100 would be refused)
    page.fill("#net_content", "250 ml")
    screenshot(page, "console-07-package")
    page.get_by_role("button", name="Tạo các gói sản phẩm").click()
    sign(page)
    link = page.locator('a[data-layout="a4-3x8"]')
    assert link.inner_text().startswith("Tải nhãn in")
    href = link.get_attribute("href")
    assert href == f"/api/v1/lots/{oil}/labels.pdf?layout=a4-3x8"
    screenshot(page, "console-08-package-receipt")

    response = page.request.get(base + href)  # the session cookie of the phone's browser
    assert response.status == 200, response.text()[:500]
    assert response.headers["content-type"].startswith("application/pdf")
    uri = decode_first_label(response.body())
    assert uri.startswith(base + "/"), uri

    page.goto(uri)
    body = page.inner_text("body")
    assert ZONE in body
    assert "Ép dầu gấc" in body
    assert "Hợp tác xã Nông nghiệp Mỹ Cẩm" in body
    screenshot(page, "console-09-origin")
    assert errors == []


def test_bad_input_is_shown_next_to_the_field_on_a_phone(phone, demo_live_server, demo):
    page, base = phone, demo_live_server.url
    page.goto(base + "/login")
    page.fill("#email", GAC_PRODUCER)
    page.fill("#password", password_of(demo, GAC_PRODUCER))
    page.click("button[type=submit]")
    page.wait_for_url(base + "/console")
    page.goto(base + "/console/harvest")
    page.fill("#name", "Quả gấc")
    page.fill("#quantity", "-5")
    page.get_by_role("button", name="Lưu thu hoạch").click()
    assert page.inner_text("#quantity-error") == "Phải lớn hơn 0."
    assert page.get_attribute("#quantity", "aria-invalid") == "true"
    screenshot(page, "console-10-harvest-error")


def test_a_number_that_reads_two_ways_is_asked_about_on_a_phone(phone, demo_live_server, demo):
    page, base = phone, demo_live_server.url
    page.goto(base + "/login")
    page.fill("#email", GAC_PRODUCER)
    page.fill("#password", password_of(demo, GAC_PRODUCER))
    page.click("button[type=submit]")
    page.wait_for_url(base + "/console")
    page.goto(base + "/console/harvest")
    assert page.get_attribute("#quantity", "placeholder") == "12,5"
    page.fill("#name", "Quả gấc một nghìn")
    page.fill("#quantity", "1,000")
    page.get_by_role("button", name="Lưu thu hoạch").click()
    asked = "“1,000” có thể hiểu theo hai cách: bạn muốn nhập 1 hay 1.000?"
    assert page.inner_text("#quantity-error") == asked
    question = page.get_by_role("group", name="Bạn muốn nhập số nào?")
    assert question.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "console-11-number-question")
    question.get_by_text("1.000", exact=True).click()
    page.get_by_role("button", name="Lưu thu hoạch").click()
    sign(page)
    page.goto(base + f"/console/lots/{lot_from_receipt(page)}")
    assert "1.000 / 1.000 kg" in page.inner_text("body")  # written as the page writes numbers
