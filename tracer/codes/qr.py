"""QR Code symbols for package URIs (ISO/IEC 18004), as matrices, SVG and PNG.

Segmentation, version tables, function patterns, format/version information and the mask
penalty rules are ``qrcode``'s (pinned), so a symbol is module for module the one
``qrcode`` makes, automatic mask choice included (tested). What is ours is speed:
``qrcode`` lays out the whole symbol again for each of the 8 masks, computes Reed-Solomon
codes with polynomial objects and scores masks module by module (~200 codes/s at 70
characters). Here the codewords get a table-driven RS remainder, are placed once through
a cached permutation, and each candidate mask is one XOR with a cached pattern, scored
(N1-N4) by a few big-integer operations over all rows and columns at once: ~20x faster.
Every rendering has a 4-module quiet zone (``QUIET_ZONE``).
"""

from __future__ import annotations

import io
import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import zip_longest
from operator import itemgetter
from typing import Literal

from PIL import Image
from qrcode import LUT, base, constants, util
from qrcode.main import QRCode

__all__ = ["QUIET_ZONE", "ECLevel", "QRError", "QRSymbol", "encode_qr", "qr_matrix", "qr_png", "qr_svg"]

ECLevel = Literal["L", "M", "Q", "H"]
QUIET_ZONE = 4
_EC = {
    "L": constants.ERROR_CORRECT_L,
    "M": constants.ERROR_CORRECT_M,
    "Q": constants.ERROR_CORRECT_Q,
    "H": constants.ERROR_CORRECT_H,
}
_DARK = re.compile(r"1+")


class QRError(ValueError):
    """Data that no QR symbol can hold, or a bad argument."""


@dataclass(frozen=True, slots=True)
class QRSymbol:
    """A QR symbol without quiet zone: bit ``size-1-x`` of ``rows[y]`` is module (x, y)."""

    version: int
    ec: ECLevel
    mask: int
    size: int
    rows: tuple[int, ...]

    def dark(self, x: int, y: int) -> bool:
        return bool(self.rows[y] >> (self.size - 1 - x) & 1)

    def matrix(self) -> list[list[bool]]:
        """Modules, True = dark, with the quiet zone around them."""
        q, width = QUIET_ZONE, self.size + 2 * QUIET_ZONE
        rows = [format(row << q, f"0{width}b") for row in self.rows]
        blank = ["0" * width] * q
        return [[ch == "1" for ch in line] for line in blank + rows + blank]

    def svg(self, module: int = 4) -> str:
        """The symbol as an SVG image (dark runs as rectangles, quiet zone included)."""
        side = (self.size + 2 * QUIET_ZONE) * module
        rects = "".join(
            f'<rect x="{(x + QUIET_ZONE) * module}" y="{(y + QUIET_ZONE) * module}" '
            f'width="{length * module}" height="{module}"/>'
            for y, x, length in self.runs()
        )
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}" '
            f'viewBox="0 0 {side} {side}">'
            f'<rect width="{side}" height="{side}" fill="#fff"/><g fill="#000">{rects}</g></svg>\n'
        )

    def runs(self) -> list[tuple[int, int, int]]:
        """Dark horizontal runs as ``(y, x, length)``, in symbol coordinates."""
        fmt = f"0{self.size}b"
        return [
            (y, s, e - s)
            for y, row in enumerate(self.rows)
            for s, e in map(re.Match.span, _DARK.finditer(format(row, fmt)))
        ]


@dataclass(frozen=True, slots=True)
class _Template:
    """Everything about a (version, EC level) that does not depend on the data.

    Matrices are "sheets": one integer whose binary digits are the n rows and then the n
    columns, each line followed by a 0 separator, so that one integer operation scores a
    penalty rule over every row and column at once.
    """

    size: int
    test: int  # function patterns, format/version areas light (as qrcode scores masks)
    finals: tuple[int, ...]  # per mask: function patterns with format and version information
    masks: tuple[int, ...]  # per mask: its pattern on the data modules only
    lines: int  # every module bit (no separators)
    blocks: int  # top-left corners of 2x2 blocks, in the rows half
    # per module of the sheet: its index in the codeword bit string, or the index just
    # past it (a "0") for function modules, remainder bits and separators
    gather: Callable[[str], tuple[str, ...]]


def _sheet(grid: Sequence[Sequence[bool | None]]) -> int:
    rows = ["".join("1" if v else "0" for v in line) + "0" for line in grid]
    cols = ["".join("1" if v else "0" for v in line) + "0" for line in zip(*grid, strict=True)]
    return int("".join(rows + cols), 2)


