"""A small streaming PDF writer: objects go to the output as soon as they are made.

PDF (ISO 32000-1, 7.5) lets objects appear in any order and refer forward, so pages can
be written one by one while only their byte offsets are kept (8 bytes each); the page
tree, fonts and cross-reference table come at the end. This is why a 10,000-label file
needs no more memory than a 10-label one, where fpdf2 holds every page until output.
The output need not be seekable: offsets are counted as bytes are written.
"""

from __future__ import annotations

import zlib
from array import array
from typing import BinaryIO

__all__ = ["PdfWriter"]


class PdfWriter:
    """Writes numbered objects to ``out``; ``finish`` writes the trailer."""

    CATALOG, PAGES, RESOURCES = 1, 2, 3

    def __init__(self, out: BinaryIO) -> None:
        self._out = out
        self._pos = 0
        self._offsets = array("Q", [0])  # object 0 is the head of the free list
        self._kids = array("I")
        self._emit(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        for _ in (self.CATALOG, self.PAGES, self.RESOURCES):
            self.reserve()

    def _emit(self, data: bytes) -> None:
        self._out.write(data)
        self._pos += len(data)

    @property
    def pages(self) -> int:
        return len(self._kids)

    def reserve(self) -> int:
        """A new object number, to be written later with ``write``."""
        self._offsets.append(0)
        return len(self._offsets) - 1

    def write(self, num: int, body: bytes, stream: bytes | None = None) -> None:
        """Object ``num``; with ``stream``, ``body`` is an unclosed dictionary (``<< ...``)."""
        if self._offsets[num]:
            raise RuntimeError(f"PDF object {num} written twice")
        self._offsets[num] = self._pos
        if stream is None:
            self._emit(b"%d 0 obj\n%s\nendobj\n" % (num, body))
        else:
            self._emit(b"%d 0 obj\n%s /Length %d >>\nstream\n" % (num, body, len(stream)))
            self._emit(stream)
            self._emit(b"\nendstream\nendobj\n")

    def add_page(self, width_pt: float, height_pt: float, content: bytes) -> None:
        """One page drawn by ``content`` (compressed here), using the shared resources."""
        contents, page = self.reserve(), self.reserve()
        self.write(contents, b"<< /Filter /FlateDecode", zlib.compress(content, 4))
        self.write(
            page,
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources %d 0 R"
            b" /Contents %d 0 R >>" % (self.PAGES, width_pt, height_pt, self.RESOURCES, contents),
        )
        self._kids.append(page)

    def finish(self, resources: bytes, info: dict[str, str]) -> None:
        """Write the shared resources, page tree, catalog, info, xref table and trailer."""
        self.write(self.RESOURCES, resources)
        kids = b" ".join(b"%d 0 R" % k for k in self._kids)
        self.write(self.PAGES, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(self._kids), kids))
        self.write(self.CATALOG, b"<< /Type /Catalog /Pages %d 0 R >>" % self.PAGES)
        info_num = self.reserve()
        entries = b" ".join(b"/%s %s" % (k.encode("ascii"), _text(v)) for k, v in info.items())
        self.write(info_num, b"<< " + entries + b" >>")
        missing = [n for n, off in enumerate(self._offsets) if n and not off]
        if missing:
            raise RuntimeError(f"PDF objects reserved but never written: {missing[:5]}")
        xref = self._pos
        self._emit(b"xref\n0 %d\n0000000000 65535 f \n" % len(self._offsets))
        for off in self._offsets[1:]:
            self._emit(b"%010d 00000 n \n" % off)
        self._emit(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(self._offsets), self.CATALOG, info_num, xref)
        )


def _text(value: str) -> bytes:
    """A PDF text string: UTF-16BE with BOM, as hex (ISO 32000-1, 7.9.2.2)."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode("ascii") + b">"
