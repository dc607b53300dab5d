"""The scanner at /scan in a real Chromium with a fake camera that films a real demo package's QR code.

The camera is Chromium's fake capture device playing a YUV4MPEG2 video written here from the package's
GS1 Digital Link URI (rendered by ``tracer.codes.qr``, read back by zxing-cpp first). The page decodes the
frames
with jsQR, fetches the proof bundle and verifies it with WebCrypto; the verdicts, the time from page start to
verdict, an inspector's signed inspection, offline re-verification and the page's weight are checked here.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import select
from sqlmodel import Session

from tests.e2e.conftest import ARGS, CHROMIUM, screenshot
from tests.scanner.agreement import (
    HIDE_ED25519,
    check_agreement,
    check_consistency,
    check_merkle_vectors,
    verifier_page,
)
from tests.support.accounts import INSPECTOR, password_of
from tracer.codes.qr import qr_png
from tracer.ledger.dsse import Envelope
from tracer.ledger.keys import load_public_key
from tracer.ledger.schema import ledger_entries, ledger_keys
from tracer.models.accounts import User
from tracer.models.lots import Package
from tracer.models.products import Product
from tracer.platform.db import make_engine
from tracer.platform.services import services
from tracer.scans.recorder import ScanRecorder

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCANNER = ROOT / "scanner_page"
WIDTH, HEIGHT, FRAMES = 640, 480, 6
TITLES = {"genuine": "CHÍNH HÃNG", "recalled": "ĐÃ THU HỒI", "unknown": "MÃ KHÔNG TỒN TẠI",
          "failed": "XÁC MINH THẤT BẠI", "expired": "CHỨNG NHẬN HẾT HẠN"}  # fmt: skip


def write_y4m(uri: str, path: Path) -> Path:
    """A 640x480 C420 YUV4MPEG2 video of the QR code of ``uri``, a few frames; checked with zxing-cpp."""
    code = Image.open(io.BytesIO(qr_png(uri, scale=6))).convert("L")
    side = min(400, code.width)
    code = code.resize((side, side), Image.Resampling.NEAREST)
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(code, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
    assert [r.text for r in zxingcpp.read_barcodes(frame)] == [uri]
    y, cb, cr = frame.convert("RGB").convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with path.open("wb") as handle:
        handle.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        for _ in range(FRAMES):
            handle.write(b"FRAME\n" + planes)
    return path


@contextmanager
def camera_browser(playwright_instance: Any, video: Path) -> Iterator[Any]:
    """A Chromium of its own whose camera films ``video`` (the fake device is chosen at launch)."""
    args = [*ARGS, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}"]  # fmt: skip
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
    try:
        yield browser
    finally:
        browser.close()


def package_uri(server: Any, lot_id: str, index: int = 0) -> tuple[str, str]:
    """(serial, the URI in its QR code) of a demo package, as the labels print it."""
    engine = make_engine(server.env["TRACER_DATABASE_URL"])
    try:
        with Session(engine) as session:
            package = session.exec(
                select(Package).where(Package.lot_id == lot_id).order_by(Package.position)  # type: ignore[arg-type]
            ).all()[index][0]
            product = session.get(Product, package.product_id)
            assert product is not None
            if product.gtin:
                return package.serial, f"{server.url}/01/{product.gtin}/10/{lot_id}/21/{package.serial}"
            return package.serial, f"{server.url}/p/{package.serial}"
    finally:
        engine.dispose()


def wait_verdict(page: Any, timeout: float = 15_000) -> tuple[str, dict[str, float]]:
    # Selectors, not wait_for_function: the page's CSP forbids the eval that polling functions need.
    page.wait_for_selector("body[data-verdict]:not([data-verdict=''])", state="attached", timeout=timeout)
    verdict = page.get_attribute("body", "data-verdict")
    timings = json.loads(page.get_attribute("body", "data-timings") or "{}")
    return verdict, timings


def scan(browser: Any, url: str, **context_options: Any) -> tuple[Any, Any, str, dict[str, float]]:
    context = browser.new_context(locale="vi-VN", **context_options)
    page = context.new_page()
    page.goto(url + "/scan")
    verdict, timings = wait_verdict(page)
    return context, page, verdict, timings


def report(name: str, timings: dict[str, float]) -> None:
    frame = timings.get("firstFrame")
    after_frame = f", {timings['verdict'] - frame:.0f} ms from the first frame" if frame else ""
    camera, decoded, fetched = (timings.get(k, 0) for k in ("camera", "decoded", "fetched"))
    print(
        f"\n[scanner] {name}: verdict {timings['verdict']:.0f} ms after page start{after_frame} "
        f"(camera on {camera:.0f} ms, decoded {decoded:.0f} ms, bundle fetched {fetched:.0f} ms, "
        f"verified {timings['verdict'] - fetched:.0f} ms later)"
    )


def test_camera_scan_verdicts(playwright_instance, demo_live_server, demo, tmp_path):
    server = demo_live_server
    _, genuine_uri = package_uri(server, demo.lots["gac_oil"])
    _, recalled_uri = package_uri(server, demo.lots["sausage_recalled"])
    never_issued = f"{server.url}/01/08935049500018/10/{demo.lots['gac_oil']}/21/ZZZZZZZZZZZZ"

    with camera_browser(playwright_instance, write_y4m(genuine_uri, tmp_path / "genuine.y4m")) as browser:
        context, page, verdict, timings = scan(browser, server.url)
        assert verdict == "genuine"
        assert page.inner_text("#verdict-title") == TITLES["genuine"]
        journey = page.inner_text("#journey")
        assert "Dầu gấc Mỹ Cẩm" in journey
        assert "Hợp tác xã Nông nghiệp Mỹ Cẩm" in journey
        assert "Vườn gấc ấp số 2, Xã Mỹ Cẩm, Huyện Càng Long, Trà Vinh" in journey
        assert "★★★★☆" in journey
        report("genuine", timings)
        screenshot(page, "scanner-genuine")
        page.click("#lang")
        assert page.inner_text("#verdict-title") == "GENUINE"
        context.close()

        # The same camera, but the server answers with one byte flipped in a signature. Playwright cannot
        # intercept what a service worker fetches, so this context runs without one.
        context = browser.new_context(locale="vi-VN", service_workers="block")
        page = context.new_page()

        def flip(route: Any) -> None:
            response = route.fetch()
            bundle = response.json()
            entry = bundle["entries"][-1]
            envelope = json.loads(base64.b64decode(entry["envelope"]))
            sig = bytearray(base64.b64decode(envelope["signatures"][0]["sig"]))
            sig[10] ^= 0x01
            envelope["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
            entry["envelope"] = base64.b64encode(
                json.dumps(envelope, separators=(",", ":")).encode()
            ).decode()
            route.fulfill(response=response, body=json.dumps(bundle), content_type="application/json")

        page.route("**/api/v1/packages/*/proof", flip)
        page.goto(server.url + "/scan")
        verdict, timings = wait_verdict(page)
        assert verdict == "failed"
        assert page.inner_text("#verdict-title") == TITLES["failed"]
        assert "không nằm trong sổ cái" in page.inner_text("#reasons")
        report("flipped byte", timings)
        screenshot(page, "scanner-failed")
        context.close()

    with camera_browser(playwright_instance, write_y4m(recalled_uri, tmp_path / "recalled.y4m")) as browser:
        context, page, verdict, timings = scan(browser, server.url)
        assert verdict == "recalled"
        assert page.inner_text("#verdict-title") == TITLES["recalled"]
        assert "Kiểm nghiệm phát hiện vượt ngưỡng nitrit cho phép" in page.inner_text("#verdict")
        # The reason in Vietnamese, built from the signed recall, not the verifier's English sentence
        assert "Đã thu hồi: Kiểm nghiệm phát hiện" in page.inner_text("#reasons")
        assert "recalled:" not in page.inner_text("#reasons")
        report("recalled", timings)
        screenshot(page, "scanner-recalled")
        context.close()

    with camera_browser(playwright_instance, write_y4m(never_issued, tmp_path / "unknown.y4m")) as browser:
        context, page, verdict, timings = scan(browser, server.url)
        assert verdict == "unknown"
        assert page.inner_text("#verdict-title") == TITLES["unknown"]
        assert "ZZZZZZZZZZZZ" in page.inner_text("#verdict-lead")
        report("unknown", timings)
        context.close()


def test_inspector_records_a_signed_inspection(playwright_instance, demo_live_server, demo, tmp_path):
    server = demo_live_server
    serial, uri = package_uri(server, demo.lots["gac_oil"], 2)
    photo = tmp_path / "shelf.jpg"
    Image.new("RGB", (800, 600), (200, 60, 40)).save(photo, "JPEG")
    with camera_browser(playwright_instance, write_y4m(uri, tmp_path / "package.y4m")) as browser:
        context = browser.new_context(locale="vi-VN")
        page = context.new_page()
        page.goto(server.url + "/login?next=/scan")
        page.fill("input[name=email]", INSPECTOR)
        page.fill("input[name=password]", password_of(demo, INSPECTOR))
        page.click("form button[type=submit], form input[type=submit]")
        page.wait_for_url("**/scan")
        assert wait_verdict(page)[0] == "genuine"
        page.wait_for_selector("#inspect:not([hidden])")
        page.check("input[name=result][value=suspect]")
        page.fill("input[name=place]", "Cửa hàng OCOP Trà Vinh, 12 Nguyễn Thị Minh Khai")
        page.fill("input[name=province]", "Trà Vinh")
        page.fill("textarea[name=notes]", "Tem bị bong một góc, cần kiểm tra thêm")
        page.set_input_files("input[name=photo]", str(photo))
        page.click("#inspect-form button[type=submit]")
        try:
            page.wait_for_selector("body[data-inspection]", state="attached", timeout=40_000)
        except PlaywrightTimeout:
            pytest.fail(f"no inspection recorded; the page says: {page.inner_text('#inspect-status')!r}")
        index = int(page.get_attribute("body", "data-inspection") or "-1")
        assert str(index) in page.inner_text("#inspect-status")
        screenshot(page, "scanner-inspection")

        page.goto(server.url + "/inspector")
        assert "Cửa hàng OCOP Trà Vinh" in page.inner_text("main")
        context.close()

    engine = make_engine(server.env["TRACER_DATABASE_URL"])
    try:
        with engine.connect() as conn, Session(engine) as session:
            inspector = session.exec(select(User).where(User.email == INSPECTOR)).one()[0]
            raw, signer = conn.execute(
                select(ledger_entries.c.envelope, ledger_entries.c.keyid).where(ledger_entries.c.idx == index)
            ).one()
            key = conn.execute(
                select(ledger_keys.c.keyid, ledger_keys.c.public_key).where(
                    ledger_keys.c.owner == f"user:{inspector.id}"
                )
            ).one()
    finally:
        engine.dispose()
    assert signer == key.keyid  # signed by the inspector's own registered key
    envelope = Envelope.from_json(bytes(raw))
    assert envelope.signatures[0].keyid == key.keyid
    from tracer.ledger.dsse import verify_envelope

    verify_envelope(envelope, {key.keyid: load_public_key(bytes(key.public_key))})
    body = json.loads(envelope.payload)
    assert body["type"] == "inspect"
    assert body["serial"] == serial
    assert body["result"] == "suspect"
    assert body["by"] == f"user:{inspector.id}"
    stored = Path(server.env["TRACER_INSTANCE_PATH"]) / "photos" / f"{body['photo_sha256']}.jpg"
    assert stored.is_file()


def test_verifies_again_offline(browser, demo_live_server, demo):
    server = demo_live_server
    serial, _ = package_uri(server, demo.lots["turmeric"])
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(server.url + "/scan")
    page.evaluate("navigator.serviceWorker.ready")
    page.fill("#code", "-".join(serial[i : i + 4] for i in (0, 4, 8)).lower())
    page.click("#manual button[type=submit]")
    assert wait_verdict(page)[0] == "genuine"
    page.evaluate("""navigator.serviceWorker.ready.then(() => new Promise((done) => {
        if (navigator.serviceWorker.controller) done(true);
        else navigator.serviceWorker.addEventListener("controllerchange", () => done(true));
    }))""")

    context.set_offline(True)
    server.stop()  # and the server is gone too: only the service worker's cache is left
    page.goto(server.url + "/scan?s=" + serial)
    verdict, _timings = wait_verdict(page)
    assert verdict == "genuine"
    assert page.inner_text("#verdict-title") == TITLES["genuine"]
    assert "ngoại tuyến" in page.inner_text("#reasons")
    screenshot(page, "scanner-offline")
    context.close()


def test_javascript_and_python_verifiers_agree(browser, demo_app, demo_client, demo):
    """Good bundles and every way of breaking one: the same verdict, or a failure at the same step."""

    def bundle_of(serial: str) -> dict[str, Any]:
        response = demo_client.get(f"/api/v1/packages/{serial}/proof")
        assert response.status_code == 200
        return response.get_json()  # type: ignore[no-any-return]

    with verifier_page(browser) as page:
        check_agreement(page, demo_app, demo, bundle_of)
    recorder = services(demo_app).existing(ScanRecorder)
    if recorder is not None:
        recorder.close()


def test_javascript_verifier_agrees_without_webcrypto_ed25519(browser, demo_app, demo_client, demo):
    """As on phones before Chrome 137 or Safari 17: every signature is checked by the vendored
    @noble/ed25519, with the same verdicts, and the same failures, as the Python verifier."""

    def bundle_of(serial: str) -> dict[str, Any]:
        response = demo_client.get(f"/api/v1/packages/{serial}/proof")
        assert response.status_code == 200
        return response.get_json()  # type: ignore[no-any-return]

    with verifier_page(browser, without_ed25519=True) as page:
        hidden = page.evaluate("""async () => {
          try {
            await crypto.subtle.importKey("raw", new Uint8Array(32), { name: "Ed25519" }, false, ["verify"]);
            return "imported";
          } catch (e) { return e.name; }
        }""")
        assert hidden == "NotSupportedError"
        check_agreement(page, demo_app, demo, bundle_of)
        assert page.evaluate("import('/verify.js').then((m) => m.ed25519Backend())") == "noble"
    recorder = services(demo_app).existing(ScanRecorder)
    if recorder is not None:
        recorder.close()


FALLBACK = re.compile(r"/scan/vendor/noble-ed25519\.[0-9a-f]{12}\.js")  # served under its hashed name
VERIFIER = re.compile(r"/scan/verify\.[0-9a-f]{12}\.js")


def _scan_serial(browser: Any, url: str, serial: str, *, hide: bool, route: Any = None) -> tuple[str, Any]:
    """The verdict of /scan?s={serial} in a context without a service worker (so every fetch is seen, and
    ``route`` sees the bundle); the page's paths fetched and its Ed25519 backend are returned too."""
    context = browser.new_context(locale="vi-VN", service_workers="block")
    if hide:
        context.add_init_script(path=str(HIDE_ED25519))
    page = context.new_page()
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(urlsplit(request.url).path))
    if route is not None:
        page.route("**/api/v1/packages/*/proof", route)
    page.goto(f"{url}/scan?s={serial}")
    verdict, timings = wait_verdict(page)
    verifier = next(path for path in fetched if VERIFIER.fullmatch(path))  # the page's own module instance
    backend = page.evaluate(f"import('{verifier}').then((m) => m.ed25519Backend())")
    title, reasons = page.inner_text("#verdict-title"), page.inner_text("#reasons")
    context.close()
    return verdict, {"fetched": fetched, "backend": backend, "title": title, "reasons": reasons,
                     "timings": timings}  # fmt: skip


