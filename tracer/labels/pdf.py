"""Label sheets as PDF: vector QR codes, Vietnamese text, streamed page by page.

Why not fpdf2 alone: fpdf2 keeps the whole document in memory until ``output()``, so
10,000 labels would grow memory with the count. Instead pages go straight to ``out``
through ``pdfwriter.PdfWriter`` and the font (DejaVu Sans Condensed, shipped with its
licence) is subset with fontTools once all pages are written (see ``font``): peak memory
is a few batches of labels, whatever the total. QR symbols (``tracer.codes.qr``, ISO/IEC 18004)
are drawn as filled rectangles (runs merged across rows) in a ``cm`` frame of one unit
per module; they are computed for the next batch in worker processes while this process
lays out and compresses the current one. Jobs of one batch stay in-process.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice
from typing import BinaryIO

from tracer.codes.qr import QUIET_ZONE, ECLevel, QRError, encode_qr
from tracer.codes.serials import SerialError, format_serial, normalise_serial
from tracer.labels.font import LabelFont, load_font
from tracer.labels.layouts import MM, PROMPT, Label, LabelError, Layout, get_layout
from tracer.labels.pdfwriter import PdfWriter

__all__ = ["write_labels_pdf"]

_BATCH = 240  # labels per unit of work: a multiple of 24, 40 and 1
MIN_PT = 4.5  # the smallest type a label prints: about 1.6 mm capitals
LEADING = 1.2  # line height over type size
ASCENT = 0.95  # a line's baseline below its top, over type size: room for Vietnamese marks over capitals (Ấ)
GAP = 0.4  # mm between the name, the facts and the prompt
SHRINK = 0.85  # how much smaller a fact may be made to fit on one line
_Symbol = tuple[int, bytes]  # modules per side, fill operators in module units


def _symbol(uri: str, ec: ECLevel) -> _Symbol:
    try:
        sym = encode_qr(uri, ec)
    except QRError:
        raise LabelError(f"uri: too long for a QR code ({len(uri)} characters)") from None
    return sym.size, b"".join([b"%d %d %d 1 re\n" % (x, y, w) for y, x, w in sym.runs()])


def _symbols(uris: list[str], ec: ECLevel) -> list[_Symbol]:
    return [_symbol(uri, ec) for uri in uris]


def _batches(labels: Iterable[Label]) -> Iterator[list[Label]]:
    it = iter(labels)
    while batch := list(islice(it, _BATCH)):
        for label in batch:
            if not isinstance(label, Label):
                raise LabelError(f"labels: expected Label objects, got {type(label).__name__}")
        yield batch


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _context() -> multiprocessing.context.BaseContext:
    """fork when this process has one thread (cheap, and no re-import of ``__main__``);
    a server with threads gets forkserver, as forking threads can deadlock."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _with_symbols(
    labels: Iterable[Label], ec: ECLevel, processes: int | None
) -> Iterator[tuple[list[Label], list[_Symbol]]]:
    batches = _batches(labels)
    head = list(islice(batches, 2))
    workers = processes or _workers()
    if len(head) < 2 or workers < 2:
        for batch in chain(head, batches):
            yield batch, _symbols([lb.uri for lb in batch], ec)
        return
    pool = ProcessPoolExecutor(workers, mp_context=_context())
    try:
        pending: deque[tuple[list[Label], list[Future[list[_Symbol]]]]] = deque()
        step = -(-_BATCH // workers)
        for batch in chain(head, batches):
            uris = [lb.uri for lb in batch]
            futures = [pool.submit(_symbols, uris[i : i + step], ec) for i in range(0, len(uris), step)]
            pending.append((batch, futures))
            if len(pending) > 2:  # keep the workers two batches ahead of the writer
                done, ready = pending.popleft()
                yield done, [s for f in ready for s in f.result()]
        for done, ready in pending:
            yield done, [s for f in ready for s in f.result()]
    finally:  # on a refused label, stop the work queued behind it
        pool.shutdown(wait=True, cancel_futures=True)


def _check_glyphs(font: LabelFont, field: str, text: str) -> None:
    ch = font.missing(text)
    if ch is not None:
        raise LabelError(f"{field}: character {ch!r} (U+{ord(ch):04X}) is not in the label font")


def _wrap(font: LabelFont, text: str, size: float, width: float, max_lines: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        candidate = f"{line} {word}" if line else word
        if font.width(candidate, size) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
        while font.width(line, size) > width and len(line) > 1:  # a word wider than the column
            cut = max(i for i in range(1, len(line) + 1) if font.width(line[:i], size) <= width or i == 1)
            lines.append(line[:cut])
            line = line[cut:]
    lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and font.width(last + "…", size) > width:
            last = last[:-1].rstrip()
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines


class _Page:
    """Content stream of one page being laid out; coordinates in mm from the top-left."""

    def __init__(self, layout: Layout, regular: LabelFont, bold: LabelFont) -> None:
        self.layout, self.regular, self.bold = layout, regular, bold
        self.parts: list[bytes] = [b"0 g\n"]

    def text(self, font: LabelFont, size: float, x: float, baseline: float, text: str) -> None:
        name = b"F2" if font is self.bold else b"F1"
        self.parts.append(
            b"BT /%s %.2f Tf 1 0 0 1 %.2f %.2f Tm %s Tj ET\n"
            % (name, size, x * MM, (self.layout.page_h - baseline) * MM, font.encode(text))
        )

    def label(self, slot: int, label: Label, symbol: _Symbol) -> None:
        lay = self.layout
        left, top = lay.origin(slot)
        size, ops = symbol
        module = lay.qr_mm / (size + 2 * QUIET_ZONE)
        qx, qy = left + lay.pad + QUIET_ZONE * module, top + lay.pad + QUIET_ZONE * module
        self.parts.append(
            b"q %.5f 0 0 %.5f %.3f %.3f cm\n%sf Q\n"
            % (module * MM, -module * MM, qx * MM, (lay.page_h - qy) * MM, ops)
        )
        self._under_qr(left, top, label)
        self._beside_qr(left, top, label)

    def _under_qr(self, left: float, top: float, label: Label) -> None:
        """The short address (host, then the serial with its check character in bold) on one line under the
        QR code, as wide as the label; or, without one, the printed serial centred under the QR code."""
        lay, regular, bold = self.layout, self.regular, self.bold
        if label.short_address is None:
            parts = [(regular, _printed_serial(label.serial))]
            room = lay.qr_mm * MM
        else:
            host, _, code = label.short_address.rpartition("/")
            parts = [(regular, host + "/"), (bold, code)] if host else [(bold, code)]
            room = (lay.label_w - 2 * lay.pad) * MM
        for font, text in parts:
            _check_glyphs(font, "short_address" if label.short_address else "serial", text)
        natural = sum(font.width(text, lay.serial_pt) for font, text in parts)
        ssize = min(lay.serial_pt, lay.serial_pt * room / natural)
        if label.short_address is not None and ssize < MIN_PT:
            raise LabelError(f"short_address: {label.short_address!r} is too long to print on "
                             f"{lay.name} labels (at least {MIN_PT} pt)")  # fmt: skip
        width = sum(font.width(text, ssize) for font, text in parts) / MM
        x = left + lay.pad + max(0.0, (lay.qr_mm - width) / 2)
        baseline = top + lay.pad + lay.qr_mm + ssize / MM
        for font, text in parts:
            self.text(font, ssize, x, baseline, text)
            x += font.width(text, ssize) / MM

    def _beside_qr(self, left: float, top: float, label: Label) -> None:
        """Beside the QR code, as high as its box: the name (as many lines as the rest leaves, one to four),
        the net content, lot, expiry and stars, and the prompt to scan at the foot. Where the name would be
        cut short, the net content goes on the stars' line, without its heading."""
        lay, regular, bold = self.layout, self.regular, self.bold
        x = left + lay.pad + lay.qr_mm + 1.0
        width = (left + lay.label_w - lay.pad - x) * MM
        _check_glyphs(bold, "product_name", label.product_name)
        name_lead, info_lead, prompt_lead = (
            pt * LEADING / MM for pt in (lay.name_pt, lay.info_pt, lay.prompt_pt)
        )
        wanted = len(_wrap(bold, label.product_name, lay.name_pt, width, 4))
        for compact in (False, True):
            info = [
                line
                for text in _facts(regular, label, compact)
                for line in _fact(regular, text, lay.info_pt, width)
            ]
            prompt = _wrap(regular, PROMPT, lay.prompt_pt, width, 2)
            room = lay.qr_mm - len(info) * info_lead - len(prompt) * prompt_lead - 2 * GAP
            if room < name_lead:  # no layout is that tight; the name and the facts come before the prompt
                room, prompt = room + len(prompt) * prompt_lead, []
            lines = max(1, min(4, int(room // name_lead)))
            if lines >= wanted:
                break
        names = _wrap(bold, label.product_name, lay.name_pt, width, lines)
        y = top + lay.pad
        for line in names:
            self.text(bold, lay.name_pt, x, y + lay.name_pt * ASCENT / MM, line)
            y += name_lead
        y += GAP
        for fit, line in info:
            self.text(regular, fit, x, y + lay.info_pt * ASCENT / MM, line)
            y += info_lead
        y = max(y + GAP, top + lay.pad + lay.qr_mm - len(prompt) * prompt_lead)  # at the foot of the column
        for line in prompt:
            self.text(regular, lay.prompt_pt, x, y + lay.prompt_pt * ASCENT / MM, line)
            y += prompt_lead


def _facts(font: LabelFont, label: Label, compact: bool) -> list[str]:
    """The facts printed beside the QR code, each checked against the font; ``compact``: the net content on
    the stars' line."""
    stars = "OCOP " + "★" * label.stars if label.stars is not None else None
    facts: list[tuple[str, str]] = []
    if compact and label.net_content is not None and stars is not None:
        facts.append(("net_content", f"{label.net_content} · {stars}"))
        stars = None
    elif label.net_line is not None:
        facts.append(("net_content", label.net_line))
    facts.append(("lot", f"Lô: {label.lot}"))
    if label.expiry is not None:
        facts.append(("expiry", f"HSD: {label.expiry:%d/%m/%Y}"))
    if stars is not None:
        facts.append(("stars", stars))
    for field, text in facts:
        _check_glyphs(font, field, text)
    return [text for _field, text in facts]


def _fact(font: LabelFont, text: str, size: float, width: float) -> list[tuple[float, str]]:
    """A fact's lines and their type size: one line, made smaller to fit down to 85 %, else two lines."""
    natural = font.width(text, size)
    if natural <= width:
        return [(size, text)]
    if natural * SHRINK <= width:
        return [(size * width / natural, text)]
    return [(size * SHRINK, line) for line in _wrap(font, text, size * SHRINK, width, 2)]


def _printed_serial(serial: str) -> str:
    """Our serials in groups of four with the check character (``ABCD-2345-EFGH-X``); any other AI 21 value as
    it is."""
    try:
        return format_serial(serial) if normalise_serial(serial) == serial else serial
    except SerialError:
        return serial


def write_labels_pdf(
    labels: Iterable[Label], layout: str, out: BinaryIO, *, processes: int | None = None
) -> int:
    """Write ``labels`` on ``layout`` sheets to ``out`` as one PDF; returns the pages written.

    Pages are written as they are laid out; if a label is refused (``LabelError``) midway,
    ``out`` holds an incomplete file and must be discarded. ``processes`` caps the QR
    worker processes (default: the CPUs available; 1 keeps everything in-process).
    """
    lay = get_layout(layout)
    regular, bold = load_font("DejaVuSansCondensed.ttf"), load_font("DejaVuSansCondensed-Bold.ttf")
    batches = _with_symbols(labels, lay.ec, processes)
    first = next(batches, None)
    if first is None:
        raise LabelError("labels: nothing to print")
    writer = PdfWriter(out)
    width, height = lay.page_w * MM, lay.page_h * MM
    for batch, symbols in chain([first], batches):
        for start in range(0, len(batch), lay.per_page):
            page = _Page(lay, regular, bold)
            for slot, (label, symbol) in enumerate(
                zip(batch[start : start + lay.per_page], symbols[start : start + lay.per_page], strict=True)
            ):
                page.label(slot, label, symbol)
            writer.add_page(width, height, b"".join(page.parts))
    fonts = []
    for ref_name, font in ((b"F1", regular), (b"F2", bold)):
        ref = writer.reserve()
        for num, body, stream in font.pdf_objects(ref, writer.reserve):
            writer.write(num, body, stream)
        fonts.append(b"/%s %d 0 R" % (ref_name, ref))
    writer.finish(
        b"<< /Font << " + b" ".join(fonts) + b" >> /ProcSet [/PDF /Text] >>",
        {"Title": f"Nhãn truy xuất OCOP ({lay.name})", "Producer": "OCOP Tracer"},
    )
    return writer.pages
