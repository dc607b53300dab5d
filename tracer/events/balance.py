"""Mass balance: nothing comes out of a step that did not go in (issue #19, item 2).

Checked by the domain functions of ``harvest``, ``transform`` and ``packaging`` before an event is signed, so
the API, the console's forms and the CSV import meet the same rules. They bound new events only: the ledger's
entries are never re-judged, so ``ledger verify`` and the verifiers read old entries as before.

- **Process.** Each output is bounded by the inputs through a yield: the one its product declares in its
  signed registration (``max_yield``, "0.06 l/kg": at most 0.06 l of output per kg of input), else
  ``DEFAULT_YIELD`` (1: a step without a declared yield puts out no more than it takes in, a litre weighed
  as a kilogram, a count only against the same count). Outputs share the inputs: what one output needs is
  no longer there for the next.
- **Package.** ``count`` x net content (the command's, else the product's) is at most the quantity used from
  the lot, in the lot's unit.
- **Harvest.** What a zone gives within a year (the harvests within 365 days either side of this one, this
  one included) is at most its area (``DEFAULT_AREA_HA`` when the zone declares none) times its crop's
  ceiling in tonnes per hectare a year (``CROP_CEILINGS``, generous: about twice the best yields reported in
  Vietnam; ``DEFAULT_CEILING`` for a crop not listed). A harvest counted in pieces is weighed at
  ``ITEM_GRAMS`` a piece.

A refusal (``OutOfBalance``, 422) names the numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from sqlmodel import Session, col, select

from tracer.events.units import MEASURE, Amount, amount, parse_yield, plain, unit_of
from tracer.models.lots import Lot
from tracer.models.products import Product
from tracer.models.zones import Zone
from tracer.platform import numbers
from tracer.platform.errors import InvalidInput, OutOfBalance
from tracer.platform.messages import Message

DEFAULT_YIELD = Decimal(1)
DEFAULT_AREA_HA = Decimal(1)
DEFAULT_CEILING = Decimal(150)  # t/ha a year: sugar cane's best; no other crop in the table comes near it
ITEM_GRAMS = Decimal(10)  # a piece weighs at least this (a quail's egg): counts are bounded too
HARVEST_WINDOW = timedelta(days=365)
GRAMS_PER_TONNE = Decimal(1_000_000)
GRAMS_PER_KG = Decimal(1000)
PLACES = Decimal("0.000001")

#: Generous ceilings in tonnes of harvest per hectare a year, by crop (its name without diacritics; a crop
#: named "Vải thiều Lục Ngạn" is found by its first words "vai thieu", then "vai").
CROP_CEILINGS: dict[str, Decimal] = {
    key: Decimal(value)
    for key, value in {
        "gac": 60, "vai": 30, "vai thieu": 30, "nhan": 40, "xoai": 60, "chuoi": 120, "dua": 60,
        "buoi": 80, "cam": 100, "quyt": 80, "chanh": 80, "thanh long": 100, "sau rieng": 60, "mit": 100,
        "mang cut": 40, "chom chom": 60, "oi": 80, "na": 40, "le": 60, "man": 60, "hong": 60,
        "lua": 30, "gao": 30, "ngo": 25, "khoai lang": 60, "khoai mi": 100, "san": 100, "khoai mon": 60,
        "ca phe": 20, "cacao": 20, "ca cao": 20, "che": 40, "tra": 40, "tieu": 15, "ho tieu": 15,
        "dieu": 10, "nghe": 80, "gung": 80, "sa": 100, "toi": 40, "hanh": 60, "ot": 60,
        "rau": 150, "nam": 150, "mia": 150, "que": 20, "hoi": 10, "sam": 10, "duoc lieu": 30,
        "mat ong": 5, "dua luoi": 80, "dau": 10, "lac": 10, "me": 5,
    }.items()
}  # fmt: skip


def _down(value: Decimal) -> Decimal:
    return numbers.canonical(value.quantize(PLACES, rounding=ROUND_DOWN))


def _in(value: Decimal, unit: str) -> Decimal:
    """``value`` base units written in ``unit``."""
    return _down(value / unit_of(unit).base)


@dataclass(frozen=True)
class Output:
    """A process step's output as the balance sees it: where it is in the command, its name and quantity."""

    field: str
    name: str
    quantity: Decimal
    unit: str
    product: Product | None


