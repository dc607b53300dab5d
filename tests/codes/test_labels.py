"""Label sheets: render every page as a printer would and read each label back with zxing-cpp; the text is
the Vietnamese we drew, and none of it leaves its label or runs into the QR code or other text."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import zxingcpp

from tracer.codes.gs1 import DigitalLink, build_uri
from tracer.codes.qr import encode_qr
from tracer.codes.serials import format_serial, new_serials
from tracer.labels import LABEL_LAYOUTS, Label, LabelError, write_labels_pdf
from tracer.labels.layouts import MM, PROMPT
from tracer.labels.printed import short_address

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
        net = ("500 g", "100 ml", None, "10 gói")[i % 4]
        address = short_address(BASE, serial) if i % 6 != 5 else None  # without one: the serial alone
        labels.append(Label(uri, NAMES[i % len(NAMES)], lot, serial, expiry, stars, net, address))
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
        "Khối lượng tịnh: 500 g",
        "Thể tích thực: 100 ml",
        "Định lượng: 10 gói",
        PROMPT,
        "trace.example.vn/" + format_serial(labels[0].serial),  # the check character and dashes intact
        format_serial(labels[5].serial),  # a label without a short address: the printed serial
    ):
        assert expected in text
    assert text.count(PROMPT) == 8
    assert f"trace.example.vn/{format_serial(labels[5].serial)}" not in text
    assert "OCOP ★★★ " in text
    assert "OCOP ★★★★ " in text
    if shutil.which("pdftotext"):  # a second, independent reader (poppler)
        poppler = subprocess.run(
            ["pdftotext", "-", "-"], input=out.getvalue(), capture_output=True, check=True
        )
        assert "Càng Long" in poppler.stdout.decode()
        assert "Dầu gấc" in poppler.stdout.decode()
        assert "Quét mã để truy xuất nguồn gốc" in " ".join(poppler.stdout.decode().split())


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
        (lambda: Label("https://x.vn/p/A", "N", "L", "S", net_content="5" * 51), "net_content: at most 50"),
        (lambda: Label("https://x.vn/p/A", "N", "L", "S", net_content=" "), "net_content: must not be empty"),
        (
            lambda: Label("https://x.vn/p/A", "N", "L", "S", short_address="x.vn/A B"),
            "short_address: must be",
        ),
        (lambda: Label("https://x.vn/p/A", "N", "L", "S", short_address="x.vn/Ấ"), "short_address: must be"),
        (
            lambda: Label("https://x.vn/p/A", "N", "L", "S", short_address="x.vn/\x00"),
            "short_address: must be",
        ),
        (
            lambda: Label("https://x.vn/p/A", "N", "L", "S", short_address="x" * 81),
            "short_address: at most 80",
        ),
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


@pytest.mark.parametrize(
    ("net", "printed"),
    [
        ("500 g", "Khối lượng tịnh: 500 g"),
        ("1,5kg", "Khối lượng tịnh: 1,5kg"),
        ("250 gr.", "Khối lượng tịnh: 250 gr."),
        ("12 gói x 20 g", "Khối lượng tịnh: 12 gói x 20 g"),
        ("100 ml", "Thể tích thực: 100 ml"),
        ("1 lít", "Thể tích thực: 1 lít"),
        ("0,5 L", "Thể tích thực: 0,5 L"),
        ("10 gói", "Định lượng: 10 gói"),
        ("1 hộp", "Định lượng: 1 hộp"),
        ("  500   g ", "Khối lượng tịnh: 500 g"),
    ],
)
def test_net_content_is_named_for_what_it_measures(net: str, printed: str) -> None:
    assert Label(f"{BASE}/p/A", "N", "L", "S", net_content=net).net_line == printed
    assert Label(f"{BASE}/p/A", "N", "L", "S").net_line is None


def _worst(count: int, host: str) -> list[Label]:
    """Labels with the most text a label takes: the longest name, net content and lot, expiry and stars."""
    labels = []
    for i, serial in enumerate(new_serials(count)):
        name = ("Lạp xưởng tươi Long An – loại đặc biệt, đóng gói hút chân không " * 3)[:120]
        if i % 3 == 1:
            name = "Trà mãng cầu Ấp Mỹ Cẩm, Huyện Càng Long, Tỉnh Trà Vinh – Hợp tác xã Nông nghiệp"
        net = ("12 gói x 20 g (240 g) đựng trong hộp giấy kraft ẩm", "Ổ", "100 ml")[i % 3]
        uri = build_uri(BASE, DigitalLink("8935049500018", "ABCDEFGHJKMNPQRSTVWX", serial))
        labels.append(Label(uri, name, "ABCDEFGHJKMNPQRSTVWX", serial, date(2026, 12, 31), 5, net,
                            short_address(host, serial)))  # fmt: skip
    return labels


def _intersect(a: tuple[float, ...], b: tuple[float, ...], slack: float = 0.05) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


def assert_nothing_overflows(pdf: bytes, layout: str) -> None:
    """Every glyph inside its label, 1.5 mm from its edges; no line of text on the QR code's box (quiet zone
    included) or on another line. Boxes in mm from the page's top-left: (left, top, right, bottom)."""
    lay = LABEL_LAYOUTS[layout]
    doc = pdfium.PdfDocument(pdf)
    for page_no in range(len(doc)):
        textpage = doc[page_no].get_textpage()
        glyphs = 0
        for i in range(textpage.count_chars()):
            if not textpage.get_text_range(i, 1).strip():
                continue  # spaces, and the line breaks pdfium puts between text objects
            left, bottom, right, top = textpage.get_charbox(i)
            box = (left / MM, lay.page_h - top / MM, right / MM, lay.page_h - bottom / MM)
            col = int(((box[0] + box[2]) / 2 - lay.margin_left) // lay.label_w)
            row = int(((box[1] + box[3]) / 2 - lay.margin_top) // lay.label_h)
            cell_x, cell_y = lay.origin(row * lay.cols + col)
            inner = (cell_x + 1.5, cell_y + 1.5, cell_x + lay.label_w - 1.5, cell_y + lay.label_h - 1.5)
            assert inner[0] <= box[0] and box[2] <= inner[2], (page_no, textpage.get_text_range(i, 1), box)
            assert inner[1] <= box[1] and box[3] <= inner[3], (page_no, textpage.get_text_range(i, 1), box)
            qr = (
                cell_x + lay.pad,
                cell_y + lay.pad,
                cell_x + lay.pad + lay.qr_mm,
                cell_y + lay.pad + lay.qr_mm,
            )
            assert not _intersect(box, qr), (page_no, textpage.get_text_range(i, 1), box, qr)
            glyphs += 1
        assert glyphs > 0
        lines = [textpage.get_rect(i) for i in range(textpage.count_rects())]
        boxes = [(r[0] / MM, lay.page_h - r[3] / MM, r[2] / MM, lay.page_h - r[1] / MM) for r in lines]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1 :]:
                if abs(a[1] + a[3] - b[1] - b[3]) / 2 < 0.6:  # one line in two runs: the address's host, code
                    assert min(a[2], b[2]) - max(a[0], b[0]) < 0.3, (page_no, a, b)
                else:
                    assert not _intersect(a, b), (page_no, a, b)


@pytest.mark.parametrize("layout", sorted(LABEL_LAYOUTS))
@pytest.mark.parametrize("host", [BASE, "https://truyxuat.ocop.travinh.gov.vn"])
def test_nothing_overflows_a_label(layout: str, host: str) -> None:
    """The most text a label takes (decoded too), and the usual mix of labels (with the default host)."""
    per_page = LABEL_LAYOUTS[layout].per_page
    worst = _worst(min(per_page, 6), host)
    assert worst[0].short_address is not None and worst[0].short_address.startswith(
        urlsplit(host).netloc + "/"
    )
    for labels in (worst, make_labels(per_page)) if host == BASE else (worst,):
        out = io.BytesIO()
        write_labels_pdf(labels, layout, out)
        assert_nothing_overflows(out.getvalue(), layout)
        if labels is worst:
            check_every_label(out.getvalue(), layout, labels)
        text = " ".join(pdfium.PdfDocument(out.getvalue())[0].get_textpage().get_text_range().split())
        printed = [lb.short_address for lb in labels[:2] if lb.short_address]
        assert printed and all(address in text for address in printed)


def test_an_address_too_long_for_the_label_is_refused() -> None:
    serial = new_serials(1)[0]
    label = Label(
        f"{BASE}/p/{serial}", "N", "L", serial, short_address=short_address("https://" + "x" * 50, serial)
    )
    with pytest.raises(
        LabelError, match="short_address: 'x{50}/.*' is too long to print on roll-50x30 labels"
    ):
        write_labels_pdf([label], "roll-50x30", io.BytesIO())