def test_scanner_without_webcrypto_ed25519_uses_the_vendored_fallback(browser, demo_live_server, demo):
    server = demo_live_server
    serial, _ = package_uri(server, demo.lots["gac_oil"])

    # The usual path: WebCrypto, and the fallback's bytes are never fetched.
    verdict, seen = _scan_serial(browser, server.url, serial, hide=False)
    assert (verdict, seen["backend"]) == ("genuine", "webcrypto")
    assert not any(FALLBACK.fullmatch(path) for path in seen["fetched"])

    # An older phone: the fallback is fetched and the genuine package is still genuine.
    verdict, seen = _scan_serial(browser, server.url, serial, hide=True)
    assert (verdict, seen["backend"], seen["title"]) == ("genuine", "noble", TITLES["genuine"])
    assert sum(1 for path in seen["fetched"] if FALLBACK.fullmatch(path)) == 1
    report("genuine, Ed25519 by the vendored fallback", seen["timings"])

    # And a tampered bundle still fails: the checkpoint's signature, checked by the fallback, is broken.
    def flip_checkpoint_signature(route: Any) -> None:
        response = route.fetch()
        bundle = response.json()
        text, _, signature = bundle["checkpoint"].rstrip("\n").rpartition("\n")
        dash, name, sig = signature.split(" ")
        raw = bytearray(base64.b64decode(sig))
        raw[10] ^= 0x01
        bundle["checkpoint"] = f"{text}\n{dash} {name} {base64.b64encode(bytes(raw)).decode()}\n"
        route.fulfill(response=response, body=json.dumps(bundle), content_type="application/json")

    verdict, seen = _scan_serial(browser, server.url, serial, hide=True, route=flip_checkpoint_signature)
    assert (verdict, seen["backend"], seen["title"]) == ("failed", "noble", TITLES["failed"])


