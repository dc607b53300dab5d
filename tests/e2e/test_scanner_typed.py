"""The scanner's manual entry with what labels print: the code with its check character, the short address; a
wrong check character is said as a typing slip, and nothing is asked of the server for it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_scanner import package_uri, wait_verdict
from tracer.codes.serials import check_symbol, format_serial

pytestmark = pytest.mark.browser


def test_typed_codes_with_their_check_character(browser, demo_live_server, demo):
    server = demo_live_server
    serial, _uri = package_uri(server, demo.lots["turmeric"])
    host = server.url.split("://", 1)[1]
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if "/proof" in request.url else None)
    try:
        page.goto(server.url + "/scan")
        right = check_symbol(serial)
        typo = format_serial(serial)[:-1] + next(c for c in "0123456789" if c != right)
        page.fill("#code", typo)
        page.click("#manual button[type=submit]")
        assert page.inner_text("#input-error") == "Mã nhập sai, hãy kiểm tra lại."
        assert asked == []  # not a scan: not even a request
        screenshot(page, "scanner-typo")

        page.fill("#code", f"{host}/{format_serial(serial).lower()}")  # the short address on the label
        page.click("#manual button[type=submit]")
        assert wait_verdict(page)[0] == "genuine"
        assert "Mã nhập sai" not in page.inner_text("#input-error")
        assert [url.rsplit("/", 2)[1] for url in asked] == [serial]
    finally:
        context.close()
