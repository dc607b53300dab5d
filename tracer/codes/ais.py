"""GS1 Application Identifiers: each AI's format and its role in a GS1 Digital Link URI.

Formats are those of the GS1 General Specifications (section 3, "GS1 Application Identifier definitions"),
written in its own notation: ``N14`` fourteen digits, ``N..8`` up to eight, ``X..20`` up to twenty
characters of the AI encodable character set 82, ``N13+X..17`` a fixed part followed by a variable one. Roles
are those of the GS1 Digital Link URI syntax (1.2+, section 4): a primary key opens the path, key qualifiers
follow it in one order, data attributes go in the query string. The same formats drive the decompression of
compressed URIs (``tracer.codes.compression``), which encodes each part by whether it is numeric, fixed or
variable.

The table covers the AIs a GTIN-based Digital Link can carry and the other primary keys and qualifiers (so a
URI using them is recognised as GS1's, not as garbage); an AI missing from it is refused as unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

__all__ = ["AI", "GTIN_QUALIFIERS", "Part", "Role", "ai_length", "lookup"]


class Role(StrEnum):
    KEY = "key"  # a primary identification key: opens the path
    QUALIFIER = "qualifier"  # a key qualifier: in the path, after its key, in the key's order
    ATTRIBUTE = "attribute"  # a data attribute: in the query string


@dataclass(frozen=True, slots=True)
class Part:
    """One part of an AI's value: digits (``N``) or characters of set 82 (``X``), of a fixed length or up to
    ``length``."""

    numeric: bool
    length: int
    fixed: bool


@dataclass(frozen=True, slots=True)
class AI:
    code: str
    notation: str  # the format as the General Specifications write it: ``N6``, ``X..20``, ``N13+X..17``
    role: Role

    @property
    def parts(self) -> tuple[Part, ...]:
        return _parts(self.notation)

    @property
    def pattern(self) -> re.Pattern[str]:
        return _pattern(self.parts)


#: The qualifiers of a GTIN (AI 01), in the one order a Digital Link path allows (URI syntax 1.2, 4.4).
GTIN_QUALIFIERS = ("22", "10", "21")

_KEYS = "00 01 253 255 401 402 414 417 8003 8004 8006 8010 8013 8017 8018"
_QUALIFIERS = "10 21 22 235 254 7040 8011 8019"

# AI (or a family: a final ``n`` stands for the decimal-point digit 0..5, a final ``d`` for 0..9) and format.
_TABLE = """
00 N18;01 N14;02 N14;03 N14;10 X..20;11 N6;12 N6;13 N6;15 N6;16 N6;17 N6;20 N2;21 X..20;22 X..20
235 X..28;240 X..30;241 X..30;242 N..6;243 X..20;250 X..30;251 X..30;253 N13+X..17;254 X..20;255 N13+N..12
30 N..8;37 N..8
310n N6;311n N6;312n N6;313n N6;314n N6;315n N6;316n N6
320n N6;321n N6;322n N6;323n N6;324n N6;325n N6;326n N6;327n N6;328n N6;329n N6
330n N6;331n N6;332n N6;333n N6;334n N6;335n N6;336n N6;337n N6
340n N6;341n N6;342n N6;343n N6;344n N6;345n N6;346n N6;347n N6;348n N6;349n N6
350n N6;351n N6;352n N6;353n N6;354n N6;355n N6;356n N6;357n N6
360n N6;361n N6;362n N6;363n N6;364n N6;365n N6;366n N6;367n N6;368n N6;369n N6
390d N..15;391d N3+N..15;392d N..15;393d N3+N..15;3940 N4;3941 N4;3942 N4;3943 N4;395n N6
400 X..30;401 X..30;402 N17;403 X..30;410 N13;411 N13;412 N13;413 N13;414 N13;415 N13;416 N13;417 N13
420 X..20;421 N3+X..9;422 N3;423 N3+N..12;424 N3;425 N3+N..12;426 N3;427 X..3
4300 X..35;4301 X..35;4302 X..70;4303 X..70;4304 X..70;4305 X..70;4306 X..70;4307 X2;4308 X..30;4309 N20
4310 X..35;4311 X..35;4312 X..70;4313 X..70;4314 X..70;4315 X..70;4316 X..70;4317 X2;4318 X..20;4319 X..30
4320 X..35;4321 N1;4322 N1;4323 N1;4324 N10;4325 N10;4326 N6
7001 N13;7002 X..30;7003 N10;7004 N..4;7005 X..12;7006 N6;7007 N6+N..6;7008 X..3;7009 X..10;7010 X..2
7020 X..20;7021 X..20;7022 X..20;7023 X..30;703d N3+X..27;7040 N1+X3
710 X..20;711 X..20;712 X..20;713 X..20;714 X..20;715 X..20
723d X..30;7240 X..20
8001 N14;8002 X..20;8003 N14+X..16;8004 X..30;8005 N6;8006 N18;8007 X..34;8008 N8+N..4;8009 X..50
8010 X..30;8011 N..12;8012 X..20;8013 X..25;8017 N18;8018 N18;8019 N..10;8020 X..25;8026 N18
8110 X..70;8111 N4;8112 X..70;8200 X..70
90 X..30;91 X..90;92 X..90;93 X..90;94 X..90;95 X..90;96 X..90;97 X..90;98 X..90;99 X..90
"""

_PART = re.compile(r"([NX])(\.\.)?(\d+)")
_CSET82 = r"""[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]"""


@cache
def _parts(notation: str) -> tuple[Part, ...]:
    parts = []
    for text in notation.split("+"):
        match = _PART.fullmatch(text)
        if match is None:
            raise ValueError(f"bad AI format {notation!r}")
        parts.append(Part(numeric=match[1] == "N", length=int(match[3]), fixed=match[2] is None))
    return tuple(parts)


def _expand(code: str) -> list[str]:
    if code.endswith("n"):
        return [code[:-1] + str(n) for n in range(6)]
    if code.endswith("d"):
        return [code[:-1] + str(n) for n in range(10)]
    return [code]


def _build() -> dict[str, AI]:
    keys, qualifiers = set(_KEYS.split()), set(_QUALIFIERS.split())
    table: dict[str, AI] = {}
    for entry in _TABLE.replace("\n", ";").split(";"):
        if not entry.strip():
            continue
        code, notation = entry.split()
        for ai in _expand(code):
            role = Role.KEY if ai in keys else Role.QUALIFIER if ai in qualifiers else Role.ATTRIBUTE
            _parts(notation)  # a typo in the table fails at import, not on a request
            table[ai] = AI(ai, notation, role)
    return table


_AIS = _build()
#: The length of an AI by its first two digits (the same for every AI that starts with them).
_LENGTHS = {code[:2]: len(code) for code in _AIS}


def lookup(code: str) -> AI | None:
    """The AI ``code`` (``"01"``, ``"3103"``), or None if GS1 defines no such AI (or we do not know it)."""
    return _AIS.get(code)


def ai_length(prefix: str) -> int | None:
    """How many digits an AI starting with the two digits ``prefix`` has; None if no AI starts so."""
    return _LENGTHS.get(prefix)


@cache
def _pattern(parts: tuple[Part, ...]) -> re.Pattern[str]:
    text = ""
    for i, part in enumerate(parts):
        unit = "[0-9]" if part.numeric else _CSET82
        least = 0 if i else 1  # a variable part after a fixed one may be empty (7007: N6 or N12)
        text += f"{unit}{{{part.length}}}" if part.fixed else f"{unit}{{{least},{part.length}}}"
    return re.compile(text)
