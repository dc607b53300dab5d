"""The home page: the code box (typed serials with or without their check character, whole URIs, the short
address printed on labels), typing slips said as such and never recorded, the way to the scanner, the
favicon, and the page's weight."""

from __future__ import annotations

import gzip
import io
from urllib.parse import quote

import pytest
from PIL import Image

from tests.resolver.conftest import Pkg, count_scans, packages, scan_rows
from tracer.codes.serials import CHECK_SYMBOLS, check_symbol, format_serial

PUBLIC = "https://trace.example.vn"
TYPO_VI = "Mã nhập sai, hãy kiểm tra lại"
TYPO_EN = "The code was mistyped, please check it again"


def _html(response) -> str:  # type: ignore[no-untyped-def]
    return str(response.get_data(as_text=True))


def _wrong_check(serial: str) -> str:
    right = check_symbol(serial)
    return next(c for c in "0123456789ABCDEF" if c != right)


@pytest.fixture
def gac(demo_app, demo) -> Pkg:  # type: ignore[no-untyped-def]
    """A package of a product with a GTIN: its QR code carries the GS1 Digital Link."""
    return packages(demo_app, demo.lots["gac_oil"])[0]


@pytest.fixture
def plain(demo_app, demo) -> Pkg:  # type: ignore[no-untyped-def]
    """A package of a product without a GTIN: its QR code carries ``/p/{serial}``."""
    return packages(demo_app, demo.lots["turmeric"])[0]


def test_home_page_has_the_code_box_and_the_scanner(client):
    response = client.get("/")
    html = _html(response)
    assert response.status_code == 200
    assert '<form class="code" method="get" action="/">' in html
    assert 'name="code"' in html and 'autocapitalize="characters"' in html
    assert 'href="/scan"' in html and "Quét mã QR bằng máy ảnh điện thoại" in html
    assert "Hoặc nhập mã in dưới mã QR" in html and "Tra cứu" in html
    assert 'name="lang"' not in html
    english = _html(client.get("/?lang=en"))
    assert "Or type the code printed under the QR code" in english
    assert '<input type="hidden" name="lang" value="en">' in english  # the form stays in English
    assert "Tiếng Việt" in english and 'href="/?lang=en"' in html


def test_first_page_is_light(client):
    html = client.get("/").data
    css = client.get("/static/site.css").data
    icon = client.get("/favicon.ico").data
    sizes = {
        name: len(gzip.compress(body, 6)) for name, body in (("html", html), ("css", css), ("icon", icon))
    }
    total = sum(sizes.values())
    print(f"\nhome page, gzip -6: HTML {sizes['html']} B ({len(html)} raw), site.css {sizes['css']} B "
          f"({len(css)} raw), favicon {sizes['icon']} B: {total} B in all")  # fmt: skip
    assert total < 30 * 1024


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert "max-age=604800" in response.headers["Cache-Control"]
    icon = Image.open(io.BytesIO(response.data))
    assert icon.format == "ICO" and (32, 32) in icon.info["sizes"]
    assert len(response.data) < 4096


def _typed_forms(serial: str) -> list[str]:
    printed = format_serial(serial)
    return [
        serial,
        serial.lower(),
        printed,
        printed.lower(),
        printed.replace("-", ""),
        printed.replace("-", " "),
        printed[:-2],  # without the check character
        f"  {printed.lower()} ",
    ]


def test_typed_codes_go_to_the_package_page(demo_client, gac, plain):
    for pkg in (gac, plain):
        for typed in _typed_forms(pkg.serial):
            response = demo_client.get("/?code=" + quote(typed))
            assert response.status_code == 303, typed
            assert response.headers["Location"] == pkg.path, typed
    assert gac.path.startswith("/01/") and plain.path.startswith("/p/")


def test_whole_uris_and_short_addresses(demo_client, gac, plain):
    printed = format_serial(plain.serial)
    for uri, target in [
        (PUBLIC + gac.path, gac.path),
        (gac.path, gac.path),
        ("HTTPS://TRACE.EXAMPLE.VN" + gac.path, gac.path),
        (PUBLIC + plain.path, plain.path),
        (f"{PUBLIC}/p/{printed}", plain.path),  # the /p/ form with the check character and dashes
        (f"trace.example.vn/p/{printed.lower()}", plain.path),
        (f"trace.example.vn/{printed}", plain.path),  # the short address printed on labels
        (f"http://localhost/{printed}", plain.path),  # the host the request came to is ours too
        (f"{PUBLIC}/01/{gac.gtin}", f"/01/{gac.gtin}"),  # a product's code: its page
    ]:
        response = demo_client.get("/?code=" + quote(uri))
        assert (response.status_code, response.headers.get("Location")) == (303, target), uri


def test_the_short_address_route(demo_client, gac, plain):
    for pkg in (gac, plain):
        printed = format_serial(pkg.serial)
        for path in (printed, printed.lower(), printed.replace("-", ""), printed[:-2]):
            response = demo_client.get("/" + path)
            assert (response.status_code, response.headers.get("Location")) == (303, pkg.path), path
        page = demo_client.get("/" + printed, follow_redirects=True)
        assert page.status_code == 200 and "Mã chính hãng" in _html(page)
    assert demo_client.get("/?code=" + format_serial(gac.serial) + "&lang=en").headers["Location"] == (
        gac.path + "?lang=en"
    )
    # other routes are not taken by it
    assert demo_client.get("/scan").status_code == 200
    assert demo_client.get("/healthz").status_code == 200
    assert demo_client.get("/login").status_code == 200