@lru_cache(maxsize=64)
def _template(version: int, ec: int) -> _Template:
    n = version * 4 + 17
    q = QRCode(version=version, error_correction=ec, border=0)
    q.modules_count = n
    q.modules = [[None] * n for _ in range(n)]
    for row, col in ((0, 0), (n - 7, 0), (0, n - 7)):
        q.setup_position_probe_pattern(row, col)
    q.setup_position_adjust_pattern()
    q.setup_timing_pattern()
    blank = [list(r) for r in q.modules]
    q.setup_type_info(True, 0)
    if version >= 7:
        q.setup_type_number(True)
    q.modules[n - 8][8] = False
    test = [list(r) for r in q.modules]
    order: list[tuple[int, int]] = []
    row, step = n - 1, -1
    for right in range(n - 1, 0, -2):
        right = right - 1 if right <= 6 else right
        while 0 <= row < n:
            order.extend((row, c) for c in (right, right - 1) if test[row][c] is None)
            row += step
        row, step = row - step, -step
    finals, masks = [], []
    for mask in range(8):
        q.modules = [list(r) for r in blank]
        q.setup_type_info(False, mask)
        if version >= 7:
            q.setup_type_number(False)
        finals.append(_sheet(q.modules))
        func = util.mask_func(mask)
        masks.append(_sheet([[test[r][c] is None and func(r, c) for c in range(n)] for r in range(n)]))
    bits = sum(block.total_count for block in base.rs_blocks(version, ec)) * 8
    where = dict.fromkeys(((r, c) for r in range(n) for c in range(n)), bits)
    where.update((cell, i) for i, cell in enumerate(order[:bits]))
    gather = [where.get((r, c), bits) for r in range(n) for c in [*range(n), -1]]
    gather += [where.get((r, c), bits) for c in range(n) for r in [*range(n), -1]]
    lines = _sheet([[True] * n for _ in range(n)])
    corners = [[r < n - 1 and c < n - 1 for c in range(n)] for r in range(n)]
    blocks = _sheet(corners) >> n * (n + 1) << n * (n + 1)
    return _Template(n, _sheet(test), tuple(finals), tuple(masks), lines, blocks, itemgetter(*gather))


@lru_cache(maxsize=64)
def _rs_table(ec_len: int) -> tuple[int, ...]:
    """``f * g(x)`` (lower coefficients packed big-endian) for every byte f."""
    gen = LUT.rsPoly_LUT[ec_len][1:]
    return tuple(int.from_bytes(bytes(_gf_mul(f, g) for g in gen), "big") for f in range(256))


def _gf_mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else int(base.gexp(base.glog(a) + base.glog(b)))


def _rs_remainder(data: bytes, ec_len: int) -> bytes:
    table, shift, keep, rem = _rs_table(ec_len), 8 * (ec_len - 1), (1 << 8 * ec_len) - 1, 0
    for byte in data:
        rem = ((rem << 8) & keep) ^ table[(rem >> shift) ^ byte]
    return rem.to_bytes(ec_len, "big")


_BYTE_BITS = [format(b, "08b") for b in range(256)]
_ALNUM = {b: i for i, b in enumerate(util.ALPHA_NUM)}


def _payload(chunk: util.QRData) -> str:
    """The data bits of one segment (they do not depend on the version)."""
    data: bytes = chunk.data
    if chunk.mode == util.MODE_NUMBER:
        groups = [data[i : i + 3] for i in range(0, len(data), 3)]
        return "".join(format(int(g), ("04b", "07b", "010b")[len(g) - 1]) for g in groups)
    if chunk.mode == util.MODE_ALPHA_NUM:
        idx = [_ALNUM[b] for b in data]
        bits = [format(idx[i] * 45 + idx[i + 1], "011b") for i in range(0, len(idx) - 1, 2)]
        return "".join(bits) + (format(idx[-1], "06b") if len(idx) % 2 else "")
    return "".join([_BYTE_BITS[b] for b in data])


