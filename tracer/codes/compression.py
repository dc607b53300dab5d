"""Compressed GS1 Digital Link URIs, decompressed (GS1 Digital Link standard 1.1, section 8, "Compression";
GS1 Digital Link URI syntax 1.2+ keeps it; a GS1-Conformant resolver SHALL decompress, Resolver standard 1.2).

A compressed URI carries its element strings as one path segment in the URI-safe base 64 alphabet of RFC 4648
section 5 (``https://id.gs1.org/AQnYUc1gmiCNV4JGQhcNT6K6c``), or keeps the primary key and compresses the rest
(``/01/{gtin}/EEarwSMhC4an0V04``). The segment is a bit string, 6 bits a character, the last padded with
zeros, read element by element until fewer than 9 bits are left:

- 8 bits: two hexadecimal digits. Two decimal digits start an AI, whose length the digits give (the GS1
  General Specifications' table, ``tracer.codes.ais``); the AI's remaining digits follow, 4 bits each. Its
  value follows, part by part as its format says: a fixed-length numeric part as a binary integer of
  ceil(n x log2 10) bits (n digits); a variable-length numeric part as its length (as many bits as the
  maximum length's binary form) and then that integer; an alphanumeric part as a 3-bit encoding indicator,
  its length if variable, then its characters.
- A code with a letter among A..F that is in the table of optimisations stands for a sequence of AIs (``0B``:
  01 then 10), whose values follow one after the other.
- ``F`` then 7 bits: a key that is not a GS1 AI (up to 127 characters, 6 bits each in the base 64
  alphabet), then its value as an alphanumeric part with a 7-bit length.

Encoding indicators: 0 digits as one binary integer, 1 lower-case hexadecimal and 2 upper-case hexadecimal
(4 bits a character), 3 base 64 (6 bits), 4 ASCII (7 bits). The values decoded are then checked as any
uncompressed URI's are (``tracer.codes.gs1``): decompression gives back the uncompressed URI's path and query,
and that is what the resolver answers (exposing it as ``owl:sameAs``).

Checked against the compressed examples GS1's compression prototype and its ports publish (``tests/codes/
test_compression.py`` says where each comes from).
"""

from __future__ import annotations

import math
import re
from urllib.parse import quote

from tracer.codes import ais
from tracer.codes.gs1 import GS1Error
from tracer.platform.messages import Message

__all__ = ["MIN_LENGTH", "decompress", "expand", "looks_compressed"]

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_INDEX = {c: i for i, c in enumerate(_ALPHABET)}
_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")
#: The shortest compressed GTIN (8 bits of AI 01, 47 of the GTIN: 10 characters).
MIN_LENGTH = 10
_MAX_LENGTH = 1000  # a QR code's URI is far shorter; a longer segment is refused before any work


def _families(code: str, first: str, ais_: str, count: int) -> dict[str, tuple[str, ...]]:
    """``count`` optimisation codes from ``code`` + ``first`` on (hex digits), each for ``ais_`` with its
    last AI's final digit counting up from 0."""
    out = {}
    start = int(first, 16)
    *head, last = ais_.split()
    for n in range(count):
        out[f"{code}{start + n:X}"] = (*head, last[:-1] + str(n))
    return out


#: The table of optimisations: two hexadecimal digits, at least one a letter, for a sequence of AIs.
_OPTIMISATIONS: dict[str, tuple[str, ...]] = {
    "0A": ("01", "22"), "0B": ("01", "10"), "0C": ("01", "21"), "0D": ("01", "17"),
    "0E": ("01", "7003"), "0F": ("01", "30"),
    "1A": ("01", "10", "21", "17"), "1B": ("01", "15"), "1C": ("01", "11"), "1D": ("01", "16"),
    "1E": ("01", "91"), "1F": ("01", "10", "15"),
    **_families("2", "A", "01 3100", 6), **_families("3", "A", "01 3200", 6),
    "9A": ("8010", "8011"), "9B": ("8017", "8019"), "9C": ("8018", "8019"), "9D": ("414", "254"),
    **_families("A", "0", "01 3920", 10), **_families("C", "0", "255 3900", 10),
    **_families("C", "A", "255 3940", 4),
}  # fmt: skip


def _value_bits(digits: int) -> int:
    """Bits of a numeric value of ``digits`` digits, as the standard's encoder counts them."""
    return math.ceil(digits * math.log(10) / math.log(2) + 0.01)


def _bad(reason: str) -> GS1Error:
    return GS1Error(Message.COMPRESSED_MALFORMED, reason=reason)


class _Bits:
    """The bit string of a base 64 segment, read from the left."""

    def __init__(self, text: str) -> None:
        self.value = 0
        for char in text:
            self.value = (self.value << 6) | _INDEX[char]
        self.size = 6 * len(text)
        self.at = 0

    @property
    def left(self) -> int:
        return self.size - self.at

    def read(self, count: int) -> int:
        if count > self.left:
            raise _bad("it ends in the middle of a value")
        self.at += count
        return (self.value >> self.left) & ((1 << count) - 1)


def _digits(bits: _Bits, count: int) -> str:
    number = bits.read(_value_bits(count))
    if number >= 10**count:
        raise _bad(f"a {count}-digit value is {number}")
    return str(number).zfill(count) if count else ""


