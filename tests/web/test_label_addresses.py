"""What a label prints for people resolves through the app: each label's short address, typed into a browser,
leads to the package its own QR code names; and the net content and the scan prompt are on every label."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.resolver.conftest import count_scans, packages
from tests.resolver.test_labels import _decode_pdf
from tests.support.accounts import GAC_PRODUCER, bearer
from tracer.codes.serials import CHECK_SYMBOLS, normalise_serial

ADDRESS = re.compile(
    r"trace\.example\.vn/([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[" + re.escape(CHECK_SYMBOLS) + "])"
)


@pytest.mark.parametrize(("layout", "scale"), [("a4-3x8", 3), ("a4-4x10", 4), ("roll-50x30", 8)])
def test_printed_short_addresses_resolve_to_their_own_package(demo_client, demo_app, demo, layout, scale):
    lot = demo.lots["gac_oil"]
    response = demo_client.get(
        f"/api/v1/lots/{lot}/labels.pdf?layout={layout}", headers=bearer(demo_app, GAC_PRODUCER)
    )
    assert response.status_code == 200
    decoded, text = _decode_pdf(response.data, scale)
    assert text.count("Quét mã để truy xuất nguồn gốc") == len(decoded)
    # the gấc oil was packed as 100 ml bottles: said in full, or beside the stars where room is short
    full, compact = text.count("Thể tích thực: 100 ml"), text.count("100 ml · OCOP ★★★★")
    assert full + compact == len(decoded) and (compact == 0) == (layout == "a4-3x8")
    by_serial = {urlsplit(uri).path.rsplit("/", 1)[1]: urlsplit(uri).path for uri in decoded}
    codes = ADDRESS.findall(text)
    assert len(codes) == len(decoded) == len(packages(demo_app, lot))
    scans = count_scans(demo_app)
    for code in codes:
        path = by_serial[normalise_serial(code)]  # the QR code on the same label
        answer = demo_client.get("/" + code)
        assert (answer.status_code, answer.headers["Location"]) == (303, path), code
    assert count_scans(demo_app) == scans  # reading the address is not a scan; the package page is
    page = demo_client.get("/" + codes[0], follow_redirects=True)
    assert page.status_code == 200 and "Mã chính hãng" in page.get_data(as_text=True)
