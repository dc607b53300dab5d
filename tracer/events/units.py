"""Units of the quantities lots hold, and amounts such as a package's net content ("100 ml") or a product's
declared yield ("0,06 l/kg"), for the mass balance (``tracer.events.balance``).

A unit is a mass (g, kg, tạ, tấn), a volume (ml, l) or a count (anything else: quả, chai, gói, cái...). Masses
and volumes are compared through one base, the gram, with a litre taken as a kilogram (water's density): the
balance bounds what a step can put out, and a food's density is close enough to 1 for a bound (oil 0.92,
honey 1.4). Counts are compared only with the same count unit, by its name (``Quả`` and ``quả`` are one unit).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

MEASURE = "measure"  # the dimension of masses and volumes (in grams, a litre a kilogram)

_BASE: dict[str, Decimal] = {
    "g": Decimal(1),
    "gam": Decimal(1),
    "gram": Decimal(1),
    "kg": Decimal(1000),
    "ki": Decimal(1000),
    "ky": Decimal(1000),
    "kilogram": Decimal(1000),
    "can": Decimal(1000),  # cân: a kilogram in the south's everyday speech
    "yen": Decimal(10_000),
    "ta": Decimal(100_000),
    "t": Decimal(1_000_000),
    "tan": Decimal(1_000_000),
    "ml": Decimal(1),
    "l": Decimal(1000),
    "lit": Decimal(1000),
    "litre": Decimal(1000),
    "liter": Decimal(1000),
}
_AMOUNT = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*([^\s0-9/][^/]*?)\s*$")


def plain(text: str) -> str:
    """``text`` lower-cased without diacritics (đ as d): how units and crops are looked up."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@dataclass(frozen=True)
class Unit:
    """A unit: its dimension (``MEASURE`` or ``count:<name>``) and how many base units one of it is."""

    dimension: str
    base: Decimal

    @property
    def is_count(self) -> bool:
        return self.dimension != MEASURE


def unit_of(text: str) -> Unit:
    key = plain(text).rstrip(".")
    if key in _BASE:
        return Unit(MEASURE, _BASE[key])
    return Unit("count:" + key, Decimal(1))


@dataclass(frozen=True)
class Amount:
    """A quantity with its unit, as written (``100 ml``)."""

    value: Decimal
    unit: str

    @property
    def base(self) -> Decimal:
        return self.value * unit_of(self.unit).base

    @property
    def dimension(self) -> str:
        return unit_of(self.unit).dimension


def _number(text: str) -> Decimal | None:
    """A short number written with a ``.`` or ``,`` decimal (``100``, ``0,5``, ``1.5``); None otherwise."""
    try:
        value = Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None
    return value if value.is_finite() and value > 0 else None


def amount(text: str) -> Amount | None:
    """``100 ml``, ``0,5 kg``, ``1 quả`` as an Amount; None when it is not a number and a unit. A net content
    is short and has no thousands: ``1.5 kg`` and ``1,5 kg`` are both one and a half."""
    found = _AMOUNT.match(text or "")
    if found is None:
        return None
    value = _number(found.group(1))
    return None if value is None else Amount(value, found.group(2).strip())


@dataclass(frozen=True)
class Yield:
    """A declared yield: at most ``ratio`` output units per input unit (``0.06 l/kg``)."""

    ratio: Decimal
    output: str
    input: str

    @property
    def text(self) -> str:
        return f"{_canonical(self.ratio)} {self.output}/{self.input}"

    def per_base(self) -> Decimal:
        """Output base units per input base unit."""
        return self.ratio * unit_of(self.output).base / unit_of(self.input).base


def _canonical(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def parse_yield(text: str) -> Yield | None:
    """``0.06 l/kg`` (or ``0,06 l / kg``) as a Yield; None when it is not one."""
    if not text or text.count("/") != 1:
        return None
    left, right = (part.strip() for part in text.split("/"))
    found = amount(left)
    if found is None or not right or any(ch.isdigit() for ch in right):
        return None
    return Yield(found.value, found.unit, right)