def test_javascript_merkle_verifier_passes_the_rfc6962_vectors(browser):
    with verifier_page(browser) as page:
        check_merkle_vectors(page)


def test_javascript_consistency_check_passes_vectors_and_python_proofs(browser):
    with verifier_page(browser) as page:
        check_consistency(page)


def test_scanner_follows_the_ledger_and_catches_a_forked_history(browser, demo_live_server, demo):
    """The device keeps the largest checkpoint it verified; a later, larger one must extend it (consistency
    proof checked in the browser); a different history at the same size is a failed verdict."""
    server = demo_live_server
    context = browser.new_context(locale="vi-VN")
    page = context.new_page()
    page.goto(server.url + "/scan")
    first, _ = package_uri(server, demo.lots["turmeric"])
    page.goto(server.url + "/scan?s=" + first)
    assert wait_verdict(page)[0] == "genuine"
    seen = json.loads(page.evaluate("localStorage.getItem('ocop.checkpoint')"))
    assert seen["size"] >= 1 and len(base64.b64decode(seen["root"])) == 32

    # The ledger grows (a scan is not an entry: record an inspection through the API), then another scan.
    token = _token(server)
    inspection = {"type": "inspect", "serial": first, "result": "pass", "place": "Chợ Trà Vinh"}
    grown = page.request.post(
        server.url + "/api/v1/events", headers={"Authorization": f"Bearer {token}"}, data=inspection
    )
    assert grown.status == 201, grown.text()
    second, _ = package_uri(server, demo.lots["turmeric"], 1)
    asked: list[str] = []
    page.on("request", lambda request: asked.append(urlsplit(request.url).path))
    page.goto(server.url + "/scan?s=" + second)
    assert wait_verdict(page)[0] == "genuine"
    now = json.loads(page.evaluate("localStorage.getItem('ocop.checkpoint')"))
    assert now["size"] > seen["size"], (seen, now)
    # The consistency proof was read through the log's tiles (cacheable by a CDN), not asked of the server.
    assert page.get_attribute("body", "data-proof-source") == "tiles"
    assert any(path.startswith("/log/tile/") for path in asked), asked
    assert not any("/proof/consistency" in path for path in asked), asked

    # A device that saw a different history at today's size: the server's ledger is not the one it knew.
    forged = {**now, "root": base64.b64encode(bytes(32)).decode()}
    page.evaluate("(value) => localStorage.setItem('ocop.checkpoint', value)", json.dumps(forged))
    page.goto(server.url + "/scan?s=" + second)
    assert wait_verdict(page)[0] == "failed"
    assert "lịch sử" in page.inner_text("#reasons")
    screenshot(page, "scanner-forked-history")

    # And a forged smaller checkpoint: the consistency proof from it to today's ledger does not hold.
    smaller = json.dumps({**forged, "size": 1})
    page.evaluate("(value) => localStorage.setItem('ocop.checkpoint', value)", smaller)
    page.goto(server.url + "/scan?s=" + second)
    assert wait_verdict(page)[0] == "failed"
    context.close()