def _characters(bits: _Bits, encoding: int, count: int) -> str:
    if encoding == 0:
        return _digits(bits, count)
    if encoding in (1, 2):
        text = "".join("0123456789ABCDEF"[bits.read(4)] for _ in range(count))
        return text.lower() if encoding == 1 else text
    if encoding == 3:
        return "".join(_ALPHABET[bits.read(6)] for _ in range(count))
    if encoding == 4:
        codes = [bits.read(7) for _ in range(count)]
        if any(c < 0x20 or c == 0x7F for c in codes):
            raise _bad("a value has a control character")
        return "".join(map(chr, codes))
    raise _bad(f"unknown encoding indicator {encoding}")


def _ai_value(bits: _Bits, ai: ais.AI) -> str:
    value = ""
    for part in ai.parts:
        if part.numeric and part.fixed:
            value += _digits(bits, part.length)
            continue
        encoding = 0 if part.numeric else bits.read(3)
        count = part.length if part.fixed else bits.read(part.length.bit_length())
        if count > part.length:
            raise _bad(f"AI {ai.code} has a part of {count} characters, at most {part.length}")
        value += _characters(bits, encoding, count)
    return value


def _ai(code: str) -> ais.AI:
    ai = ais.lookup(code)
    if ai is None:
        raise _bad(f"unknown AI {code}")
    return ai


def decompress(segment: str) -> list[tuple[str, str]]:
    """The (key, value) pairs a compressed segment carries, in its order: GS1 AIs (``("01", "0952...")``)
    and keys that are not AIs. ``GS1Error`` if it is not one."""
    if not MIN_LENGTH <= len(segment) <= _MAX_LENGTH or not _SEGMENT.fullmatch(segment):
        raise _bad(f"a compressed segment is {MIN_LENGTH} to {_MAX_LENGTH} characters of base 64")
    bits = _Bits(segment)
    pairs: list[tuple[str, str]] = []
    while bits.left > 8:
        high, low = bits.read(4), bits.read(4)
        code = f"{high:X}{low:X}"
        if high <= 9 and low <= 9:
            length = ais.ai_length(code)
            if length is None:
                raise _bad(f"no AI starts with {code}")
            for _ in range(length - 2):
                digit = bits.read(4)
                if digit > 9:
                    raise _bad(f"AI {code}... has the hexadecimal digit {digit:X}")
                code += str(digit)
            pairs.append((code, _ai_value(bits, _ai(code))))
        elif code in _OPTIMISATIONS:
            pairs += [(ai, _ai_value(bits, _ai(ai))) for ai in _OPTIMISATIONS[code]]
        elif high == 0xF:
            size = (low << 3) | bits.read(3)
            key = "".join(_ALPHABET[bits.read(6)] for _ in range(size))
            encoding = bits.read(3)
            pairs.append((key, _characters(bits, encoding, bits.read(7))))
        else:
            raise _bad(f"no optimisation {code}")
    if bits.read(bits.left) != 0:
        raise _bad("its padding is not zeros")
    keys = [key for key, _ in pairs]
    if len(set(keys)) != len(keys):
        raise _bad("a key is given twice")
    return pairs


def looks_compressed(segment: str) -> bool:
    """Whether a path segment can be a compressed Digital Link (base 64 only, long enough); it still may not
    decompress."""
    return MIN_LENGTH <= len(segment) <= _MAX_LENGTH and _SEGMENT.fullmatch(segment) is not None


def _enc(value: str) -> str:
    return quote(value, safe="")


def expand(path: str, query: str = "") -> tuple[str, str] | None:
    """The uncompressed path and query of a compressed Digital Link's ``path`` (fully compressed: its last
    segment; partially: ``/01/{gtin}/{compressed}``) and ``query`` (kept, after the decompressed attributes),
    or None if the path has no compressed form. ``GS1Error`` if the compressed segment does not decompress, or
    names no GTIN. The resolver's own path prefix, if any, is kept."""
    segments = path.strip("/").split("/")
    last = segments[-1]
    if not looks_compressed(last) or last.isdigit() or "p" in segments:
        return None
    primary: list[tuple[str, str]] = []
    if "01" in segments:  # only /01/{gtin}/{compressed}: anything else is an uncompressed URI
        at = segments.index("01")
        if len(segments) - at != 3:
            return None
        primary, prefix = [("01", segments[at + 1])], segments[:at]
    else:
        prefix = segments[:-1]
    pairs = primary + decompress(last)
    keys = [ai for ai, _ in pairs if (a := ais.lookup(ai)) is not None and a.role is ais.Role.KEY]
    if keys != ["01"]:
        raise GS1Error(Message.NOT_A_GTIN_CODE, ai=keys[0]) if keys else _bad("it has no GTIN (AI 01)")
    given = dict(pairs)
    out = "".join(f"/{s}" for s in prefix) + f"/01/{_enc(given['01'])}"
    out += "".join(f"/{ai}/{_enc(given[ai])}" for ai in ais.GTIN_QUALIFIERS if ai in given)
    attributes = [(k, v) for k, v in pairs if k != "01" and k not in ais.GTIN_QUALIFIERS]
    params = [f"{_enc(k)}={_enc(v)}" for k, v in attributes]
    if query:
        params.append(query)
    return out, "&".join(params)
