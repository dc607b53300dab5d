"""The inspector's field kit in Debian's Chromium on a 412 px phone (issue #21): the scanner in Vietnamese
with no English word on screen, an inspection recorded offline that arrives exactly once when the phone is
back online (an answer lost on the way included), the bytes of a first visit and of a repeat one, and the
dashboard: no wider than the phone, filtered by where a code was scanned, with a signed decision."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from tests.e2e.conftest import screenshot
from tests.e2e.test_scanner import camera_browser, package_uri, wait_verdict, write_y4m
from tests.support.accounts import INSPECTOR, password_of
from tracer.models.events import Inspection, ReviewDecision
from tracer.models.scans import FakeReport
from tracer.platform.db import make_engine

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 412, "height": 915}, "device_scale_factor": 2.625, "is_mobile": True,
         "has_touch": True, "locale": "vi-VN"}  # fmt: skip
# Words of the English catalogue that may stand on a Vietnamese screen: the language switch names its target
# language, and these are names.
ALLOWED = {"english", "ocop", "tracer", "qr"}
# A word stands alone: the letters inside a random code (lot "LHS7YET18E") are not English on screen.
WORD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{3,}(?![A-Za-z0-9])")
ENCODINGS: set[str] = set()  # the Content-Encodings seen in the byte counts, for the printed figures


@contextmanager
def database(server: Any) -> Iterator[Session]:
    engine = make_engine(server.env["TRACER_DATABASE_URL"])
    try:
        with Session(engine) as session:
            yield session
    finally:
        engine.dispose()


def sign_in(page: Any, server: Any, demo: Any, target: str) -> None:
    page.goto(f"{server.url}/login?next={target}")
    page.fill("input[name=email]", INSPECTOR)
    page.fill("input[name=password]", password_of(demo, INSPECTOR))
    page.click("form button[type=submit], form input[type=submit]")
    page.wait_for_url(f"**{target.split('?')[0]}*")


def english_words(page: Any) -> set[str]:
    """The scanner's English catalogue as words, less the words its Vietnamese catalogue uses too."""
    modules = page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)")
    i18n = next(url for url in modules if re.search(r"/scan/i18n\.[0-9a-f]{12}\.js$", url))
    strings = page.evaluate(f"import('{i18n}').then((m) => m.STRINGS)")

    def words(table: dict[str, Any]) -> set[str]:
        found: set[str] = set()
        for value in table.values():
            if isinstance(value, dict):
                found |= words(value)
            else:  # {name} placeholders are not words on screen
                found |= {w.lower() for w in WORD.findall(re.sub(r"\{\w+\}", " ", value))}
        return found

    english = words(strings["en"]) - words(strings["vi"]) - ALLOWED
    assert {"genuine", "recalled", "inspection", "offline", "settings", "expired"} <= english
    return english


def on_screen_english(page: Any, english: set[str], place: str) -> set[str]:
    """English words in what the page shows now: visible text, placeholders, labels, the title."""
    shown = page.evaluate(
        """() => [document.body.innerText, document.title,
                  ...[...document.querySelectorAll('[placeholder]')].map((e) => e.placeholder),
                  ...[...document.querySelectorAll('[aria-label]')].map((e) => e.getAttribute('aria-label'))]
                 .join('\\n')"""
    )
    found = {w.lower() for w in WORD.findall(shown)} & english
    assert not found, f"English on the Vietnamese scanner ({place}): {sorted(found)}\n{shown}"
    return found


def count_inspections(server: Any, place: str) -> int:
    with database(server) as session:
        return int(session.exec(select(func.count()).where(Inspection.place == place)).one()[0])


