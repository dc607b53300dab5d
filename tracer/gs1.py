"""GS1 identifiers: GTIN check digits and GS1 Digital Link URIs for packages.

Follows the GS1 General Specifications (GTIN-8/12/13/14 mod-10 check digit, the AI 82
character set for AI 10 batch/lot and AI 21 serial, both X..20, and the YYMMDD date of
AI 17 with its century window, section 7.12) and the GS1 Digital Link URI syntax 1.1+:
``{base}/01/{GTIN-14}/10/{lot}/21/{serial}?17=YYMMDD``, key qualifiers in the fixed
order 01, 10, 21. ``parse_path`` takes package URIs only; ``parse_key_path`` also takes the
class-level forms ``/01/{GTIN}`` and ``/01/{GTIN}/10/{lot}`` (``ClassLink``). Values are
percent-encoded on output for every character outside the RFC 3986 unreserved set (as GS1's
syntax engine does) and accepted either raw or encoded on input. Products without a GTIN use
our own short form ``{base}/p/{serial}``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from urllib.parse import parse_qsl, quote, unquote, urlsplit

__all__ = [
    "ClassLink",
    "DigitalLink",
    "GS1Error",
    "build_uri",
    "gtin_check_digit",
    "parse_key_path",
    "parse_path",
    "parse_uri",
    "validate_gtin",
]

#: GS1 AI encodable character set 82 (General Specifications, figure 7.11-1).
_CSET82 = re.compile(r"""[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*""")
_MAX_X = 20
_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")
#: What our labels print (GTIN-14, lot, serial, nothing percent-encoded): ``parse_path`` takes it at once.
_CANONICAL = re.compile(r"/01/(\d{14})/10/([^/%]+)/21/([^/%]+)/?")
#: Key qualifiers of GTIN in their one allowed order.
_QUALIFIERS = ("10", "21")
#: Path segments that, found before the primary key, mean the order is wrong.
_KNOWN_AIS = frozenset({"10", "17", "21", "22", "235"})


class GS1Error(ValueError):
    """A GTIN or Digital Link URI that does not follow the GS1 rules; the message says why."""


def gtin_check_digit(digits: str) -> int:
    """Return the GS1 mod-10 check digit for ``digits`` (the GTIN without its last digit)."""
    if not digits.isascii() or not digits.isdigit():
        raise GS1Error(f"GTIN must be digits only, got {digits!r}")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


@lru_cache(maxsize=4096)  # a shop's worth of products: every scan checks the same few GTINs
def validate_gtin(gtin: str) -> str:
    """Check a GTIN-8/12/13/14 and return its 14-digit form (left-padded with zeros)."""
    if not gtin.isascii() or not gtin.isdigit():
        raise GS1Error(f"GTIN must be digits only, got {gtin!r}")
    if len(gtin) not in (8, 12, 13, 14):
        raise GS1Error(f"GTIN must have 8, 12, 13 or 14 digits, got {len(gtin)}")
    expected = gtin_check_digit(gtin[:-1])
    if int(gtin[-1]) != expected:
        raise GS1Error(f"bad check digit in GTIN {gtin}: expected {expected}")
    return gtin.zfill(14)


def _check_x20(ai: str, value: str) -> None:
    if not value:
        raise GS1Error(f"AI {ai} is empty")
    if len(value) > _MAX_X:
        raise GS1Error(f"AI {ai} too long: {len(value)} characters, at most {_MAX_X}")
    if not _CSET82.fullmatch(value):
        bad = next(c for c in value if not _CSET82.fullmatch(c))
        raise GS1Error(f"bad character {bad!r} in AI {ai} (GS1 AI 82 character set)")


def _century(yy: int, today: date) -> int:
    """Full year for a two-digit year by the GS1 sliding window (General Specs 7.12)."""
    diff = yy - today.year % 100
    base = today.year - today.year % 100
    if 51 <= diff <= 99:
        return base - 100 + yy
    if -99 <= diff <= -50:
        return base + 100 + yy
    return base + yy


def _format_yymmdd(value: date) -> str:
    text = value.strftime("%y%m%d")
    if _parse_yymmdd(text) != value:
        raise GS1Error(f"expiry {value.isoformat()} is outside the GS1 two-digit year window")
    return text


def _parse_yymmdd(text: str) -> date:
    if len(text) != 6 or not text.isascii() or not text.isdigit():
        raise GS1Error(f"AI 17 must be YYMMDD, got {text!r}")
    year = _century(int(text[:2]), date.today())
    month, day = int(text[2:4]), int(text[4:])
    if not 1 <= month <= 12:
        raise GS1Error(f"AI 17 has a bad month: {text}")
    if day == 0:  # GS1: day 00 means the last day of the month
        day = calendar.monthrange(year, month)[1]
    try:
        return date(year, month, day)
    except ValueError:
        raise GS1Error(f"AI 17 has a bad day: {text}") from None


@dataclass(frozen=True, slots=True)
class DigitalLink:
    """What a package's URI says: GTIN (14 digits) or none, lot, serial and expiry."""

    gtin: str | None
    lot: str | None
    serial: str
    expiry: date | None = None

    def __post_init__(self) -> None:
        if self.gtin is not None:
            object.__setattr__(self, "gtin", validate_gtin(self.gtin))
        elif self.lot is not None:
            raise GS1Error("a lot (AI 10) needs a GTIN (AI 01); the /p/ form has none")
        if self.lot is not None:
            _check_x20("10", self.lot)
        _check_x20("21", self.serial)


@dataclass(frozen=True, slots=True)
class ClassLink:
    """A URI without a serial: a product class (GTIN) or one of its batches/lots (GTIN and AI 10)."""

    gtin: str
    lot: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "gtin", validate_gtin(self.gtin))
        if self.lot is not None:
            _check_x20("10", self.lot)