def _codewords(chunks: list[util.QRData], ec: int) -> tuple[int, bytes]:
    """Smallest version that fits, and its interleaved data + EC codewords."""
    payloads = [(chunk.mode, len(chunk.data), _payload(chunk)) for chunk in chunks]
    limits = util.BIT_LIMIT_TABLE[ec]
    for first, last in ((1, 9), (10, 26), (27, 40)):  # length fields widen at 10 and 27
        sizes = util.mode_sizes_for_version(first)
        bits = "".join(f"{mode:04b}{count:0{sizes[mode]}b}{payload}" for mode, count, payload in payloads)
        version = bisect_left(limits, len(bits), first, last + 1)
        if version <= last:
            break
    else:
        raise QRError(f"data too long for a QR code at level {'MLHQ'[ec]}: {len(bits)} bits")
    limit = limits[version]
    bits += "0" * min(limit - len(bits), 4)
    bits += "0" * (-len(bits) % 8)
    pad = bytes((0xEC, 0x11)[i % 2] for i in range((limit - len(bits)) // 8))
    stream = int(bits, 2).to_bytes(len(bits) // 8, "big") + pad
    blocks, ecs, offset = [], [], 0
    for block in base.rs_blocks(version, ec):
        blocks.append(stream[offset : offset + block.data_count])
        ecs.append(_rs_remainder(blocks[-1], block.total_count - block.data_count))
        offset += block.data_count
    out = bytearray()
    for group in (blocks, ecs):
        out.extend(x for column in zip_longest(*group) for x in column if x is not None)
    return version, bytes(out)


def _runs5(x: int) -> int:
    """N1 over one colour: runs of 5+ equal modules score 3 + (length - 5)."""
    five = x & (x << 1) & (x << 2) & (x << 3) & (x << 4)  # bit set: 5 in a row start here
    return five.bit_count() + 2 * (five & ~(five >> 1)).bit_count()


_FINDERS = ("10111010000", "00001011101")


def _penalty(sheet: int, t: _Template) -> int:
    """ISO 18004 mask penalty N1-N4 on a sheet, exactly as qrcode's ``util.lost_point``."""
    n, light = t.size, ~sheet & t.lines
    score = _runs5(sheet) + _runs5(light)
    for pattern in _FINDERS:  # N3: 1:1:3:1:1 with 4 light modules on one side
        hit = -1
        for j, ch in enumerate(pattern):
            hit &= (sheet if ch == "1" else light) << j
        score += 40 * hit.bit_count()
    same_down, same_right = ~(sheet ^ (sheet << (n + 1))), ~(sheet ^ (sheet << 1))
    score += 3 * (same_down & (same_down << 1) & same_right & t.blocks).bit_count()
    dark = sheet.bit_count() // 2  # each module is counted in its row and its column
    return score + int(abs(dark / n**2 * 100 - 50) / 5) * 10


def encode_qr(data: str, ec: ECLevel = "M", *, mask: int | None = None) -> QRSymbol:
    """Encode ``data`` in the smallest version at level ``ec``; ``mask=None`` picks the best."""
    if ec not in _EC:
        raise QRError(f"error correction must be one of L, M, Q, H, got {ec!r}")
    if mask is not None and mask not in range(8):
        raise QRError(f"mask pattern must be 0-7, got {mask!r}")
    version, words = _codewords(list(util.optimal_data_chunks(data, minimum=20)), _EC[ec])
    t = _template(version, _EC[ec])
    n = t.size
    bits = format(int.from_bytes(words, "big"), f"0{len(words) * 8}b") + "0"
    placed = int("".join(t.gather(bits)), 2)
    if mask is None:
        scores = [_penalty(t.test | (placed ^ t.masks[m]), t) for m in range(8)]
        mask = scores.index(min(scores))
    sheet = (t.finals[mask] | (placed ^ t.masks[mask])) >> n * (n + 1)  # the rows half
    full = (1 << n) - 1
    return QRSymbol(version, ec, mask, n, tuple(sheet >> ((n + 1) * (n - y) - n) & full for y in range(n)))


def qr_matrix(uri: str, ec: ECLevel = "M") -> list[list[bool]]:
    """Modules of the symbol for ``uri``, True = dark, with the 4-module quiet zone."""
    return encode_qr(uri, ec).matrix()


def qr_svg(uri: str, ec: ECLevel = "M") -> str:
    """A compact SVG: one ``<path>`` of horizontal runs, one unit per module.

    The path is ``M x y`` to the first run, then for each run ``h n v1 h-n z`` and a
    relative ``m dx dy`` to the next, all in module units with the quiet zone included.
    """
    sym = encode_qr(uri, ec)
    w = sym.size + 2 * QUIET_ZONE
    parts, px, py = [], -QUIET_ZONE, -QUIET_ZONE
    for y, x, n in sym.runs():  # relative moves: after "z" the pen is back at the run's start
        parts.append(f"m{x - px} {y - py}h{n}v1h-{n}z")
        px, py = x, y
    d = "M" + "".join(parts)[1:]
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {w}" '
        f'shape-rendering="crispEdges"><rect width="{w}" height="{w}" fill="#fff"/>'
        f'<path fill="#000" d="{d}"/></svg>'
    )


def qr_png(uri: str, scale: int = 8, ec: ECLevel = "M") -> bytes:
    """A 1-bit PNG, ``scale`` pixels per module, quiet zone included."""
    if not 1 <= scale <= 64:
        raise QRError(f"scale must be 1-64 pixels per module, got {scale}")
    matrix = encode_qr(uri, ec).matrix()
    img = Image.new("1", (len(matrix), len(matrix)), 1)
    img.putdata([0 if dark else 1 for row in matrix for dark in row])
    buf = io.BytesIO()
    img.resize((img.width * scale, img.height * scale), Image.Resampling.NEAREST).save(
        buf, "PNG", optimize=True
    )
    return buf.getvalue()
