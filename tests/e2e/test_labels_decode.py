"""The SVG QR code as a browser draws it (Chromium rasterises it), read back with zxing-cpp."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from PIL import Image

pytestmark = pytest.mark.browser


def test_svg_qr_decodes_in_chromium(page, demo_client, demo_app, demo):
    from tests.resolver.conftest import packages

    pkg = packages(demo_app, demo.lots["cacao_powder"])[0]
    svg = demo_client.get(f"/api/v1/packages/{pkg.serial}/qr.svg").get_data(as_text=True)
    page.set_viewport_size({"width": 400, "height": 400})
    page.set_content(f'<body style="margin:0;background:#fff"><div style="width:360px">{svg}</div></body>')
    image = Image.open(io.BytesIO(page.screenshot()))
    [code] = zxingcpp.read_barcodes(image)
    assert code.text == "https://trace.example.vn" + pkg.path