def test_scanner_flow_in_vietnamese_and_an_offline_inspection_arrives_once(
    browser, demo_live_server, demo, tmp_path
):
    server = demo_live_server
    genuine, _ = package_uri(server, demo.lots["gac_oil"], 1)
    recalled, _ = package_uri(server, demo.lots["sausage_recalled"])
    lychee, _ = package_uri(server, demo.lots["lychee"])
    # No service worker here: Playwright sees every request (and can lose an answer on purpose).
    context = browser.new_context(**PHONE, service_workers="block")
    page = context.new_page()
    try:
        sign_in(page, server, demo, f"/scan?s={genuine}")
        assert wait_verdict(page)[0] == "genuine"
        english = english_words(page)
        page.wait_for_selector("#inspect:not([hidden])")
        on_screen_english(page, english, "genuine verdict with the inspection form")
        assert page.evaluate("document.documentElement.scrollWidth") <= 412

        for serial, kind in ((recalled, "recalled"), (lychee, "expired"), ("0000000000ZZ", "unknown")):
            page.click("#again")
            page.fill("#code", serial)
            page.click("#manual button[type=submit]")
            page.wait_for_selector(f"body[data-verdict='{kind}']", state="attached")
            on_screen_english(page, english, f"{kind} verdict")
        page.click("#again")
        page.fill("#code", "abc")
        page.click("#manual button[type=submit]")
        on_screen_english(page, english, "a mistyped code")
        page.click("#settings")
        page.wait_for_selector("#trust:not([hidden])")
        on_screen_english(page, english, "settings")
        page.click("#forget")
        on_screen_english(page, english, "the forget question")
        page.click("#forget-no")

        # Back to a genuine package; then the phone loses its network in the market.
        page.goto(f"{server.url}/scan?s={genuine}")
        assert wait_verdict(page)[0] == "genuine"
        page.wait_for_selector("#inspect:not([hidden])")
        context.set_offline(True)
        page.wait_for_selector("#offline:has-text('Ngoại tuyến')")
        place = "Chợ Vĩnh Long, sạp 14"
        page.check("input[name=result][value=suspect]")
        page.fill("input[name=place]", place)
        page.fill("input[name=province]", "Vĩnh Long")
        page.fill("textarea[name=notes]", "Ghi khi mất mạng")
        page.click("#inspect-form button[type=submit]")
        page.wait_for_selector("body[data-outbox='1']", state="attached")
        assert "Đã lưu trên máy" in page.inner_text("#inspect-status")
        assert "1 biên bản kiểm tra đang chờ gửi" in page.inner_text("#outbox")
        on_screen_english(page, english, "an inspection queued offline")
        screenshot(page, "scanner-queued-offline")
        assert count_inspections(server, place) == 0

        # Online again, but the first answer is lost on the way: the server has it, the phone does not know.
        lost: list[str] = []

        def lose_first_answer(route: Any) -> None:
            if not lost:
                response = route.fetch()
                lost.append(str(response.status))
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route("**/api/v1/events", lose_first_answer)
        context.set_offline(False)
        page.wait_for_selector("body[data-outbox='0']", state="attached", timeout=60_000)
        assert lost == ["201"]  # recorded by the server, lost to the phone, then sent again
        assert count_inspections(server, place) == 1
        index = page.get_attribute("body", "data-inspection")
        assert index and f"số {index}" in page.inner_text("#outbox")
        on_screen_english(page, english, "the queue sent")
        screenshot(page, "scanner-queue-sent")

        # A reload (the queue is empty) and the 30 s timer send nothing more.
        page.reload()
        wait_verdict(page)
        assert count_inspections(server, place) == 1
        with database(server) as session:
            row = session.exec(select(Inspection).where(Inspection.place == place)).one()[0]
        assert row.client_id and re.fullmatch(r"[0-9a-f-]{36}", row.client_id)
        assert str(row.ledger_index) == index
    finally:
        context.close()