def _enc(value: str) -> str:
    return quote(value, safe="")


def build_uri(base_url: str, link: DigitalLink | ClassLink) -> str:
    """The Digital Link URI for ``link`` under ``base_url`` (``https://host`` or with a path)."""
    base = base_url.rstrip("/")
    if isinstance(link, ClassLink):
        lot = f"/10/{_enc(link.lot)}" if link.lot is not None else ""
        return f"{base}/01/{link.gtin}{lot}"
    if link.gtin is None:
        uri = f"{base}/p/{_enc(link.serial)}"
    else:
        uri = f"{base}/01/{link.gtin}"
        if link.lot is not None:
            uri += f"/10/{_enc(link.lot)}"
        uri += f"/21/{_enc(link.serial)}"
    if link.expiry is not None:
        uri += f"?17={_format_yymmdd(link.expiry)}"
    return uri


def _dec(ai: str, raw: str) -> str:
    if "%" not in raw:
        _check_x20(ai, raw)
        return raw
    if _PCT.search(raw):
        raise GS1Error(f"bad percent-encoding in AI {ai}: {raw!r}")
    value = unquote(raw, errors="replace")
    _check_x20(ai, value)
    return value


def parse_path(path: str, query: str = "") -> DigitalLink:
    """Parse the path (and query) of a package's Digital Link URI, e.g. ``/01/0893.../10/LOT1/21/ABC``."""
    link = parse_key_path(path, query)
    if isinstance(link, ClassLink):
        raise GS1Error("no serial: a package URI needs AI 21 after the GTIN")
    return link


def parse_key_path(path: str, query: str = "") -> DigitalLink | ClassLink:
    """Parse the path (and query) of any Digital Link URI we resolve: a package's, or a class-level one
    (``/01/{GTIN}``, ``/01/{GTIN}/10/{lot}``: its query is checked, an expiry is not kept).

    Segments before the primary key (``01`` or ``p``) are taken as the resolver's own
    path prefix, unless one of them is a GS1 qualifier AI, which means a wrong order.
    """
    if not query and (canonical := _CANONICAL.fullmatch(path)):  # what our labels print: checked at once
        try:
            gtin, lot, serial = canonical.groups()
            return DigitalLink(gtin, lot, serial)
        except GS1Error:
            pass  # the general parse below names the error the same way as for any other URI
    segments = path.strip("/").split("/") if path.strip("/") else []
    if "" in segments:
        raise GS1Error("empty path segment (//) in the URI")
    starts = [i for i, s in enumerate(segments) if s in ("01", "p")]
    if not starts:
        raise GS1Error("no primary key: the path must contain /01/{GTIN} or /p/{serial}")
    start = starts[0]
    if any(s in _KNOWN_AIS for s in segments[:start]):
        raise GS1Error("wrong order: AI 01 must come before AI 10 and AI 21")
    rest = segments[start:]
    if len(rest) % 2:
        raise GS1Error(f"AI {rest[-1]} has no value")
    pairs = [(rest[i], rest[i + 1]) for i in range(0, len(rest), 2)]
    expiry = _parse_query(query)
    if pairs[0][0] == "p":
        if len(pairs) > 1:
            raise GS1Error("the /p/{serial} form takes nothing after the serial")
        return DigitalLink(None, None, _dec("21", pairs[0][1]), expiry)
    values: dict[str, str] = {}
    for ai, raw in pairs[1:]:
        if ai not in _QUALIFIERS:
            if ai == "01":
                raise GS1Error("AI 01 given twice")
            if ai.isdigit():
                raise GS1Error(f"unknown AI {ai} in the path (expected 10 or 21)")
            raise GS1Error(f"unexpected path segment {ai!r} (expected AI 10 or 21)")
        if ai in values or any(_QUALIFIERS.index(ai) < _QUALIFIERS.index(k) for k in values):
            raise GS1Error(f"wrong order: AI {ai} out of place (order is 01, 10, 21)")
        values[ai] = _dec(ai, raw)
    if "21" not in values:
        return ClassLink(_gtin_segment(pairs[0][1]), values.get("10"))
    return DigitalLink(_gtin_segment(pairs[0][1]), values.get("10"), values["21"], expiry)


def _gtin_segment(raw: str) -> str:
    try:
        return validate_gtin(raw)
    except GS1Error as exc:
        raise GS1Error(f"AI 01: {exc}") from None


def _parse_query(query: str) -> date | None:
    expiry: date | None = None
    for key, value in parse_qsl(query.lstrip("?"), keep_blank_values=True):
        if not key.isdigit():
            continue  # non-GS1 parameters (linkType, context, ...) belong to the resolver
        if key != "17":
            raise GS1Error(f"unknown AI {key} in the query (only 17 is accepted)")
        if expiry is not None:
            raise GS1Error("AI 17 given twice")
        expiry = _parse_yymmdd(value)
    return expiry


def parse_uri(uri_or_path: str) -> DigitalLink:
    """Parse a full Digital Link URI (``https://host/01/...``) or just its path and query."""
    parts = urlsplit(uri_or_path)
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        raise GS1Error(f"Digital Link URIs are http(s), got scheme {parts.scheme!r}")
    if parts.fragment:
        raise GS1Error("a Digital Link URI has no #fragment")
    return parse_path(parts.path, parts.query)