def test_a_wrong_check_character_is_a_typo_not_a_fake(demo_client, demo_app, gac, plain):
    before = count_scans(demo_app)
    for pkg in (gac, plain):
        typo = format_serial(pkg.serial)[:-1] + _wrong_check(pkg.serial)
        for response in (demo_client.get("/?code=" + typo), demo_client.get("/" + typo)):
            html = _html(response)
            assert response.status_code == 400
            assert TYPO_VI in html and 'role="alert"' in html
            assert "giả" not in html and "counterfeit" not in html
            assert f'value="{typo}"' in html  # the box keeps what was typed, to correct it
        swapped = pkg.serial[1] + pkg.serial[0] + pkg.serial[2:] + check_symbol(pkg.serial)
        if swapped[:2] != pkg.serial[:2]:
            assert TYPO_VI in _html(demo_client.get("/?code=" + swapped))
    english = demo_client.get("/?lang=en&code=" + format_serial(gac.serial)[:-1] + _wrong_check(gac.serial))
    assert english.status_code == 400 and TYPO_EN in _html(english)
    assert count_scans(demo_app) == before  # not a scan, not an unknown code on the inspectors' list


def test_unknown_code_typed_without_check_is_not_a_counterfeit_alarm(demo_client, demo_app):
    before = count_scans(demo_app)
    response = demo_client.get("/?code=ZZZZ-ZZZZ-ZZZZ")
    html = _html(response)
    assert response.status_code == 404
    assert TYPO_VI in html and "Không có gói sản phẩm nào mang mã này" in html
    assert count_scans(demo_app) == before


def test_unknown_code_with_a_matching_check_goes_to_the_resolver(demo_client, demo_app):
    """A well-formed, checked code we never issued is the resolver's counterfeit signal, recorded there."""
    code = "ZZZZ-ZZZZ-ZZZZ-" + check_symbol("ZZZZZZZZZZZZ")
    response = demo_client.get("/?code=" + code)
    assert (response.status_code, response.headers["Location"]) == (303, "/p/ZZZZZZZZZZZZ")
    page = demo_client.get(response.headers["Location"])
    assert page.status_code == 404 and "có thể là hàng giả" in _html(page)
    assert [s.code for s in scan_rows(demo_app, outcome="unknown")] == ["/p/ZZZZZZZZZZZZ"]


@pytest.mark.parametrize(
    ("typed", "status", "said"),
    [
        ("", 400, "Hãy nhập mã in dưới mã QR."),
        ("   ", 400, "Hãy nhập mã in dưới mã QR."),
        ("ABCD", 400, TYPO_VI),
        ("ABCD-EFGH-2345-XY", 400, TYPO_VI),
        ("ABCD-EFGH-23U5", 400, TYPO_VI),
        ("ABCD\x00EFGH2345", 400, "có một ký tự điều khiển (U+0000)"),  # the request guard's page
        ("9223372036854775808", 400, TYPO_VI),  # 2^63
        ("1.000", 400, TYPO_VI),
        ("Dầu gấc", 400, TYPO_VI),
        ("A" * 100_000, 400, TYPO_VI),
        ("https://evil.example.com/p/ABCDEFGH2345", 400, "Đây không phải địa chỉ của OCOP Tracer"),
        ("ftp://trace.example.vn/p/ABCDEFGH2345", 400, "Đây không phải là mã sản phẩm hợp lệ"),
        ("https://trace.example.vn/01/8935049500019/21/ABC", 400, "Đây không phải là mã sản phẩm hợp lệ"),
        ("https://trace.example.vn/", 400, "Đây không phải là mã sản phẩm hợp lệ"),
        ("https://[::1/p/x", 400, "Đây không phải là mã sản phẩm hợp lệ"),
        ("javascript:alert(1)//", 400, "Đây không phải địa chỉ của OCOP Tracer"),
    ],
)
def test_bad_input_is_said_plainly(demo_client, demo_app, typed: str, status: int, said: str):
    before = count_scans(demo_app)
    response = demo_client.get("/", query_string={"code": typed})
    html = _html(response)
    assert response.status_code == status, html
    assert said in html
    assert "<script" not in html.lower()
    assert count_scans(demo_app) == before


def test_the_resolver_reads_the_printed_code_in_the_short_form(demo_client, plain):
    """``/p/`` with the check character and dashes (``normalise_serial`` reads them) is the package's page."""
    printed = format_serial(plain.serial)
    for path in (f"/p/{printed}", f"/p/{printed.lower()}", f"/p/{printed[:-2]}"):
        response = demo_client.get(path)
        assert response.status_code == 200, path
        assert "Mã chính hãng" in _html(response)
    assert set(CHECK_SYMBOLS[32:]) == set("*~$=U")
