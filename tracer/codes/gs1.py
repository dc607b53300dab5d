"""GS1 identifiers: GTIN check digits and GS1 Digital Link URIs for packages.

Follows the GS1 General Specifications (GTIN-8/12/13/14 mod-10 check digit, the AI 82
character set for AI 22 consumer product variant, AI 10 batch/lot and AI 21 serial, all X..20, and the YYMMDD
date of AI 17 with its century window, section 7.12) and the GS1 Digital Link URI syntax 1.2+:
``{base}/01/{GTIN-14}/22/{variant}/10/{lot}/21/{serial}?17=YYMMDD&3103=000195``, key qualifiers in the fixed
order 22, 10, 21 (each optional), data attributes in the query, each checked against its AI's format
(``tracer.codes.ais``). ``parse_path`` takes package URIs only; ``parse_key_path`` also takes the
class-level forms ``/01/{GTIN}``, ``/01/{GTIN}/22/{variant}`` and ``/01/{GTIN}/10/{lot}`` (``ClassLink``).
Values are percent-encoded on output for every character outside the RFC 3986 unreserved set (as GS1's
syntax engine does) and accepted either raw or encoded on input. Products without a GTIN use
our own short form ``{base}/p/{serial}``. A refusal (``GS1Error``) carries a message id
(``tracer.platform.messages.Message``) and its parameters, so that a reader can be told why in their language.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from tracer.codes import ais
from tracer.platform.messages import Message

__all__ = [
    "DEMO_COMPANY_PREFIX",
    "ClassLink",
    "DigitalLink",
    "GS1Error",
    "allot_gtin",
    "build_uri",
    "gtin_check_digit",
    "parse_key_path",
    "parse_path",
    "parse_uri",
    "query_attributes",
    "validate_gtin",
]

#: GS1 AI encodable character set 82 (General Specifications, figure 7.11-1).
_CSET82 = re.compile(r"""[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*""")
_MAX_X = 20
_PCT = re.compile(r"%(?![0-9A-Fa-f]{2})")
#: What our labels print (GTIN-14, lot, serial, nothing percent-encoded): ``parse_path`` takes it at once.
_CANONICAL = re.compile(r"/01/(\d{14})/10/([^/%]+)/21/([^/%]+)/?")
#: Key qualifiers of GTIN in their one allowed order.
_QUALIFIERS = ais.GTIN_QUALIFIERS
#: Path segments that, found before the primary key, mean the order is wrong.
_KNOWN_AIS = frozenset({"10", "17", "21", "22", "235"})


class GS1Error(ValueError):
    """A GTIN or Digital Link URI that does not follow the GS1 rules. ``message`` says why, by its id; its
    English template filled with ``params`` is the ``str()``, quoted by the API's problem+json ``detail``."""

    def __init__(self, message: Message, **params: Any) -> None:
        super().__init__(message.english(params))
        self.message = message
        self.params = params

    def within(self, where: str) -> GS1Error:
        """This error, found in the part ``where`` of a URI (``AI 01``): its English prefixed with it, its
        message id and parameters kept."""
        self.args = (f"{where}: {self}",)
        return self


@dataclass(frozen=True, slots=True)
class _X20:
    """Why a value of an X..20 AI (the lot, the serial) is refused: one message id each, naming that part."""

    empty: Message
    too_long: Message
    bad_character: Message
    bad_encoding: Message


_X20_AIS = {
    "22": _X20(Message.CPV_EMPTY, Message.CPV_TOO_LONG, Message.CPV_BAD_CHARACTER, Message.CPV_BAD_ENCODING),
    "10": _X20(Message.LOT_EMPTY, Message.LOT_TOO_LONG, Message.LOT_BAD_CHARACTER, Message.LOT_BAD_ENCODING),
    "21": _X20(
        Message.SERIAL_EMPTY,
        Message.SERIAL_TOO_LONG,
        Message.SERIAL_BAD_CHARACTER,
        Message.SERIAL_BAD_ENCODING,
    ),
}


def gtin_check_digit(digits: str) -> int:
    """Return the GS1 mod-10 check digit for ``digits`` (the GTIN without its last digit)."""
    if not digits.isascii() or not digits.isdigit():
        raise GS1Error(Message.GTIN_NOT_DIGITS, gtin=digits)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


@lru_cache(maxsize=4096)  # a shop's worth of products: every scan checks the same few GTINs
def validate_gtin(gtin: str) -> str:
    """Check a GTIN-8/12/13/14 and return its 14-digit form (left-padded with zeros)."""
    if not gtin.isascii() or not gtin.isdigit():
        raise GS1Error(Message.GTIN_NOT_DIGITS, gtin=gtin)
    if len(gtin) not in (8, 12, 13, 14):
        raise GS1Error(Message.GTIN_LENGTH, length=len(gtin))
    expected = gtin_check_digit(gtin[:-1])
    if int(gtin[-1]) != expected:
        raise GS1Error(Message.GTIN_CHECK_DIGIT, gtin=gtin, expected=expected)
    return gtin.zfill(14)


def _check_x20(ai: str, value: str) -> None:
    if not value:
        raise GS1Error(_X20_AIS[ai].empty)
    if len(value) > _MAX_X:
        raise GS1Error(_X20_AIS[ai].too_long, length=len(value), limit=_MAX_X)
    if not _CSET82.fullmatch(value):
        bad = next(c for c in value if not _CSET82.fullmatch(c))
        raise GS1Error(_X20_AIS[ai].bad_character, char=bad)


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
        raise GS1Error(Message.EXPIRY_OUTSIDE_WINDOW, day=value.isoformat())
    return text


def _parse_yymmdd(text: str) -> date:
    if len(text) != 6 or not text.isascii() or not text.isdigit():
        raise GS1Error(Message.EXPIRY_NOT_YYMMDD, value=text)
    year = _century(int(text[:2]), date.today())
    month, day = int(text[2:4]), int(text[4:])
    if not 1 <= month <= 12:
        raise GS1Error(Message.EXPIRY_BAD_MONTH, value=text)
    if day == 0:  # GS1: day 00 means the last day of the month
        day = calendar.monthrange(year, month)[1]
    try:
        return date(year, month, day)
    except ValueError:
        raise GS1Error(Message.EXPIRY_BAD_DAY, value=text) from None


@dataclass(frozen=True, slots=True)
class DigitalLink:
    """What a package's URI says: GTIN (14 digits) or none, lot, serial, expiry and consumer product variant
    (AI 22: we issue none, so a package's code with one is not ours)."""

    gtin: str | None
    lot: str | None
    serial: str
    expiry: date | None = None
    cpv: str | None = None

    def __post_init__(self) -> None:
        if self.gtin is not None:
            object.__setattr__(self, "gtin", validate_gtin(self.gtin))
        elif self.lot is not None:
            raise GS1Error(Message.LOT_WITHOUT_GTIN)
        elif self.cpv is not None:
            raise GS1Error(Message.SHORT_FORM_EXTRA)
        if self.cpv is not None:
            _check_x20("22", self.cpv)
        if self.lot is not None:
            _check_x20("10", self.lot)
        _check_x20("21", self.serial)


@dataclass(frozen=True, slots=True)
class ClassLink:
    """A URI without a serial: a product class (GTIN), one of its batches/lots (GTIN and AI 10), either maybe
    with a consumer product variant (AI 22)."""

    gtin: str
    lot: str | None = None
    cpv: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "gtin", validate_gtin(self.gtin))
        if self.cpv is not None:
            _check_x20("22", self.cpv)
        if self.lot is not None:
            _check_x20("10", self.lot)


