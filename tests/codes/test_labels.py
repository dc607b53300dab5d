"""Label sheets: render every page as a printer would and read each label back with zxing-cpp."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date

import pypdfium2 as pdfium
import pytest
import zxingcpp

from tracer.codes.gs1 import DigitalLink, build_uri
from tracer.codes.qr import encode_qr
from tracer.codes.serials import format_serial, new_serials
from tracer.labels import LABEL_LAYOUTS, Label, LabelError, write_labels_pdf
from tracer.labels.layouts import MM

DPI = 300
BASE = "https://trace.example.vn"
NAMES = [
    "Dầu gấc Càng Long",
    "Tinh bột nghệ Trà Vinh",
    "Lạp xưởng tươi Long An – loại đặc biệt, đóng gói hút chân không 500 g",
    "Cacao Đắk Lắk",
]


def make_labels(count: int) -> list[Label]:
    labels = []
    for i, serial in enumerate(new_serials(count)):
        if i % 5 == 4:  # a product without a GTIN: the short /p/ form
            uri, lot = build_uri(BASE, DigitalLink(None, None, serial)), "L-2026/07"
        else:
            uri, lot = build_uri(BASE, DigitalLink("8935049500018", "ABCD2345EF", serial)), "ABCD2345EF"
        expiry = None if i % 7 == 3 else date(2026, 12, 31)
        stars = (None, 3, 4, 5)[i % 4]
        labels.append(Label(uri, NAMES[i % len(NAMES)], lot, serial, expiry, stars))
    return labels


def render(pdf: bytes) -> list[tuple[pdfium.PdfPage, object]]:
    doc = pdfium.PdfDocument(pdf)
    return [(doc[i], doc[i].render(scale=DPI / 72).to_pil()) for i in range(len(doc))]


def check_every_label(pdf: bytes, layout: str, labels: list[Label], pages: list[int] | None = None) -> None:
    lay = LABEL_LAYOUTS[layout]
    doc = pdfium.PdfDocument(pdf)
    assert len(doc) == -(-len(labels) // lay.per_page)
    for page_no in pages if pages is not None else range(len(doc)):
        image = doc[page_no].render(scale=DPI / 72).to_pil()
        on_page = labels[page_no * lay.per_page : (page_no + 1) * lay.per_page]
        assert sorted(r.text for r in zxingcpp.read_barcodes(image)) == sorted(lb.uri for lb in on_page)
        for slot, label in enumerate(on_page):  # and each one in its own cell
            left, top = lay.origin(slot)
            px = DPI / 25.4
            box = (
                round(left * px),
                round(top * px),
                round((left + lay.label_w) * px),
                round((top + lay.label_h) * px),
            )
            found = zxingcpp.read_barcodes(image.crop(box))
            assert [r.text for r in found] == [label.uri], f"page {page_no + 1} slot {slot}"


@pytest.mark.parametrize(("layout", "count"), [("a4-3x8", 30), ("a4-4x10", 45), ("roll-50x30", 3)])
def test_every_label_decodes_to_its_uri(layout: str, count: int) -> None:
    labels = make_labels(count)
    out = io.BytesIO()
    pages = write_labels_pdf(labels, layout, out)
    assert pages == -(-count // LABEL_LAYOUTS[layout].per_page)
    check_every_label(out.getvalue(), layout, labels)


def test_text_is_vietnamese_and_extractable() -> None:
    labels = make_labels(8)
    out = io.BytesIO()
    write_labels_pdf(labels, "a4-3x8", out)
    doc = pdfium.PdfDocument(out.getvalue())
    text = " ".join(doc[0].get_textpage().get_text_range().split())
    for expected in (
        "Dầu gấc Càng Long",
        "Tinh bột nghệ Trà Vinh",
        "Cacao Đắk Lắk",
        "Lô: ABCD2345EF",
        "HSD: 31/12/2026",
        "OCOP ★★★★★",
        format_serial(labels[0].serial),
    ):
        assert expected in text
    assert "OCOP ★★★ " in text
    assert "OCOP ★★★★ " in text
    if shutil.which("pdftotext"):  # a second, independent reader (poppler)
        poppler = subprocess.run(
            ["pdftotext", "-", "-"], input=out.getvalue(), capture_output=True, check=True
        )
        assert "Càng Long" in poppler.stdout.decode()
        assert "Dầu gấc" in poppler.stdout.decode()


def test_long_name_is_wrapped_and_cut_with_an_ellipsis() -> None:
    label = Label(f"{BASE}/p/ABCDEFGH2345", "Lạp xưởng " * 11, "L1", "ABCDEFGH2345")
    out = io.BytesIO()
    write_labels_pdf([label], "roll-50x30", out)
    text = pdfium.PdfDocument(out.getvalue())[0].get_textpage().get_text_range()
    assert "…" in text
    assert "Lạp xưởng" in text


def test_error_correction_rule_for_small_symbols() -> None:
    uri = f"{BASE}/01/08935049500018/10/ABCD2345EF/21/ABCDEFGH2345"
    for lay in LABEL_LAYOUTS.values():
        sym = encode_qr(uri, lay.ec)
        symbol_mm = lay.qr_mm * sym.size / (sym.size + 8)
        assert (lay.ec == "Q") == (symbol_mm < 20), lay.name
        assert sym.version <= 5


def test_worker_processes_give_the_same_file() -> None:
    labels = make_labels(500)  # three batches: the worker pool is used
    outs = []
    for processes in (1, 2):
        out = io.BytesIO()
        assert write_labels_pdf(iter(labels), "a4-4x10", out, processes=processes) == 13
        outs.append(out.getvalue())
    assert outs[0] == outs[1]
    check_every_label(outs[1], "a4-4x10", labels, pages=[5, 6, 12])  # around the batch boundary at 240


def test_pdf_is_well_formed_for_poppler() -> None:
    if not shutil.which("pdfinfo"):
        pytest.skip("poppler-utils not installed")
    out = io.BytesIO()
    write_labels_pdf(make_labels(50), "a4-3x8", out)
    info = subprocess.run(["pdfinfo", "-"], input=out.getvalue(), capture_output=True, check=True)
    assert b"Pages:           3\n" in info.stdout
    assert not info.stderr
    fonts = subprocess.run(["pdffonts", "-"], input=out.getvalue(), capture_output=True, check=True).stdout
    assert fonts.count(b"CID TrueType") == 2
    assert b"DejaVuSansCondensed" in fonts
    page_mm = [round(v / MM) for v in pdfium.PdfDocument(out.getvalue())[0].get_size()]
    assert page_mm == [210, 297]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Label("https://x.vn/p/A B", "N", "L", "S"), "uri: must be a non-empty ASCII URI"),
        (lambda: Label("https://x.vn/p/A", "  ", "L", "S"), "product_name: must not be empty"),
        (lambda: Label("https://x.vn/p/A", "N", "", "S"), "lot: must not be empty"),
        (lambda: Label("https://x.vn/p/A", "N", "L", "S", stars=2), "stars: only 3, 4 or 5-star"),
        (lambda: Label("https://x.vn/p/A", "N" * 121, "L", "S"), "product_name: at most 120"),
    ],
)
def test_bad_labels_are_refused(make: object, message: str) -> None:
    with pytest.raises(LabelError, match=message):
        make()  # type: ignore[operator]


def test_bad_jobs_are_refused() -> None:
    ok = make_labels(1)
    with pytest.raises(LabelError, match="layout: unknown 'a5', expected one of a4-3x8, a4-4x10, roll-50x30"):
        write_labels_pdf(ok, "a5", io.BytesIO())
    with pytest.raises(LabelError, match="labels: nothing to print"):
        write_labels_pdf([], "a4-3x8", io.BytesIO())
    with pytest.raises(LabelError, match="labels: expected Label objects, got str"):
        write_labels_pdf(["x"], "a4-3x8", io.BytesIO())  # type: ignore[list-item]
    with pytest.raises(
        LabelError, match="product_name: character '茶' \\(U\\+8336\\) is not in the label font"
    ):
        write_labels_pdf([Label(ok[0].uri, "Trà 茶", "L", "S")], "a4-3x8", io.BytesIO())
    with pytest.raises(LabelError, match="uri: too long for a QR code"):
        write_labels_pdf([Label("https://x.vn/p/" + "a" * 3000, "N", "L", "S")], "a4-3x8", io.BytesIO())
    assert isinstance(LabelError("x"), ValueError)


def test_a_refused_label_in_a_worker_stops_the_job() -> None:
    labels = make_labels(700)
    labels[500] = Label("https://x.vn/p/" + "a" * 3000, "N", "L", "S")  # in the third batch
    with pytest.raises(LabelError, match="uri: too long for a QR code"):
        write_labels_pdf(labels, "a4-3x8", io.BytesIO(), processes=2)