def _transferred(context: Any, page: Any, url: str) -> tuple[dict[str, int], dict[str, bool]]:
    """Bytes on the wire (headers and encoded body) per path for a visit of ``url``, and which answers came
    from the service worker; the service worker's own fetches (its precache) count too."""
    sizes: dict[str, int] = {}
    from_worker: dict[str, bool] = {}

    def finished(request: Any) -> None:
        path = re.sub(r"^https?://[^/]+", "", request.url)
        response = request.response()
        worker = bool(response and response.from_service_worker)
        from_worker[path] = from_worker.get(path, False) or worker
        if not worker:
            ENCODINGS.add((response.headers.get("content-encoding") if response else None) or "identity")
            measured = request.sizes()
            sizes[path] = sizes.get(path, 0) + measured["responseBodySize"] + measured["responseHeadersSize"]

    context.on("requestfinished", finished)
    page.goto(url)
    wait_verdict(page)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_timeout(1500)  # the precache of a first install
    context.remove_listener("requestfinished", finished)
    return sizes, from_worker


def test_first_and_repeat_visit_bytes(browser, demo_live_server, demo):
    server = demo_live_server
    serial, _ = package_uri(server, demo.lots["gac_oil"])
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        first, _ = _transferred(context, page, f"{server.url}/scan?s={serial}")
        app = {p: n for p, n in first.items() if p.startswith("/scan")}
        data = {p: n for p, n in first.items() if not p.startswith("/scan")}
        jsqr = sum(n for p, n in app.items() if "jsQR" in p)
        print(f"\n[scanner] first visit, 412 px Chromium, encodings {sorted(ENCODINGS)}: "
              f"app {sum(app.values())} bytes in {len(app)} responses (jsQR {jsqr}), "
              f"data {sum(data.values())} bytes ({', '.join(sorted(data))})")  # fmt: skip
        for path, size in sorted(first.items()):
            print(f"  {size:>7}  {path}")
        assert sum(app.values()) < 120 * 1024
        assert jsqr == 0  # a code in the address: no camera, so no decoder was fetched
        assert not any("noble-ed25519" in p for p in app)  # this Chromium has Ed25519 in WebCrypto

        repeat, worker = _transferred(context, page, f"{server.url}/scan?s={serial}")
        hashed = [p for p in worker if re.search(r"\.[0-9a-f]{12}\.[a-z]+$", p)]
        assert hashed and all(worker[p] for p in hashed), {p: worker[p] for p in hashed}
        print(f"[scanner] repeat visit: {sum(repeat.values())} bytes from the network "
              f"({', '.join(sorted(repeat))}); {len(hashed)} files from the service worker")  # fmt: skip
        assert not any(p in repeat for p in hashed)
    finally:
        context.close()


def test_first_visit_with_the_camera_fetches_jsqr_once(playwright_instance, demo_live_server, demo, tmp_path):
    """Linux Chromium has no BarcodeDetector: the camera's first frame fetches jsQR, once, and the camera's
    verdict comes from it; the bytes of that first visit are printed."""
    server = demo_live_server
    _, uri = package_uri(server, demo.lots["gac_oil"])
    with camera_browser(playwright_instance, write_y4m(uri, tmp_path / "code.y4m")) as camera:
        context = camera.new_context(**PHONE)
        page = context.new_page()
        try:
            sizes, _ = _transferred(context, page, f"{server.url}/scan")
            assert page.get_attribute("body", "data-decoder") == "jsqr"
            assert page.get_attribute("body", "data-verdict") == "genuine"
            app = {p: n for p, n in sizes.items() if p.startswith("/scan")}
            jsqr = [p for p in app if "jsQR" in p]
            assert len(jsqr) == 1 and re.search(r"/vendor/jsQR\.[0-9a-f]{12}\.js$", jsqr[0])
            data = sum(n for p, n in sizes.items() if not p.startswith("/scan"))
            total = sum(app.values())
            print(f"\n[scanner] first visit with the camera (jsQR fallback): app {total} bytes, jsQR "
                  f"{app[jsqr[0]]}; data {data} bytes; encodings {sorted(ENCODINGS)}")  # fmt: skip
            assert total < 120 * 1024
        finally:
            context.close()


