"""The home page in Debian's Chromium, 412 px wide, JavaScript off, over emulated slow 3G: a shopper types the
code under the QR code (a slip first, then right) and reaches the package's page; screenshots in
test-output/screenshots."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import make_settings
from tests.e2e.conftest import screenshot
from tests.resolver.conftest import packages
from tracer import create_app
from tracer.codes.serials import check_symbol, format_serial
from tracer.platform.services import services

pytestmark = pytest.mark.browser

SLOW_3G = {  # Chrome DevTools' "Slow 3G"
    "offline": False,
    "latency": 400,
    "downloadThroughput": 500 * 1024 / 8 * 0.8,
    "uploadThroughput": 500 * 1024 / 8 * 0.8,
}
FCP = """() => new Promise(resolve => {
    new PerformanceObserver(list => {
        const entry = list.getEntriesByName('first-contentful-paint')[0];
        if (entry) resolve(entry.startTime);
    }).observe({type: 'paint', buffered: true});
    setTimeout(() => resolve(null), 10000);
})"""


@pytest.fixture
def gac(demo_database_url, demo, tmp_path):  # type: ignore[no-untyped-def]
    app = create_app(make_settings(demo_database_url, tmp_path / "reader"))
    try:
        return packages(app, demo.lots["gac_oil"])[0]
    finally:
        services(app).engine.dispose()


def _phone(browser: Any, **options: Any) -> Any:
    context = browser.new_context(
        viewport={"width": 412, "height": 915}, device_scale_factor=2.625, is_mobile=True, has_touch=True,
        locale="vi-VN", **options,
    )  # fmt: skip
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    return context, page


def test_first_paint_on_slow_3g(browser, demo_live_server):
    """Measured with scripts on (Playwright's measuring needs them; the home page itself has none)."""
    context, page = _phone(browser)
    try:
        page.goto(demo_live_server.url + "/", wait_until="load")
        fcp = page.evaluate(FCP)
        size = page.evaluate(
            "performance.getEntriesByType('resource').concat(performance.getEntriesByType("
            "'navigation')).reduce((n, e) => n + e.transferSize, 0)"
        )
        print(f"\nhome page, slow 3G, 412 px: first contentful paint {fcp:.0f} ms, {size} bytes transferred")
        assert fcp is not None and fcp < 2000
        assert page.locator("script").count() == 0
    finally:
        context.close()


def test_typed_code_without_javascript_on_slow_3g(browser, demo_live_server, gac):
    context, page = _phone(browser, java_script_enabled=False)
    try:
        page.goto(demo_live_server.url + "/", wait_until="load")
        assert page.locator("a#scan-link").get_attribute("href") == "/scan"
        screenshot(page, "home-412")

        right = check_symbol(gac.serial)
        typo = format_serial(gac.serial)[:-1] + next(c for c in "0123456789" if c != right)
        page.fill("#code", typo.lower())
        page.click("form.code button")
        page.wait_for_load_state()
        assert page.locator("#code-error").inner_text().startswith("Mã nhập sai, hãy kiểm tra lại")
        assert page.locator("#code").input_value() == typo.lower()
        screenshot(page, "home-412-typo")

        page.fill("#code", format_serial(gac.serial).lower())
        page.click("form.code button")
        page.wait_for_url("**" + gac.path)
        assert page.locator("h1").inner_text() == "Dầu gấc Mỹ Cẩm"
        assert "Mã chính hãng" in page.inner_text("body")
    finally:
        context.close()