#: A GS1 Company Prefix for demonstrations: GS1 Prefix 952 is reserved for demonstrations and examples of
#: the GS1 system (General Specifications 1.4.2), so GTINs under it never name a real product. The demo
#: allots under it when no ``TRACER_GS1_COMPANY_PREFIX`` is set; a deployment sets the programme's own.
DEMO_COMPANY_PREFIX = "9520000"


def allot_gtin(company_prefix: str, item_reference: int) -> str:
    """The GTIN-13 (in its 14-digit form) of item ``item_reference`` under ``company_prefix`` (6 to 12
    digits): prefix, item reference zero-padded to the 12 digits, check digit. ``GS1Error`` if the item
    reference does not fit."""
    room = 12 - len(company_prefix)
    if not (company_prefix.isascii() and company_prefix.isdigit() and 0 <= room <= 6):
        raise GS1Error(Message.GTIN_NOT_DIGITS, gtin=company_prefix)
    if not 0 <= item_reference < 10**room:
        raise GS1Error(Message.GTIN_PREFIX_FULL, prefix=company_prefix, count=10**room)
    body = company_prefix + str(item_reference).zfill(room)
    return validate_gtin(body + str(gtin_check_digit(body)))


def _enc(value: str) -> str:
    return quote(value, safe="")


def package_link(base_url: str, gtin: str | None, lot: str, serial: str) -> str:
    """The URI printed in a package's QR code: the Digital Link with GTIN, lot and serial (no expiry query,
    so the code stays small), or the short form ``/p/{serial}`` for a product without a GTIN."""
    return build_uri(base_url, DigitalLink(gtin, lot, serial) if gtin else DigitalLink(None, None, serial))


def build_uri(base_url: str, link: DigitalLink | ClassLink) -> str:
    """The Digital Link URI for ``link`` under ``base_url`` (``https://host`` or with a path)."""
    base = base_url.rstrip("/")
    cpv = f"/22/{_enc(link.cpv)}" if link.cpv is not None else ""
    if isinstance(link, ClassLink):
        lot = f"/10/{_enc(link.lot)}" if link.lot is not None else ""
        return f"{base}/01/{link.gtin}{cpv}{lot}"
    if link.gtin is None:
        uri = f"{base}/p/{_enc(link.serial)}"
    else:
        uri = f"{base}/01/{link.gtin}{cpv}"
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
        raise GS1Error(_X20_AIS[ai].bad_encoding, raw=raw)
    value = unquote(raw, errors="replace")
    _check_x20(ai, value)
    return value


