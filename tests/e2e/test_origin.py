"""The origin page in Debian's Chromium on an emulated Pixel 7: journey, stars, trust panel, banners,
languages, no JavaScript, slow 3G; screenshots in test-output/screenshots."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import screenshot
from tests.resolver.conftest import packages
from tracer import create_app
from tracer.platform.services import services

pytestmark = pytest.mark.browser


@pytest.fixture
def pixel(browser: Any, playwright_instance: Any):
    def make(**options: Any) -> Any:
        device = dict(playwright_instance.devices["Pixel 7"])
        device.pop("default_browser_type", None)
        context = browser.new_context(**device, locale="vi-VN", **options)
        made.append(context)
        return context.new_page()

    made: list[Any] = []
    yield make
    for context in made:
        context.close()


@pytest.fixture
def lots(demo_database_url, demo, tmp_path):
    from tests.conftest import make_settings

    app = create_app(make_settings(demo_database_url, tmp_path / "reader"))
    try:
        yield {name: packages(app, lot) for name, lot in demo.lots.items() if name != "gac_fruit"}
    finally:
        services(app).engine.dispose()


def test_gac_oil_journey_back_to_the_garden(pixel, demo_live_server, lots):
    page = pixel()
    gac = lots["gac_oil"][0]
    response = page.goto(demo_live_server.url + gac.path)
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text() == "Dầu gấc Mỹ Cẩm"
    assert "★★★★" in page.locator(".stars").inner_text()
    assert "1868/QĐ-UBND" in page.locator("#ocop").inner_text()
    journey = page.locator(".journey").inner_text()
    for text in (
        "Vườn gấc ấp số 2",
        "Xã Mỹ Cẩm",
        "Huyện Càng Long",
        "Thu hoạch",
        "Quả gấc chín",
        "Ép dầu gấc",
        "Đóng gói",
        "Cửa hàng OCOP Trà Vinh",
    ):
        assert text in journey
    assert "Hợp tác xã Nông nghiệp Mỹ Cẩm" in page.locator(".producer").inner_text()
    trust = page.locator("#trust")
    assert not trust.locator("table").is_visible()  # folded for shoppers: "Dành cho cán bộ kiểm tra"
    trust.locator("summary").click()
    assert trust.locator("table").is_visible()
    assert trust.locator("a[href^='/api/v1/ledger/bundle/']").count() >= 5
    assert "Văn phòng Điều phối Chương trình OCOP tỉnh Trà Vinh" in trust.inner_text()
    assert "Đã quét 1 lần" in page.locator("#scans").inner_text()
    assert page.locator(".show-map").is_visible()  # JavaScript is on: the map button appears
    screenshot(page, "origin-gac-oil")


def test_recalled_package_shows_the_red_banner(pixel, demo_live_server, lots):
    page = pixel()
    page.goto(demo_live_server.url + lots["sausage_recalled"][0].path)
    banner = page.locator(".banner.bad")
    assert "Sản phẩm đã bị thu hồi" in banner.inner_text()
    assert banner.evaluate("e => getComputedStyle(e).borderLeftColor") == "rgb(179, 38, 30)"
    screenshot(page, "origin-recalled")


def test_unknown_code_shows_the_counterfeit_page(pixel, demo_live_server):
    page = pixel()
    response = page.goto(demo_live_server.url + "/01/08935049500018/10/LFAKE00001/21/ZZZZZZZZZZZZ")
    assert response.status == 404
    assert "Mã này không do hệ thống phát hành và có thể là hàng giả" in page.inner_text("body")
    screenshot(page, "origin-unknown-code")


def test_english_with_lang_parameter(pixel, demo_live_server, lots):
    page = pixel()
    page.goto(demo_live_server.url + lots["gac_oil"][1].path + "?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Journey" in page.inner_text("body") and "OCOP 4 stars" in page.inner_text("body")
    assert "Dầu gấc Mỹ Cẩm" in page.locator("h1").inner_text()  # producer text stays as written
    assert re.search(r"Scanned once, on \d\d/\d\d/\d{4}", page.inner_text("body"))
    screenshot(page, "origin-english")


def test_expired_certificate_notice(pixel, demo_live_server, lots):
    page = pixel()
    page.goto(demo_live_server.url + lots["lychee"][0].path)
    assert "Giấy chứng nhận OCOP đã hết hiệu lực" in page.locator(".banner.warn").inner_text()
    assert page.locator(".stars").count() == 0
    screenshot(page, "origin-expired-certificate")


def test_without_javascript_the_journey_reads(pixel, demo_live_server, lots):
    page = pixel(java_script_enabled=False)
    page.goto(demo_live_server.url + lots["gac_oil"][2].path)
    assert "Vườn gấc ấp số 2" in page.locator(".journey").inner_text()
    assert page.locator("a", has_text="Mở trên OpenStreetMap").count() == 1
    assert not page.locator(".show-map").is_visible()  # the map needs JavaScript; the place is written out
    screenshot(page, "origin-no-javascript")


def test_map_loads_on_request(pixel, demo_live_server, lots):
    page = pixel()
    page.route("https://tile.openstreetmap.org/**", lambda route: route.abort())  # offline tiles: still fine
    page.goto(demo_live_server.url + lots["gac_oil"][3].path)
    page.click(".show-map")
    page.wait_for_selector(".leaflet-box .leaflet-marker-icon")
    assert page.locator(".leaflet-box path.leaflet-interactive").count() == 1  # the garden's outline


def test_slow_3g_first_contentful_paint(pixel, demo_live_server, lots):
    page = pixel()
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {  # Chrome DevTools' "Slow 3G"
            "offline": False,
            "latency": 400,
            "downloadThroughput": 500 * 1024 / 8 * 0.8,
            "uploadThroughput": 500 * 1024 / 8 * 0.8,
        },
    )
    page.goto(demo_live_server.url + lots["gac_oil"][4].path, wait_until="load")
    fcp = page.evaluate("""() => new Promise(resolve => new PerformanceObserver(list => {
        const entry = list.getEntriesByName('first-contentful-paint')[0];
        if (entry) resolve(entry.startTime);
    }).observe({type: 'paint', buffered: true}))""")  # the paint entry may come after "load"
    size = page.evaluate(
        "performance.getEntriesByType('resource').concat(performance.getEntriesByType("
        "'navigation')).reduce((n, e) => n + e.decodedBodySize, 0)"
    )
    print(f"\nslow 3G: first contentful paint {fcp:.0f} ms, {size} bytes of HTML, CSS and JS (uncompressed)")
    assert fcp < 5000
    assert "Hành trình" in page.inner_text("body")
