"""The farm diary on a 412 px phone (Chromium emulating a Pixel 7), on both databases: the producer opens
a zone from the zone list, signs a plant protection entry, sees it in the diary with the day harvests are
allowed again, and the harvest form refuses today's harvest from that zone with that day. No page is wider
than the screen."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_console import phone  # noqa: F401 - the Pixel 7 fixture
from tests.support.accounts import GAC_PRODUCER, password_of
from tracer.events.rules import today

pytestmark = pytest.mark.browser


def _fits(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_a_spraying_on_a_phone_closes_the_zone_to_harvests(phone, demo_live_server, demo):  # noqa: F811
    page, base = phone, demo_live_server.url
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + "/login")
    page.fill("#email", GAC_PRODUCER)
    page.fill("#password", password_of(demo, GAC_PRODUCER))
    page.click("button[type=submit]")
    page.wait_for_url(base + "/console")
    assert page.evaluate("window.innerWidth") == 412

    page.goto(base + "/console/zones")
    page.locator('a[href^="/console/zones/Z"]').first.click()
    assert page.get_by_role("heading", name="Ghi nhật ký canh tác").is_visible()
    assert _fits(page)
    page.get_by_label("Thuốc bảo vệ thực vật").check()
    page.fill("#applied_on", (today() - timedelta(days=2)).isoformat())
    page.fill("#product", "Amistar Top 325SC")
    page.fill("#dose", "10 ml / bình 16 l")
    page.fill("#phi_days", "7")
    screenshot(page, "diary-01-form")
    page.get_by_role("button", name="Ký và ghi vào nhật ký").click()
    page.wait_for_url(f"{base}/console/receipts/*")
    assert "Mục nhật ký canh tác" in page.inner_text("main")

    page.go_back()
    page.reload()
    allowed = (today() + timedelta(days=5)).strftime("%d/%m/%Y")
    assert f"Đang trong thời gian cách ly: được thu hoạch từ ngày {allowed}." in page.inner_text("main")
    assert "Amistar Top 325SC" in page.inner_text("ol.diary")
    assert _fits(page)
    screenshot(page, "diary-02-zone")

    page.goto(base + "/console/harvest")
    page.fill("#name", "Quả gấc chín")
    page.fill("#quantity", "20")
    page.get_by_role("button", name="Lưu thu hoạch").click()
    assert page.inner_text("#harvested_on-error") == (
        f"Chưa hết thời gian cách ly: được thu hoạch từ ngày {allowed}."
    )
    assert _fits(page)
    screenshot(page, "diary-03-harvest-refused")
    assert errors == []