def parse_path(path: str, query: str = "") -> DigitalLink:
    """Parse the path (and query) of a package's Digital Link URI, e.g. ``/01/0893.../10/LOT1/21/ABC``."""
    link = parse_key_path(path, query)
    if isinstance(link, ClassLink):
        raise GS1Error(Message.NO_SERIAL)
    return link


def parse_key_path(path: str, query: str = "") -> DigitalLink | ClassLink:
    """Parse the path (and query) of any Digital Link URI we resolve: a package's, or a class-level one
    (``/01/{GTIN}``, ``/01/{GTIN}/22/{variant}``, ``/01/{GTIN}/10/{lot}``: its query is checked, an expiry is
    not kept). The query's data attributes are checked against their AIs' formats; only AI 17 is kept.

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
        raise GS1Error(Message.EMPTY_SEGMENT)
    starts = [i for i, s in enumerate(segments) if s in ("01", "p")]
    if not starts:
        raise GS1Error(Message.NO_PRIMARY_KEY)
    start = starts[0]
    if any(s in _KNOWN_AIS for s in segments[:start]):
        raise GS1Error(Message.GTIN_NOT_FIRST)
    rest = segments[start:]
    if len(rest) % 2:
        raise GS1Error(Message.AI_WITHOUT_VALUE, ai=rest[-1])
    pairs = [(rest[i], rest[i + 1]) for i in range(0, len(rest), 2)]
    expiry = _parse_query(query)
    if pairs[0][0] == "p":
        if len(pairs) > 1:
            raise GS1Error(Message.SHORT_FORM_EXTRA)
        return DigitalLink(None, None, _dec("21", pairs[0][1]), expiry)
    values: dict[str, str] = {}
    for ai, raw in pairs[1:]:
        if ai not in _QUALIFIERS:
            if ai == "01":
                raise GS1Error(Message.GTIN_TWICE)
            if ai.isdigit():
                raise GS1Error(Message.AI_UNKNOWN_IN_PATH, ai=ai)
            raise GS1Error(Message.SEGMENT_UNEXPECTED, segment=ai)
        if ai in values or any(_QUALIFIERS.index(ai) < _QUALIFIERS.index(k) for k in values):
            raise GS1Error(Message.AI_OUT_OF_ORDER, ai=ai)
        values[ai] = _dec(ai, raw)
    if "21" not in values:
        return ClassLink(_gtin_segment(pairs[0][1]), values.get("10"), values.get("22"))
    return DigitalLink(_gtin_segment(pairs[0][1]), values.get("10"), values["21"], expiry, values.get("22"))


def _gtin_segment(raw: str) -> str:
    try:
        return validate_gtin(raw)
    except GS1Error as exc:
        raise exc.within("AI 01") from None


def query_attributes(query: str) -> list[tuple[str, str]]:
    """The GS1 data attributes of a Digital Link's query string (``3103=000195&17=261231``), in order, each
    checked against its AI's format; other parameters (``linkType``, ``lang``, ``context``...) are the
    resolver's and are skipped. A key or key qualifier AI (``10``, ``01``) in the query is refused: it belongs
    in the path. Values are percent-decoded (``+`` is a plus sign: GS1 values may contain one)."""
    found: list[tuple[str, str]] = []
    for pair in query.lstrip("?").split("&"):
        raw_key, _, raw = pair.partition("=")
        key = unquote(raw_key, errors="replace")
        if not key or not key.isascii() or not key.isdigit():
            continue  # non-GS1 parameters (linkType, context, ...) belong to the resolver
        ai = ais.lookup(key)
        if ai is None:
            raise GS1Error(Message.AI_UNKNOWN_IN_QUERY, ai=key)
        if ai.role is not ais.Role.ATTRIBUTE:
            raise GS1Error(Message.AI_NOT_IN_QUERY, ai=key)
        if any(key == seen for seen, _ in found):
            raise GS1Error(Message.EXPIRY_TWICE if key == "17" else Message.AI_TWICE, ai=key)
        if _PCT.search(raw):
            raise GS1Error(Message.AI_BAD_VALUE, ai=key, value=raw, format=ai.notation)
        value = unquote(raw, errors="replace")
        if key == "17":
            _parse_yymmdd(value)  # says precisely what is wrong with a date
        if not ai.pattern.fullmatch(value):
            raise GS1Error(Message.AI_BAD_VALUE, ai=key, value=value[:40], format=ai.notation)
        found.append((key, value))
    return found


def _parse_query(query: str) -> date | None:
    expiry = dict(query_attributes(query)).get("17")
    return _parse_yymmdd(expiry) if expiry is not None else None


def parse_uri(uri_or_path: str) -> DigitalLink:
    """Parse a full Digital Link URI (``https://host/01/...``) or just its path and query."""
    parts = urlsplit(uri_or_path)
    if parts.scheme and parts.scheme.lower() not in ("http", "https"):
        raise GS1Error(Message.NOT_HTTP, scheme=parts.scheme)
    if parts.fragment:
        raise GS1Error(Message.FRAGMENT)
    return parse_path(parts.path, parts.query)
