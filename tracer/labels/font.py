"""A TrueType font for label text, embedded in the PDF as a subset (ISO 32000-1, 9.7).

Text is shown with the ``Identity-H`` encoding and character IDs equal to the font's own
glyph IDs (``/CIDToGIDMap /Identity``), so a page can be written before we know which
glyphs the whole document uses. Only at the end is the font subset with fontTools (the
library fpdf2 subsets with), keeping glyph IDs (``retain_gids``), and written with its
widths and a ToUnicode CMap so that copied or extracted text is the Vietnamese we drew.
Vietnamese needs no shaping when it is in NFC: every letter has a precomposed glyph.
"""

from __future__ import annotations

import hashlib
import io
import zlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

__all__ = ["FONT_DIR", "LabelFont", "load_font"]

FONT_DIR = Path(__file__).with_name("fonts")


class LabelFont:
    """Metrics and glyph lookup of one TTF, and the set of glyphs used so far."""

    def __init__(self, path: Path) -> None:
        self.path = path
        font = TTFont(str(path), lazy=True)
        self.name: str = font["name"].getDebugName(6) or path.stem
        self.units = int(font["head"].unitsPerEm)
        order = font.getGlyphOrder()
        metrics = font["hmtx"].metrics
        self._gid = {cp: font.getGlyphID(name) for cp, name in font.getBestCmap().items()}
        self._advance = [metrics[name][0] for name in order]
        self._uni: dict[int, int] = {}
        for cp, gid in sorted(self._gid.items()):
            self._uni.setdefault(gid, cp)
        head, hhea = font["head"], font["hhea"]
        self.bbox = (head.xMin, head.yMin, head.xMax, head.yMax)
        self.ascent, self.descent = int(hhea.ascent), int(hhea.descent)
        self.cap_height = int(getattr(font["OS/2"], "sCapHeight", 0) or 0.73 * self.units)
        self.used: set[int] = set()
        self._widths: dict[str, int] = {}

    def has(self, ch: str) -> bool:
        return ord(ch) in self._gid

    def missing(self, text: str) -> str | None:
        """The first character of ``text`` the font cannot draw, if any."""
        return next((ch for ch in text if ord(ch) not in self._gid), None)

    def width(self, text: str, size: float) -> float:
        """Advance width of ``text`` in points at ``size``."""
        units = self._widths.get(text)
        if units is None:
            adv, gid = self._advance, self._gid
            units = sum(adv[gid.get(ord(ch), 0)] for ch in text)
            if len(self._widths) > 4096:  # labels repeat their texts: a small cache is enough
                self._widths.clear()
            self._widths[text] = units
        return units * size / self.units

    def encode(self, text: str) -> bytes:
        """``<...>`` hex string operand of glyph IDs; remembers them for the subset."""
        gids = [self._gid.get(ord(ch), 0) for ch in text]
        self.used.update(gids)
        return b"<" + "".join(f"{g:04X}" for g in gids).encode("ascii") + b">"

    def fresh(self) -> LabelFont:
        """A copy with no glyphs used, sharing nothing mutable with this one."""
        other = object.__new__(LabelFont)
        other.__dict__.update(self.__dict__)
        other.used = set()
        other._widths = {}
        return other

    def pdf_objects(self, ref: int, alloc: Callable[[], int]) -> list[tuple[int, bytes, bytes | None]]:
        """The font's PDF objects ``(number, dictionary, stream or None)``; Type0 font is ``ref``."""
        gids = sorted(self.used | {0})
        tag = "".join(chr(65 + b % 26) for b in hashlib.sha256(repr(gids).encode()).digest()[:6])
        base = f"/{tag}+{self.name}"
        cid, desc, file, tounicode = alloc(), alloc(), alloc(), alloc()
        scale = 1000 / self.units
        widths = " ".join(f"{g} [{round(self._advance[g] * scale)}]" for g in gids)
        bbox = " ".join(str(round(v * scale)) for v in self.bbox)
        ascent, descent = round(self.ascent * scale), round(self.descent * scale)
        type0 = (
            f"<< /Type /Font /Subtype /Type0 /BaseFont {base} /Encoding /Identity-H"
            f" /DescendantFonts [{cid} 0 R] /ToUnicode {tounicode} 0 R >>"
        )
        cidfont = (
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont {base}"
            " /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >>"
            f" /FontDescriptor {desc} 0 R /CIDToGIDMap /Identity /W [{widths}] >>"
        )
        descriptor = (
            f"<< /Type /FontDescriptor /FontName {base} /Flags 32 /FontBBox [{bbox}] /ItalicAngle 0"
            f" /Ascent {ascent} /Descent {descent} /CapHeight {round(self.cap_height * scale)}"
            f" /StemV 80 /FontFile2 {file} 0 R >>"
        )
        ttf = _subset(self.path, tuple(gids))
        return [
            (ref, type0.encode("ascii"), None),
            (cid, cidfont.encode("ascii"), None),
            (desc, descriptor.encode("ascii"), None),
            (file, b"<< /Length1 %d /Filter /FlateDecode" % len(ttf), zlib.compress(ttf)),
            (tounicode, b"<< /Filter /FlateDecode", zlib.compress(self._cmap(gids))),
        ]

    def _cmap(self, gids: list[int]) -> bytes:
        pairs = [(g, self._uni[g]) for g in gids if g in self._uni]
        lines = [
            "/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
            "1 begincodespacerange <0000> <FFFF> endcodespacerange",
        ]
        for i in range(0, len(pairs), 100):
            chunk = pairs[i : i + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            lines += [f"<{g:04X}> <{chr(cp).encode('utf-16-be').hex().upper()}>" for g, cp in chunk]
            lines.append("endbfchar")
        lines += ["endcmap CMapName currentdict /CMap defineresource pop end end"]
        return "\n".join(lines).encode("ascii")


def _subset(path: Path, gids: tuple[int, ...]) -> bytes:
    options = subset.Options()
    options.retain_gids = True  # content streams already hold the original glyph IDs
    options.hinting = False
    options.notdef_outline = True
    options.layout_features = []
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
    font = TTFont(str(path), recalcTimestamp=False)  # same labels, same bytes
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=list(gids))
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


@lru_cache(maxsize=4)
def _load(filename: str) -> LabelFont:
    return LabelFont(FONT_DIR / filename)


def load_font(filename: str) -> LabelFont:
    """A fresh ``LabelFont`` for one document (metrics are parsed once per process)."""
    return _load(filename).fresh()
