"""The scanner's server side: the page and its assets, the inspector session and photos, inspections signed
with the inspector's key from a session cookie, and the inspectors' dashboard with its CSV exports."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

from tests.scanner.conftest import log_key, serials_of
from tests.support.accounts import GAC_PRODUCER, INSPECTOR
from tests.web.conftest import sign_in_as
from tracer.ledger.dsse import Envelope
from tracer.scans import recorder as scans

SCANNER = Path(__file__).resolve().parents[2] / "scanner_page"


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, "JPEG")
    return out.getvalue()


def test_scan_page_embeds_the_log_key_and_has_no_inline_script(demo_app, demo_client):
    response = demo_client.get("/scan")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    key = log_key(demo_app)
    assert f'<meta name="ocop-log-key" content="{key}">' in html
    assert not re.search(
        r"<script(?![^>]*\bsrc=)[^>]*>", html
    )  # every script is a file: CSP script-src 'self'
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-cache"


def test_assets_and_the_service_worker_scope(demo_client):
    sw = demo_client.get("/scan/sw.js")
    assert sw.headers["Service-Worker-Allowed"] == "/scan"
    assert sw.mimetype == "text/javascript"
    assert demo_client.get("/scan/verify.js").mimetype == "text/javascript"
    assert demo_client.get("/scan/manifest.webmanifest").mimetype == "application/manifest+json"
    assert demo_client.get("/scan/vendor/jsQR.js").status_code == 200
    assert demo_client.get("/scan/vendor/LICENSE").status_code == 200
    for path in ("/scan/index.html", "/scan/../tracer/__init__.py", "/scan/nothing.js"):
        assert demo_client.get(path).status_code == 404, path


def test_the_service_worker_keeps_every_module_of_the_shell(demo_client):
    """Offline, a module missing from the shell cache would stop the page from starting at all."""
    source = (SCANNER / "sw.js").read_text(encoding="utf-8")
    shell = re.search(r"const SHELL = \[(.*?)\];", source, re.S)
    assert shell is not None
    listed = set(re.findall(r'"([^"]+)"', shell.group(1)))
    modules = {f"/scan/{path.name}" for path in SCANNER.glob("*.js")} - {"/scan/sw.js"}
    assert modules <= listed, modules - listed
    for path in sorted(listed):
        assert demo_client.get(path).status_code == 200, path


def test_the_app_never_renders_data_as_html():
    names = sorted(path.name for path in SCANNER.glob("*.js"))
    assert {"app.js", "verify.js", "trust.js", "i18n.js", "sw.js"} <= set(names)
    for name in names:
        source = (SCANNER / name).read_text(encoding="utf-8")
        assert "innerHTML" not in source and "insertAdjacentHTML" not in source, name
        assert "eval(" not in source and "new Function" not in source, name


def test_session_endpoint(demo_client, demo):
    anonymous = demo_client.get("/scan/session").get_json()
    assert anonymous == {"inspector": False}
    sign_in_as(demo_client, demo, INSPECTOR)
    signed = demo_client.get("/scan/session").get_json()
    assert signed["inspector"] is True
    assert signed["name"] == "Trần Văn Minh"
    assert signed["csrf_token"]


def test_photos_need_an_inspector_csrf_and_a_real_small_image(demo_app, demo_client, demo):
    data = jpeg()
    assert demo_client.post("/scan/photos", data=data, content_type="image/jpeg").status_code in (400, 401)
    sign_in_as(demo_client, demo, INSPECTOR)
    token = demo_client.get("/scan/session").get_json()["csrf_token"]
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    assert (
        demo_client.post("/scan/photos", data=data, content_type="image/jpeg").status_code == 400
    )  # no CSRF
    response = demo_client.post("/scan/photos", data=data, content_type="image/jpeg", headers=headers)
    assert response.status_code == 201
    digest = hashlib.sha256(data).hexdigest()
    assert response.get_json() == {"sha256": digest}
    assert (Path(demo_app.instance_path) / "photos" / f"{digest}.jpg").read_bytes() == data
    for body, kind, message in (
        (b"<script>alert(1)</script>", "image/jpeg", "not really a JPG"),
        (data, "text/html", "JPEG, PNG or WebP"),
        (b"\xff\xd8\xff" + b"0" * (900 * 1024), "image/jpeg", "larger than 900 KB"),
    ):
        refused = demo_client.post("/scan/photos", data=body, content_type=kind, headers=headers)
        assert refused.status_code == 422
        assert message in refused.get_json()["detail"]
        assert refused.get_json()["field"] == "photo"


def test_an_inspection_from_the_session_is_signed_with_the_inspectors_key(demo_app, demo_client, demo):
    serial = serials_of(demo_app, demo.lots["gac_oil"])[0]
    sign_in_as(demo_client, demo, INSPECTOR)
    token = demo_client.get("/scan/session").get_json()["csrf_token"]
    command = {"type": "inspect", "serial": serial, "result": "pass", "place": "Chợ Trà Vinh",
               "province": "Trà Vinh", "notes": "Tem nguyên vẹn"}  # fmt: skip
    refused = demo_client.post("/api/v1/events", json=command)
    assert refused.status_code == 403  # a cookie without the CSRF header
    response = demo_client.post("/api/v1/events", json=command, headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_data(as_text=True)
    receipt = response.get_json()
    keys = demo_client.get("/api/v1/ledger/keys").get_json()["keys"]
    inspector_id = receipt["event"]["by"]
    assert receipt["keyid"] == next(
        k["keyid"] for k in keys if k["owner"] == inspector_id and not k["revoked_index"]
    )
    from tracer.platform import db, journal

    with demo_app.app_context(), db.engine().connect() as conn:
        envelope = Envelope.from_json(journal.store().entry(conn, receipt["ledger_index"]))
    assert envelope.signatures[0].keyid == receipt["keyid"]
    assert json.loads(envelope.payload)["place"] == "Chợ Trà Vinh"


def test_dashboard_is_for_inspectors_and_the_programme_office(demo_client, demo):
    response = demo_client.get("/inspector")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/inspector")
    sign_in_as(demo_client, demo, GAC_PRODUCER)
    assert demo_client.get("/inspector").status_code == 403
    assert demo_client.get("/inspector/anomalies.csv").status_code == 403


def test_dashboard_lists_anomalies_and_inspections_with_filters_and_csv(demo_app, demo_client, demo):
    recalled = serials_of(demo_app, demo.lots["sausage_recalled"])[0]
    lychee = serials_of(demo_app, demo.lots["lychee"])[0]
    for serial in (recalled, lychee, "0000000000ZZ"):
        demo_client.get(f"/api/v1/packages/{serial}/proof")
    with demo_app.app_context():
        scans.flush()
    sign_in_as(demo_client, demo, INSPECTOR)
    token = demo_client.get("/scan/session").get_json()["csrf_token"]
    command = {"type": "inspect", "serial": lychee, "result": "fail", "place": "Siêu thị Bắc Giang",
               "province": "Bắc Giang", "notes": "Chứng nhận OCOP đã hết hạn"}  # fmt: skip
    assert demo_client.post("/api/v1/events", json=command, headers={"X-CSRFToken": token}).status_code == 201

    html = demo_client.get("/inspector").get_data(as_text=True)
    assert "anomaly-recalled_scanned" in html
    assert "anomaly-expired_certificate" in html
    assert "anomaly-unknown_code" in html
    assert "Vải thiều sấy khô Lục Ngạn" in html
    assert "Siêu thị Bắc Giang" in html

    filtered = demo_client.get("/inspector?province=Bắc Giang").get_data(as_text=True)
    assert "anomaly-expired_certificate" in filtered
    assert "anomaly-recalled_scanned" not in filtered

    csv_response = demo_client.get("/inspector/anomalies.csv")
    assert csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    body = csv_response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Loại,Số sê-ri,Mã đã quét,Lô,Sản phẩm")  # Vietnamese headings
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {"Mã chưa từng được cấp", "Đã thu hồi, vẫn bày bán"} <= {r["Loại"] for r in rows}
    english = demo_client.get("/inspector/anomalies.csv?lang=en").get_data().decode("utf-8-sig")
    assert english.splitlines()[0].startswith("Kind,Serial number,Code scanned")
    assert "Lạp xưởng tươi Cần Đước" in text
    assert re.search(r"\d\d/\d\d/\d{4} \d\d:\d\d", text)
    inspections = demo_client.get("/inspector/inspections.csv").get_data().decode("utf-8-sig")
    assert "Chứng nhận OCOP đã hết hạn" in inspections
    assert "Trần Văn Minh" in inspections


@pytest.mark.parametrize("bad", ["since=2025-13-01", "until=yesterday"])
def test_bad_dates_name_the_field(demo_client, demo, bad):
    sign_in_as(demo_client, demo, INSPECTOR)
    response = demo_client.get(f"/inspector/anomalies.csv?{bad}", headers={"Accept": "application/json"})
    assert response.status_code == 422
    assert response.get_json()["field"] == bad.split("=")[0]