def test_a_browser_with_barcodedetector_never_fetches_jsqr(
    playwright_instance, demo_live_server, demo, tmp_path
):
    """Android Chrome's BarcodeDetector, stood in for by a script (Linux Chromium has none) that answers, for
    a camera frame, the URI zxing-cpp read from the same frames (``write_y4m`` checks it): the verdict comes
    from it and jsQR is never asked for."""
    server = demo_live_server
    _, uri = package_uri(server, demo.lots["gac_oil"])
    detector = f"""window.BarcodeDetector = class {{
        static async getSupportedFormats() {{ return ["qr_code", "ean_13"]; }}
        constructor(options) {{ window.__formats = options.formats; }}
        async detect(source) {{ return source.videoWidth ? [{{ rawValue: {uri!r} }}] : []; }}
    }};"""
    with camera_browser(playwright_instance, write_y4m(uri, tmp_path / "code.y4m")) as camera:
        context = camera.new_context(**PHONE)
        context.add_init_script(detector)
        page = context.new_page()
        try:
            sizes, _ = _transferred(context, page, f"{server.url}/scan")
            assert page.get_attribute("body", "data-decoder") == "native"
            assert page.get_attribute("body", "data-verdict") == "genuine"
            assert page.evaluate("window.__formats") == ["qr_code"]
            assert not any("jsQR" in path for path in sizes)
            app = sum(n for p, n in sizes.items() if p.startswith("/scan"))
            print(f"\n[scanner] first visit with BarcodeDetector: app {app} bytes, no jsQR")
        finally:
            context.close()


def test_dashboard_on_a_phone_filters_by_scan_place_and_signs_a_decision(browser, demo_live_server, demo):
    server = demo_live_server
    recalled, _ = package_uri(server, demo.lots["sausage_recalled"])
    context = browser.new_context(**PHONE)
    page = context.new_page()
    try:
        # A shopper in Vĩnh Long opens the recalled lạp xưởng's page and shares a coarse location.
        page.goto(f"{server.url}/p/{recalled}")
        answer = page.request.post(f"{server.url}/p/{recalled}/location",
                                   data={"latitude": 10.25, "longitude": 105.97})  # fmt: skip
        assert answer.ok, answer.text()
        with database(server) as session:
            session.add(FakeReport(code=recalled, what="Bán hàng đã thu hồi", place="Chợ Vĩnh Long",
                                   province="Vĩnh Long", source="e2e"))  # fmt: skip
            session.commit()

        sign_in(page, server, demo, "/inspector")
        for query in ("", "?place=Vĩnh Long"):
            page.goto(f"{server.url}/inspector{query}")
            width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert width[0] == width[1] == 412, (query, width)
        assert recalled in page.inner_text("#anomalies")
        assert "Bán hàng đã thu hồi" in page.inner_text("#reports")
        page.goto(f"{server.url}/inspector?place=Hà Nội")
        assert recalled not in page.inner_text("#anomalies")
        assert "Bán hàng đã thu hồi" not in page.inner_text("#reports")

        page.goto(f"{server.url}/inspector?place=Vĩnh Long")
        form = page.locator("#reports form.decide").first
        form.locator("select[name=decision]").select_option("confirmed_fake")
        form.locator("input[name=notes]").fill("Đã lập biên bản tại sạp")
        form.locator("button[type=submit]").click()
        page.wait_for_url("**decided=*")
        reports = page.inner_text("#reports")
        assert "Đã xác nhận hàng giả" in reports and "Đã lập biên bản tại sạp" in reports
        assert "đã ký, mục sổ cái" in reports
        assert page.evaluate("document.documentElement.scrollWidth") == 412
        screenshot(page, "inspector-decision-phone")
        with database(server) as session:
            assert len(session.exec(select(ReviewDecision)).all()) == 1
    finally:
        context.close()
