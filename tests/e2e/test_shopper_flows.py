"""The shopper's new pages in Debian's Chromium on a 412 px phone over emulated slow 3G, JavaScript off: the
catalogue (search, filters, a product), reporting a suspected fake from the counterfeit page, and the package
page's folded auditors' table. First contentful paint is printed, never asserted (bench/ measures speed)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_home import FCP, _phone

pytestmark = pytest.mark.browser
NO_OVERFLOW = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def test_catalogue_on_a_phone_without_javascript(browser: Any, demo_live_server: Any) -> None:
    context, page = _phone(browser, java_script_enabled=False)
    try:
        page.goto(demo_live_server.url + "/", wait_until="load")
        page.click("a#catalogue-link")
        page.wait_for_url("**/products")
        assert page.evaluate(NO_OVERFLOW)
        assert page.locator("li.product").count() >= 3
        page.fill("#q", "dau gac")  # typed without diacritics, as on many phones
        page.click("form.filters button[type=submit]")
        page.wait_for_load_state("load")
        names = page.locator("li.product h3").all_inner_texts()
        assert names == ["Dầu gấc Mỹ Cẩm"]
        assert "Cửa hàng OCOP Trà Vinh" in page.inner_text("#results")
        screenshot(page, "catalogue-412")
        page.click("li.product h3 a")
        page.wait_for_load_state("load")
        assert "Dầu gấc Mỹ Cẩm" in page.inner_text("main") and page.evaluate(NO_OVERFLOW)
    finally:
        context.close()


def test_report_a_fake_from_the_counterfeit_page(browser: Any, demo_live_server: Any) -> None:
    context, page = _phone(browser, java_script_enabled=False)
    try:
        page.goto(demo_live_server.url + "/01/08935049500018/21/AAAAAAAAAAAA", wait_until="load")
        page.click("a#report-link")
        page.wait_for_load_state("load")
        assert page.evaluate(NO_OVERFLOW)
        page.fill("#what", "Tem in mờ, không có nắp niêm phong")
        page.fill("#place", "Chợ Bến Thành")
        page.click("form button[type=submit]")
        page.wait_for_load_state("load")
        assert page.locator("#report-done").is_visible()
        screenshot(page, "report-done-412")
    finally:
        context.close()


def test_package_page_first_paint_and_folded_table(browser: Any, demo_live_server: Any) -> None:
    context, page = _phone(browser)
    try:
        page.goto(demo_live_server.url + "/products", wait_until="load")
        href = page.locator("li.product h3 a").first.get_attribute("href")
        page.goto(demo_live_server.url + href, wait_until="load")  # a product's page
        fcp = page.evaluate(FCP)
        print(f"\nproduct page, slow 3G, 412 px: first contentful paint {fcp} ms")
        assert page.evaluate(NO_OVERFLOW)
        page.goto(demo_live_server.url + "/products", wait_until="load")
        fcp = page.evaluate(FCP)
        print(f"catalogue, slow 3G, 412 px: first contentful paint {fcp} ms")
    finally:
        context.close()


def test_inspector_dashboard_fits_a_phone(browser: Any, demo_live_server: Any, demo: Any) -> None:
    """Issue #21: the dashboard has the console's look, menu and sign-out, and its tables become cards at
    412 px (the document is no wider than the screen); the CSV download keeps Vietnamese headings."""
    from tests.support.accounts import INSPECTOR, password_of

    context, page = _phone(browser)
    try:
        base = demo_live_server.url
        page.goto(base + "/01/08935049500018/21/AAAAAAAAAAAA")  # an anomaly to list
        page.goto(base + "/login")
        page.fill("#email", INSPECTOR)
        page.fill("#password", password_of(demo, INSPECTOR))
        page.click("button[type=submit]")
        page.wait_for_url(base + "/inspector")
        assert page.evaluate(NO_OVERFLOW)
        assert page.locator("nav.console-nav button", has_text="Đăng xuất").count() == 1
        assert page.locator("#anomalies table.cards tr").count() >= 2
        screenshot(page, "inspector-412")
    finally:
        context.close()


def test_product_photo_lazily_and_shops_on_a_phone(browser: Any, demo_live_server: Any, demo: Any,
                                                   tmp_path: Any) -> None:  # fmt: skip
    """Issue #20, items 3 and 4: the producer uploads a photo and shop links from the console; the product's
    page at 412 px shows the signed photo as a lazy ``<picture>`` (its width and height set) and the shops
    under "Nơi mua", links marked nofollow. First contentful paint is printed."""
    from PIL import Image

    from tests.support.accounts import GAC_PRODUCER, password_of

    photo = tmp_path / "gac.jpg"
    Image.new("RGB", (1600, 1200), (220, 80, 40)).save(photo, "JPEG")
    context, page = _phone(browser)
    try:
        base = demo_live_server.url
        page.goto(base + "/login")
        page.fill("#email", GAC_PRODUCER)
        page.fill("#password", password_of(demo, GAC_PRODUCER))
        page.click("button[type=submit]")
        page.wait_for_url(base + "/console")
        page.goto(base + "/console/products")
        page.locator("main a", has_text="Dầu gấc Mỹ Cẩm").click()
        page.wait_for_load_state("load")
        assert page.evaluate(NO_OVERFLOW)
        page.set_input_files("#photo", str(photo))
        page.fill("#shops", "Shopee | https://shopee.vn/dau-gac-my-cam\nhttps://tiki.vn/dau-gac")
        page.click("#profile button[type=submit]")
        page.wait_for_load_state("load")
        assert "Đã lưu và ký" in page.inner_text("main")
        page.goto(base + "/products?q=dau+gac", wait_until="load")
        href = page.locator("li.product h3 a").first.get_attribute("href")
        page.goto(base + href, wait_until="load")
        fcp = page.evaluate(FCP)
        print(f"\nproduct page with its photo, slow 3G, 412 px: first contentful paint {fcp} ms")
        img = page.locator("section.product picture img.photo")
        assert img.get_attribute("loading") == "lazy"
        assert int(img.get_attribute("width") or 0) > 0 and int(img.get_attribute("height") or 0) > 0
        assert page.locator("section.product picture source[type='image/webp']").count() == 1
        img.scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('section.product img.photo').complete")
        assert page.evaluate("document.querySelector('section.product img.photo').naturalWidth") > 0
        links = page.locator("#buy a")
        assert links.all_inner_texts() == ["Shopee", "Tiki"]
        assert links.first.get_attribute("rel") == "noopener nofollow"
        assert "Nơi mua" in page.inner_text("#buy") and page.evaluate(NO_OVERFLOW)
        screenshot(page, "product-photo-412")
    finally:
        context.close()
