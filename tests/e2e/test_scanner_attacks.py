"""Issue #16's attacks by someone who can write to the database but holds no key, seen through /scan in
Chromium (a real gunicorn over a copy of the demo database, SQLite and PostgreSQL): a recall undone in every
projection table still shows RECALLED; with its rows of the map's entry lists deleted too, the scanner says
VERIFICATION FAILED and names the missing record, in Vietnamese. Never GENUINE."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_scanner import package_uri, wait_verdict
from tests.support import attacks
from tracer.codes.serials import format_serial

pytestmark = pytest.mark.browser


def _typed_verdict(browser, server, serial: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    try:
        page.goto(server.url + "/scan")
        page.fill("#code", format_serial(serial))
        page.click("#manual button[type=submit]")
        verdict, _ = wait_verdict(page)
        text_shown = page.inner_text("body")
        screenshot(page, f"scanner-attack-{verdict}")
        return verdict, text_shown
    finally:
        context.close()


def test_a_recall_hidden_in_the_database_is_never_genuine(browser, demo_live_server, demo):
    server = demo_live_server
    serial, _uri = package_uri(server, demo.lots["sausage_recalled"])
    url = server.env["TRACER_DATABASE_URL"]
    attacks.execute(url, attacks.HIDE_RECALL_IN_TABLES)
    verdict, shown = _typed_verdict(browser, server, serial)
    assert verdict == "recalled", shown
    attacks.execute(url, attacks.HIDE_RECALL_IN_MAP)
    verdict, shown = _typed_verdict(browser, server, serial)
    assert verdict == "failed", shown
    assert "Bằng chứng thiếu một bản ghi về lô hàng" in shown
    assert "GENUINE" not in shown and "CHÍNH HÃNG" not in shown.upper()
