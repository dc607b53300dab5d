"""Issue #19's flows in Debian's Chromium on a 412 px phone (Pixel 7), no JavaScript needed for any of them:
a harvest reviewed as a sentence before it is signed; fresh produce packaged straight from the harvest; the
fully packaged lot shipped as its packages from its page; a second lot recalled with a reason, confirmed; a
laundering attempt refused with the numbers. Every page the flows open is no wider than the phone."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_console import lot_from_receipt, sign
from tests.support.accounts import AUTHORITY, GAC_PRODUCER, password_of
from tracer.events.rules import today

pytestmark = pytest.mark.browser
WIDTH = 412


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def phone(request: Any, browser: Any, playwright_instance: Any) -> Any:
    device = {k: v for k, v in playwright_instance.devices["Pixel 7"].items() if k != "default_browser_type"}
    context = browser.new_context(**device, locale="vi-VN", java_script_enabled=request.param)
    tab = context.new_page()
    yield tab
    context.close()


def fits(page: Any) -> None:
    """The document is exactly as wide as the phone's screen: no sideways scrolling (measured once the page
    has loaded: during a navigation the old page may still be measured)."""
    page.wait_for_load_state("load")
    widest = page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 412)"
        ".slice(0, 3).map(e => e.outerHTML.slice(0, 200))"
    )
    assert page.evaluate("window.innerWidth") == WIDTH, widest
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width == WIDTH, (page.url, width, widest)


def test_review_package_fresh_produce_ship_its_packages_and_recall(phone, demo_live_server, demo):
    page, base = phone, demo_live_server.url
    shown_today = today().strftime("%d/%m/%Y")
    page.goto(base + "/login")
    page.fill("#email", GAC_PRODUCER)
    page.fill("#password", password_of(demo, GAC_PRODUCER))
    page.click("button[type=submit]")
    page.wait_for_url(base + "/console")

    # review before signing: the sentence, "Sửa lại" keeps the values, then signed
    page.goto(base + "/console/harvest")
    page.select_option("#zone_id", label="Vườn gấc ấp số 2 · Gấc")
    page.fill("#name", "Quả gấc tươi")
    page.fill("#quantity", "1.000")
    page.get_by_role("button", name="Lưu thu hoạch").click()
    sentence = f"Thu hoạch 1.000 kg Quả gấc tươi từ Vườn gấc ấp số 2, ngày {shown_today}."
    assert page.inner_text("#summary") == sentence
    fits(page)
    screenshot(page, "flows-01-review")
    page.click("#edit")
    assert page.input_value("#quantity") == "1.000"
    page.fill("#quantity", "10")
    page.get_by_role("button", name="Lưu thu hoạch").click()
    sign(page, f"Thu hoạch 10 kg Quả gấc tươi từ Vườn gấc ấp số 2, ngày {shown_today}.")
    fits(page)
    screenshot(page, "flows-02-receipt")
    fruit = lot_from_receipt(page)

    # a laundering attempt: more packages than the lot holds, refused with the numbers
    page.goto(base + f"/console/package?lot={fruit}")
    fits(page)
    page.fill("#count", "10.000")
    page.fill("#net_content", "500 g")
    page.get_by_role("button", name="Tạo các gói sản phẩm").click()
    refused = page.inner_text("#count-error")
    assert refused == f"Đóng 10.000 gói × 500 g = 5.000 kg, nhưng chỉ dùng 10 kg của lô {fruit}."
    fits(page)
    screenshot(page, "flows-03-refused")

    # fresh produce packaged straight from the harvest: 20 x 500 g is the whole 10 kg
    page.fill("#count", "20")
    page.get_by_role("button", name="Tạo các gói sản phẩm").click()
    sign(page)

    # the fully packaged lot ships as its packages, from its page
    page.goto(base + f"/console/lots/{fruit}")
    fits(page)
    page.get_by_role("link", name="Giao các gói của lô").click()
    assert page.input_value("#lot_id") == fruit
    fits(page)
    page.fill("#sale_point_name", "Cửa hàng OCOP Trà Vinh")
    page.fill("#sale_point_province", "Trà Vinh")
    page.locator("form button[type=submit]").last.click()
    place = "Cửa hàng OCOP Trà Vinh, Trà Vinh"
    sign(page, f"Giao lô Quả gấc tươi ({fruit}) đến điểm bán {place}, ngày {shown_today}.")
    page.goto(base + "/console/ship")
    assert page.locator(f'#lot_id option[value="{fruit}"]').count() == 0  # nothing left to ship

    # a recall asks for a reason, then a confirmation
    page.goto(base + "/console/harvest")
    page.select_option("#zone_id", label="Vườn gấc ấp số 2 · Gấc")
    page.fill("#name", "Quả gấc đợt sau")
    page.fill("#quantity", "5")
    page.get_by_role("button", name="Lưu thu hoạch").click()
    sign(page)
    second = lot_from_receipt(page)
    page.goto(base + f"/console/recall?lot={second}")
    fits(page)
    page.locator("form button[type=submit]").last.click()
    assert page.inner_text("#reason-error")  # no reason, no recall
    page.fill("#reason", "Nghi nhiễm nấm mốc")
    page.locator("form button[type=submit]").last.click()
    assert page.inner_text("#summary") == f"Thu hồi Quả gấc đợt sau ({second}). Lý do: “Nghi nhiễm nấm mốc”."
    fits(page)
    screenshot(page, "flows-04-recall-review")
    sign(page)
    page.goto(base + f"/console/lots/{second}")
    assert "Nghi nhiễm nấm mốc" in page.inner_text("body")
    assert re.search(r"/console/lots/L\w+$", page.url)
    fits(page)


def _sign_in(page: Any, base: str, demo: Any, email: str, landing: str) -> None:
    page.goto(base + "/login")
    page.fill("#email", email)
    page.fill("#password", password_of(demo, email))
    page.click("button[type=submit]")
    page.wait_for_url(base + landing)


def test_a_csv_file_is_reviewed_and_a_second_import_must_be_confirmed(
    phone, demo_live_server, demo, tmp_path
):
    page, base = phone, demo_live_server.url
    _sign_in(page, base, demo, GAC_PRODUCER, "/console")
    page.goto(base + "/console/harvest")
    zone = page.locator("#zone_id option").first.get_attribute("value")
    shown_today = today().strftime("%d/%m/%Y")
    csv = tmp_path / "thu-hoach.csv"
    line = f'{zone},Gấc đợt một,"1.200,5",kg,{shown_today}'
    csv.write_text(f"zone_id,name,quantity,unit,harvested_on\n{line}\n", encoding="utf-8")
    for attempt in ("first", "again"):
        page.goto(base + "/console/harvest/import")
        fits(page)
        page.set_input_files("#file", str(csv))
        page.locator("form button[type=submit]").last.click()
        page.wait_for_selector("#summary")
        assert (
            page.inner_text("#rows")
            == f"Thu hoạch 1.200,5 kg Gấc đợt một từ Vườn gấc ấp số 2, ngày {shown_today}."
        )
        assert (page.locator("#imported-before").count() == 1) == (attempt == "again")
        fits(page)
        screenshot(page, f"flows-05-import-{attempt}")
        page.click("#confirm")
        page.wait_for_selector("p[role=status]")
        assert "Đã nhập 1 lần thu hoạch" in page.inner_text("body")
        fits(page)


def test_a_key_rotation_asks_for_a_reason_and_a_confirmation(phone, demo_live_server, demo):
    page, base = phone, demo_live_server.url
    _sign_in(page, base, demo, AUTHORITY, "/programme")
    page.get_by_role("link", name="Hợp tác xã Nông nghiệp Mỹ Cẩm").first.click()
    page.wait_for_url(re.compile(r".*/programme/organisations/\d+$"))
    fits(page)
    page.get_by_role("button", name="Thay khóa ký").click()
    assert page.inner_text("#reason-error")  # no reason, no rotation
    page.fill("#reason", "Điện thoại của kế toán bị mất")
    page.get_by_role("button", name="Thay khóa ký").click()
    summary = page.inner_text("#summary")
    assert summary.startswith("Thay khóa ký ") and summary.endswith("Lý do: “Điện thoại của kế toán bị mất”.")
    fits(page)
    screenshot(page, "flows-06-rotation-review")
    page.click("#confirm")
    page.wait_for_selector("p[role=status]")
    assert "Đã đăng ký khóa mới" in page.inner_text("body")
    fits(page)
