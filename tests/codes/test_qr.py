"""QR symbols: module-for-module equal to qrcode's, and read back by a real decoder (zxing-cpp)."""

from __future__ import annotations

import io
import re
import string

import pytest
import qrcode
import zxingcpp
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw

from tracer.codes.qr import QUIET_ZONE, ECLevel, QRError, encode_qr, qr_matrix, qr_png, qr_svg

TYPICAL = "https://trace.example.vn/01/08935049500018/10/ABCD2345EF/21/ABCDEFGH2345"
LEVELS = {
    "L": qrcode.constants.ERROR_CORRECT_L,
    "M": qrcode.constants.ERROR_CORRECT_M,
    "Q": qrcode.constants.ERROR_CORRECT_Q,
    "H": qrcode.constants.ERROR_CORRECT_H,
}


def reference(data: str, ec: ECLevel) -> tuple[int, int, list[list[bool]]]:
    """What qrcode itself makes, with its own (slow) automatic mask choice."""
    q = qrcode.QRCode(error_correction=LEVELS[ec], border=0)
    q.add_data(data)
    q.make()
    mask = q.best_mask_pattern()
    q.makeImpl(False, mask)
    return q.version, mask, [[bool(v) for v in row] for row in q.modules]


def modules(data: str, ec: ECLevel) -> tuple[int, int, list[list[bool]]]:
    sym = encode_qr(data, ec)
    return sym.version, sym.mask, [[sym.dark(x, y) for x in range(sym.size)] for y in range(sym.size)]


def decode(img: Image.Image) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(img)]


@pytest.mark.parametrize("ec", ["L", "M", "Q", "H"])
@pytest.mark.parametrize(
    "data",
    [
        "",
        "1",
        TYPICAL,
        TYPICAL + "?17=271231",
        "https://trace.example.vn/p/ABCDEFGH2345",
        "0123456789" * 30,  # numeric segments
        "HTTPS://TRACE.EXAMPLE.VN/" + "AB-12/" * 60,  # version 7+: version information blocks
        "Dầu gấc Càng Long " * 20,  # UTF-8 bytes
    ],
)
def test_same_symbol_as_qrcode(data: str, ec: ECLevel) -> None:
    assert modules(data, ec) == reference(data, ec)


@settings(max_examples=40, deadline=None)
@given(st.text(string.printable, max_size=300), st.sampled_from(["L", "M", "Q", "H"]))
def test_same_symbol_as_qrcode_for_any_text(data: str, ec: ECLevel) -> None:
    assert modules(data, ec) == reference(data, ec)


def test_typical_uri_is_version_4_at_m_and_5_at_q() -> None:
    assert len(TYPICAL) == 72
    assert (encode_qr(TYPICAL, "M").version, encode_qr(TYPICAL, "M").size) == (4, 33)
    assert (encode_qr(TYPICAL, "Q").version, encode_qr(TYPICAL, "Q").size) == (5, 37)
    assert encode_qr(TYPICAL + "?17=271231", "M").version <= 5


def test_fixed_mask_still_decodes() -> None:
    for mask in range(8):
        sym = encode_qr(TYPICAL, "M", mask=mask)
        assert sym.mask == mask
        img = Image.new("1", (sym.size + 8, sym.size + 8), 1)
        img.putdata(
            [
                0 if 4 <= x < sym.size + 4 and 4 <= y < sym.size + 4 and sym.dark(x - 4, y - 4) else 1
                for y in range(sym.size + 8)
                for x in range(sym.size + 8)
            ]
        )
        assert decode(img.resize((img.width * 6, img.height * 6))) == [TYPICAL]


def test_matrix_has_the_quiet_zone() -> None:
    matrix = qr_matrix(TYPICAL)
    assert len(matrix) == 33 + 2 * QUIET_ZONE
    assert all(len(r) == len(matrix) for r in matrix)
    border = matrix[:4] + matrix[-4:] + [r[:4] + r[-4:] for r in matrix]
    assert not any(any(r) for r in border)
    assert matrix[4][4:11] == [True] * 7  # top of the finder pattern


@pytest.mark.parametrize("uri", [TYPICAL, TYPICAL + "?17=271231", "https://trace.example.vn/p/ABCDEFGH2345"])
@pytest.mark.parametrize("ec", ["M", "Q"])
def test_png_decodes(uri: str, ec: ECLevel) -> None:
    png = qr_png(uri, scale=4, ec=ec)
    img = Image.open(io.BytesIO(png))
    assert img.format == "PNG"
    assert img.size == ((encode_qr(uri, ec).size + 8) * 4,) * 2
    assert decode(img) == [uri]


def rasterise_svg(svg: str, scale: int = 8) -> Image.Image:
    """Fill the path's runs (M x y h n v1 h-n z) ourselves, as a browser would."""
    width = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))  # type: ignore[union-attr]
    path = re.search(r'<path fill="#000" d="([^"]*)"', svg).group(1)  # type: ignore[union-attr]
    img = Image.new("L", (width * scale, width * scale), 255)
    draw = ImageDraw.Draw(img)
    runs = re.findall(r"[Mm](-?\d+) (-?\d+)h(\d+)v1h-(\d+)z", path)
    assert "".join(f"m{dx} {dy}h{n}v1h-{m}z" for dx, dy, n, m in runs) == "m" + path[1:]
    x = y = 0
    for dx, dy, n, m in runs:
        assert n == m
        x, y = x + int(dx), y + int(dy)
        draw.rectangle([x * scale, y * scale, (x + int(n)) * scale - 1, (y + 1) * scale - 1], 0)
    return img


@pytest.mark.parametrize("ec", ["M", "Q"])
def test_svg_decodes_and_is_one_path(ec: ECLevel) -> None:
    svg = qr_svg(TYPICAL, ec)
    assert svg.count("<path") == 1
    assert svg.startswith("<svg xmlns=")
    assert decode(rasterise_svg(svg)) == [TYPICAL]
    assert len(svg) < 5000  # ~3.7 kB at version 4, before gzip


def test_svg_matches_matrix() -> None:
    img = rasterise_svg(qr_svg(TYPICAL), scale=1)
    assert [[img.getpixel((x, y)) == 0 for x in range(img.width)] for y in range(img.height)] == qr_matrix(
        TYPICAL
    )


def test_bad_arguments() -> None:
    with pytest.raises(QRError, match="error correction must be one of L, M, Q, H"):
        encode_qr(TYPICAL, "X")  # type: ignore[arg-type]
    with pytest.raises(QRError, match="mask pattern must be 0-7"):
        encode_qr(TYPICAL, mask=8)
    with pytest.raises(QRError, match="scale must be 1-64"):
        qr_png(TYPICAL, scale=0)
    with pytest.raises(QRError, match="data too long for a QR code at level M"):
        encode_qr("x" * 3000, "M")
    q = qrcode.QRCode(error_correction=LEVELS["H"])
    q.add_data("x" * 1274)
    with pytest.raises(ValueError, match="Invalid version"):  # the same limit as qrcode's
        q.make()
    with pytest.raises(QRError, match="data too long for a QR code at level H"):
        encode_qr("x" * 1274, "H")
    assert encode_qr("x" * 1273, "H").version == 40
