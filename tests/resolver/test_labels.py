"""Label sheets and QR codes, read back with a real decoder (zxing-cpp) from what we serve."""

from __future__ import annotations

import io

import pypdfium2
import pytest
import zxingcpp
from PIL import Image

from tests.resolver.conftest import packages
from tests.support.accounts import CACAO_PRODUCER, GAC_PRODUCER, INSPECTOR, bearer

PUBLIC = "https://trace.example.vn"


def _decode_pdf(pdf: bytes, scale: float) -> tuple[list[str], str]:
    document = pypdfium2.PdfDocument(pdf)
    found: list[str] = []
    text = ""
    for page in document:
        image = page.render(scale=scale, grayscale=True).to_pil()
        found += [b.text for b in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
        text += " " + page.get_textpage().get_text_range()
    text = " ".join(text.split())  # lines wrap inside a label
    return found, text


@pytest.mark.parametrize(("layout", "scale"), [("a4-3x8", 3), ("a4-4x10", 4), ("roll-50x30", 8)])
def test_every_label_decodes_to_its_package_uri(demo_client, demo_app, demo, layout, scale):
    lot = demo.lots["gac_oil"]
    expected = sorted(PUBLIC + p.path for p in packages(demo_app, lot))
    response = demo_client.get(
        f"/api/v1/lots/{lot}/labels.pdf?layout={layout}", headers=bearer(demo_app, GAC_PRODUCER)
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    decoded, text = _decode_pdf(response.data, scale)
    assert sorted(decoded) == expected  # each label exactly once, each to its own package
    assert "Dầu gấc" in text
    assert "Càng Long" in text
    assert "★★★★" in text  # the certificate is valid today


def test_expired_certificate_prints_no_stars(demo_client, demo_app, demo):
    response = demo_client.get(
        f"/api/v1/lots/{demo.lots['lychee']}/labels.pdf?layout=a4-3x8",
        headers=bearer(demo_app, "nongsan.lucngan@example.vn"),
    )
    assert response.status_code == 200
    _codes, text = _decode_pdf(response.data, 1)
    assert "Vải thiều" in text and "★" not in text


def test_labels_only_for_the_packing_producer(demo_client, demo_app, demo):
    url = f"/api/v1/lots/{demo.lots['gac_oil']}/labels.pdf"
    assert demo_client.get(url).status_code == 401
    assert demo_client.get(url, headers=bearer(demo_app, CACAO_PRODUCER)).status_code == 404
    assert demo_client.get(url, headers=bearer(demo_app, INSPECTOR)).status_code == 403
    bad = demo_client.get(url + "?layout=a3", headers=bearer(demo_app, GAC_PRODUCER))
    assert bad.status_code == 422 and bad.get_json()["field"] == "layout"


def test_png_qr_decodes(demo_client, gac):
    response = demo_client.get(f"/api/v1/packages/{gac.serial}/qr.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    [code] = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.data)))
    assert code.text == PUBLIC + gac.path
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert demo_client.get("/api/v1/packages/ZZZZZZZZZZZZ/qr.png").status_code == 404


def test_svg_qr_is_one_path(demo_client, gac):
    response = demo_client.get(f"/api/v1/packages/{gac.serial}/qr.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.get_data(as_text=True).count("<path") == 1  # decoded in Chromium: tests/e2e


def test_cli_writes_the_labels(demo_app, demo, tmp_path):
    out = tmp_path / "nhan.pdf"
    result = demo_app.test_cli_runner().invoke(
        args=["tracer", "labels", demo.lots["turmeric"], "--layout", "a4-4x10", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    decoded, text = _decode_pdf(out.read_bytes(), 4)
    assert sorted(decoded) == sorted(PUBLIC + p.path for p in packages(demo_app, demo.lots["turmeric"]))
    assert "Tinh bột nghệ" in text and "★★★" in text
    missing = demo_app.test_cli_runner().invoke(args=["tracer", "labels", "LNOSUCHLOT", "-o", str(out)])
    assert missing.exit_code == 1 and "LNOSUCHLOT" in missing.output