def _token(server: Any) -> str:
    """An inspector's API token, made with the CLI against the live server's database."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "tracer", "token", "create", "--user", INSPECTOR],
        env={**server.env}, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip().splitlines()[-1]


def test_page_weight():
    parts = {
        "HTML": ["index.html"],
        "CSS": ["app.css"],
        "JS (app, verifier, strings ...)": ["app.js", "verify.js", "trust.js", "i18n.js", "tiles.js"],
        "service worker + manifest": ["sw.js", "manifest.webmanifest"],
        "jsQR (vendored)": ["vendor/jsQR.js"],
    }
    sizes = {name: sum((SCANNER / f).stat().st_size for f in files) for name, files in parts.items()}
    zipped = {name: sum(len(gzip.compress((SCANNER / f).read_bytes(), 9)) for f in files)
              for name, files in parts.items()}  # fmt: skip
    print("\n[scanner] page weight (bytes, raw / gzip):")
    for name in parts:
        print(f"  {name:28} {sizes[name]:>8} / {zipped[name]:>7}")
    print(f"  {'total':28} {sum(sizes.values()):>8} / {sum(zipped.values()):>7}")
    lazy = SCANNER / "vendor" / "noble-ed25519.js"  # imported only where WebCrypto has no Ed25519
    print(f"  {'+ Ed25519 fallback, if needed':28} {lazy.stat().st_size:>8} / "
          f"{len(gzip.compress(lazy.read_bytes(), 9)):>7}")  # fmt: skip
    assert max(sizes, key=sizes.__getitem__) == "jsQR (vendored)"
