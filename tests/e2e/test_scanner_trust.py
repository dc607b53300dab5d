"""Forgetting what a scanner device trusts: its pinned log key and stored checkpoint (scanner_page/trust.js).

A forked history of the pinned key stays a failed verdict with no way around it on the verdict screen; a
different log key (a new log origin) is explained there and points to the settings, where the inspector sees
what is stored and must confirm before it is forgotten. The next scan then pins afresh, as on first use.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.conftest import screenshot
from tests.e2e.test_scanner import package_uri, wait_verdict
from tests.scanner.agreement import verifier_page
from tracer.ledger.keys import generate_key, public_key_raw
from tracer.ledger.note import format_verifier_key, parse_verifier_key

pytestmark = pytest.mark.browser

ZONE = "Asia/Ho_Chi_Minh"
FORGET = "Quên độ tin cậy của máy này"


def stored(page: Any) -> tuple[str | None, dict[str, Any] | None]:
    """(pinned log key, stored checkpoint) as the page keeps them in localStorage."""
    key = page.evaluate("localStorage.getItem('ocop.logKey')")
    checkpoint = page.evaluate("localStorage.getItem('ocop.checkpoint')")
    return key, json.loads(checkpoint) if checkpoint else None


def saved_proofs(page: Any) -> int:
    """How many proof bundles the page keeps for offline checks (Cache Storage "ocop-proofs-v1")."""
    count = "caches.open('ocop-proofs-v1').then((cache) => cache.keys()).then((keys) => keys.length)"
    return int(page.evaluate(count))


def open_settings(page: Any) -> dict[str, str]:
    """Open the trust settings from the header; the rows it shows, label -> value."""
    page.click("#settings")
    return shown(page)


def shown(page: Any) -> dict[str, str]:
    page.wait_for_selector("#trust[data-stored]", state="attached")
    labels = page.locator("#trust-stored dt").all_inner_texts()
    values = page.locator("#trust-stored dd").all_inner_texts()
    return dict(zip(labels, values, strict=True))


def expected_rows(key: str, checkpoint: dict[str, Any]) -> dict[str, str]:
    """What the settings must show for what localStorage holds, worked out here from the stored values."""
    parsed = parse_verifier_key(key)
    at = datetime.fromisoformat(checkpoint["at"].replace("Z", "+00:00")).astimezone(ZoneInfo(ZONE))
    return {
        "Sổ cái": checkpoint["origin"],
        "Khoá đã ghim": f"{parsed.name}, mã khoá {parsed.key_hash:08x}",
        "Điểm kiểm tra đã lưu": f"kích thước {checkpoint['size']}",
        "Lưu lúc": at.strftime("%d/%m/%Y %H:%M"),
    }


def forget(page: Any) -> None:
    page.click("#forget")
    page.wait_for_selector("#forget-confirm:not([hidden])")
    page.click("#forget-yes")
    page.wait_for_selector("#trust[data-stored=no]", state="attached")


def scan_typed(page: Any, serial: str) -> str:
    """Back from the settings to the scanner, in the same page (no reload), and check a typed code."""
    page.click("#trust-back")
    page.fill("#code", serial)
    page.click("#manual button[type=submit]")
    return wait_verdict(page)[0]


def test_forgetting_after_a_forked_history(browser, demo_live_server, demo):
    server = demo_live_server
    context = browser.new_context(locale="vi-VN", timezone_id=ZONE)
    page = context.new_page()
    serial, _ = package_uri(server, demo.lots["turmeric"])
    page.goto(server.url + "/scan?s=" + serial)
    assert wait_verdict(page)[0] == "genuine"
    key, checkpoint = stored(page)
    assert key and checkpoint and checkpoint["at"]
    assert saved_proofs(page) >= 1  # the bundle kept for offline checks

    # What the settings show is what the device holds.
    assert open_settings(page) == expected_rows(key, checkpoint)
    assert page.is_enabled("#forget")

    # A different history at the same size: a hard failure, and nothing on the verdict screen to get past it.
    forged = {**checkpoint, "root": base64.b64encode(bytes(32)).decode()}
    page.evaluate("(value) => localStorage.setItem('ocop.checkpoint', value)", json.dumps(forged))
    page.goto(server.url + "/scan?s=" + serial)
    assert wait_verdict(page)[0] == "failed"
    reasons = page.inner_text("#reasons")
    assert "lịch sử" in reasons
    assert FORGET not in reasons
    assert page.is_hidden("#open-trust")
    assert stored(page) == (key, forged)

    # Cancelling the confirmation keeps everything.
    rows = open_settings(page)
    assert rows == expected_rows(key, forged)
    page.click("#forget")
    assert page.is_visible("#forget-confirm")
    assert "như lần dùng đầu tiên" in page.inner_text("#forget-risk")
    assert page.evaluate("document.activeElement.id") == "forget-no"
    screenshot(page, "scanner-trust-confirm")
    page.click("#forget-no")
    assert page.is_hidden("#forget-confirm")
    assert "vẫn được giữ" in page.inner_text("#trust-status")
    assert stored(page) == (key, forged)
    assert shown(page) == rows
    # ... and so does Escape.
    page.click("#forget")
    page.keyboard.press("Escape")
    assert page.is_hidden("#forget-confirm")
    assert stored(page) == (key, forged)

    # Confirmed: both are gone, the page says so, and the next scan pins afresh and stores a new checkpoint.
    forget(page)
    screenshot(page, "scanner-trust-forgotten")
    assert stored(page) == (None, None)
    assert saved_proofs(page) == 0  # bundles saved under the old trust go with it
    assert "Đã quên" in page.inner_text("#trust-status")
    assert shown(page) == {"Sổ cái": "chưa có", "Khoá đã ghim": "chưa có", "Điểm kiểm tra đã lưu": "chưa có"}
    assert page.is_disabled("#forget")
    assert scan_typed(page, serial) == "genuine"
    served = page.request.get(server.url + "/api/v1/ledger/keys").json()["verifier_key"]
    key_now, fresh = stored(page)
    assert key_now == served == key
    assert fresh is not None
    assert fresh["root"] == checkpoint["root"] != forged["root"]
    assert fresh["size"] == checkpoint["size"]
    assert fresh["at"] >= checkpoint["at"]
    context.close()


def test_a_different_log_key_points_to_the_settings(browser, demo_live_server, demo):
    server = demo_live_server
    context = browser.new_context(locale="vi-VN", timezone_id=ZONE)
    page = context.new_page()
    serial, _ = package_uri(server, demo.lots["gac_oil"])
    page.goto(server.url + "/scan")
    # This device pinned another log's key (a log at a new origin, or an impostor: the page cannot tell).
    other = format_verifier_key("trace.example.vn/ocop-log-2", public_key_raw(generate_key()))
    page.evaluate("(value) => localStorage.setItem('ocop.logKey', value)", other)
    page.goto(server.url + "/scan?s=" + serial)
    assert wait_verdict(page)[0] == "failed"
    reasons = page.inner_text("#reasons")
    assert "Khoá sổ cái khác với khoá đã ghim" in reasons
    assert f"Cài đặt › {FORGET}" in reasons
    assert page.is_visible("#open-trust")
    screenshot(page, "scanner-other-log-key")
    page.click("#lang")
    reasons = page.inner_text("#reasons")
    assert "Settings › Forget this device's trust" in reasons
    page.click("#lang")

    # The button only opens the settings: nothing is forgotten until the inspector confirms there.
    page.click("#open-trust")
    page.wait_for_selector("#trust[data-stored=yes]", state="attached")
    assert page.is_hidden("#verdict")
    assert stored(page)[0] == other
    assert shown(page)["Khoá đã ghim"] == f"trace.example.vn/ocop-log-2, mã khoá {other.split('+')[1]}"
    # As if this page had been loaded while the old log was served: the key it embeds is the old one, so the
    # fresh pin must ask the server for today's key.
    page.evaluate("(value) => document.querySelector('meta[name=\"ocop-log-key\"]').content = value", other)
    forget(page)
    assert scan_typed(page, serial) == "genuine"
    served = page.request.get(server.url + "/api/v1/ledger/keys").json()["verifier_key"]
    key, checkpoint = stored(page)
    assert key == served != other
    assert checkpoint is not None and checkpoint["origin"] == served.split("+")[0]
    context.close()


TRUST = """async ([entries]) => {
  const m = await import("/trust.js");
  const store = new Map(Object.entries(entries));
  const storage = { getItem: (k) => (store.has(k) ? store.get(k) : null),
                    setItem: (k, v) => store.set(k, String(v)), removeItem: (k) => store.delete(k) };
  const described = await m.describeTrust(storage);
  const ofOtherLog = m.storedCheckpoint(storage, "elsewhere/log");
  m.forgetTrust(storage);
  return { described, ofOtherLog, left: Object.fromEntries(store) };
}"""


def test_trust_module_reads_what_is_stored_and_forgets_only_the_trust(browser):
    name = "trace.example.vn/ocop-log"
    key = format_verifier_key(name, public_key_raw(generate_key()))
    keyid = key.split("+")[1]
    checkpoint = {"origin": name, "size": 7, "root": base64.b64encode(bytes(32)).decode()}
    with verifier_page(browser) as page:

        def run(entries: dict[str, str]) -> dict[str, Any]:
            return page.evaluate(TRUST, [{"ocop.lang": "en", **entries}])  # type: ignore[no-any-return]

        nothing = run({})
        assert nothing["described"] == {"key": None, "checkpoint": None}
        assert nothing["left"] == {"ocop.lang": "en"}

        at = "2026-01-15T03:04:05.000Z"
        full = run({"ocop.logKey": key, "ocop.checkpoint": json.dumps({**checkpoint, "at": at})})
        assert full["described"] == {
            "key": {"text": key, "name": name, "keyid": keyid},
            "checkpoint": {"origin": name, "size": 7, "at": at},
        }
        assert full["ofOtherLog"] is None
        assert full["left"] == {"ocop.lang": "en"}

        # Stored by an older page (no time), or damaged: shown for what it is, never an exception.
        older = run({"ocop.logKey": key[:-4] + "AAA=", "ocop.checkpoint": json.dumps(checkpoint)})
        assert older["described"]["key"] == {"text": key[:-4] + "AAA=", "name": None, "keyid": None}
        assert older["described"]["checkpoint"] == {"origin": name, "size": 7, "at": None}
        damaged = run({"ocop.checkpoint": "{not json", "ocop.logKey": ""})
        assert damaged["described"] == {"key": None, "checkpoint": None}
        assert damaged["left"] == {"ocop.lang": "en"}