def check_process(inputs: Sequence[tuple[Lot, Decimal]], outputs: Sequence[Output]) -> None:
    """OutOfBalance when the outputs need more than the inputs hold (see the module text)."""
    available: dict[str, Decimal] = {}
    shown: dict[str, str] = {}  # a unit to write each dimension's inputs in: the first input's
    for lot, taken in inputs:
        unit = unit_of(lot.unit)
        available[unit.dimension] = available.get(unit.dimension, Decimal(0)) + taken * unit.base
        shown.setdefault(unit.dimension, lot.unit)
    for out in outputs:
        out_unit = unit_of(out.unit)
        declared = parse_yield(out.product.max_yield) if out.product and out.product.max_yield else None
        if declared is not None:
            if unit_of(declared.output).dimension != out_unit.dimension:
                assert out.product is not None
                raise OutOfBalance(Message.YIELD_UNITS, field=f"{out.field}.unit", product=out.product.name,
                                   yield_text=declared.text, unit=out.unit)  # fmt: skip
            dimension, ratio, text = unit_of(declared.input).dimension, declared.per_base(), declared.text
            input_unit = shown.get(dimension, declared.input)
        else:
            dimension, ratio = out_unit.dimension, DEFAULT_YIELD
            input_unit = shown.get(dimension, out.unit)
            text = f"{DEFAULT_YIELD} {out.unit}/{input_unit}"
        if dimension not in available:
            raise OutOfBalance(Message.PROCESS_UNITS, field=f"{out.field}.unit", output=out.name,
                               unit=out.unit, inputs=", ".join(sorted(set(shown.values()))))  # fmt: skip
        have = available[dimension]
        need = out.quantity * out_unit.base / ratio
        if need > have:
            raise OutOfBalance(Message.PROCESS_YIELD, field=f"{out.field}.quantity", output=out.name,
                               quantity=out.quantity, unit=out.unit, maximum=_in(have * ratio, out.unit),
                               available=_in(have, input_unit), input_unit=input_unit,
                               yield_text=text)  # fmt: skip
        available[dimension] = have - need


def net_content_of(text: str | None, product: Product) -> tuple[str, Amount]:
    """The net content a packaging event signs (the command's, else the product's) and its amount."""
    chosen = (text or "").strip() or (product.net_content or "")
    if not chosen:
        raise InvalidInput(Message.NET_CONTENT_REQUIRED, field="net_content", product=product.name)
    found = amount(chosen)
    if found is None:
        raise InvalidInput(Message.NET_CONTENT_UNCLEAR, field="net_content", net_content=chosen)
    return chosen, found


def check_packaging(lot: Lot, count: int, net_content: str, each: Amount, used: Decimal) -> None:
    """OutOfBalance when ``count`` packages of ``each`` hold more than ``used`` of ``lot``."""
    lot_unit = unit_of(lot.unit)
    if each.dimension != lot_unit.dimension:
        raise InvalidInput(Message.NET_CONTENT_UNITS, field="net_content", net_content=net_content,
                           lot=lot.id, unit=lot.unit)  # fmt: skip
    total = count * each.base
    if total > used * lot_unit.base:
        raise OutOfBalance(Message.PACKAGE_BALANCE, field="count", count=Decimal(count),
                           net_content=net_content, total=_in(total, lot.unit), unit=lot.unit,
                           used=used, lot=lot.id)  # fmt: skip


def crop_ceiling(crop: str) -> Decimal:
    """The crop's ceiling in t/ha a year: the longest listed name its words start with, or the default."""
    words = plain(crop).split()
    for n in range(len(words), 0, -1):
        found = CROP_CEILINGS.get(" ".join(words[:n]))
        if found is not None:
            return found
    return DEFAULT_CEILING


def _grams(value: Decimal, unit: str) -> Decimal:
    kind = unit_of(unit)
    return value * (kind.base if kind.dimension == MEASURE else ITEM_GRAMS)


def check_harvest(session: Session, zone: Zone, quantity: Decimal, unit: str, harvested_on: date) -> None:
    """OutOfBalance when the zone would give more within a year than its area and crop allow."""
    area = zone.area_ha if zone.area_ha is not None and zone.area_ha > 0 else DEFAULT_AREA_HA
    ceiling = crop_ceiling(zone.crop)
    maximum = area * ceiling * GRAMS_PER_TONNE
    earlier = session.exec(
        select(Lot).where(
            Lot.zone_id == zone.id,
            col(Lot.produced_on) > harvested_on - HARVEST_WINDOW,
            col(Lot.produced_on) < harvested_on + HARVEST_WINDOW,
        )
    ).all()
    harvested = sum((_grams(lot.quantity, lot.unit) for lot in earlier), Decimal(0))
    if harvested + _grams(quantity, unit) > maximum:
        raise OutOfBalance(Message.HARVEST_CEILING, field="quantity", quantity=quantity, unit=unit,
                           zone=zone.name, area=numbers.canonical(area), crop=zone.crop, ceiling=ceiling,
                           maximum=_down(maximum / GRAMS_PER_KG),
                           harvested=_down(harvested / GRAMS_PER_KG))  # fmt: skip


def valid_yield(text: str | None) -> str | None:
    """A declared yield in its canonical text (``0.06 l/kg``); InvalidInput when it is not one."""
    if text is None or not text.strip():
        return None
    found = parse_yield(text)
    if found is None:
        raise InvalidInput(Message.YIELD_MALFORMED, field="max_yield")
    return found.text


def valid_net_content(text: str | None) -> str | None:
    if text is None or not text.strip():
        return None
    found = amount(text)
    if found is None:
        raise InvalidInput(Message.NET_CONTENT_UNCLEAR, field="net_content", net_content=text.strip())
    return text.strip()
