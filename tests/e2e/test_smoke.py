"""Smoke: a real gunicorn, a real Chromium: the health check and the home page render."""

from __future__ import annotations

import json

from tests.e2e.conftest import screenshot


def test_healthz_and_home_in_chromium(page, live_server):
    response = page.goto(live_server.url + "/healthz")
    assert response.status == 200
    body = json.loads(page.inner_text("body"))
    assert body["status"] == "ok"
    assert body["ledger_size"] >= 1  # the ledger's bootstrap entry

    response = page.goto(live_server.url + "/")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "OCOP" in page.title()
    screenshot(page, "home")
