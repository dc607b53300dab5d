"""Decimal numbers as people type them into a form or a spreadsheet, read in the page's convention.

A Vietnamese reader writes one thousand as ``1.000`` and one and a half as ``1,5`` (CLDR ``vi``: decimal
``,``, thousands ``.``); an English reader writes ``1,000`` and ``1.5``. Every human-entered decimal (the
console's forms, the CSV import) is read here, with Babel's strict parser (``babel.numbers.parse_decimal(...,
strict=True)``) for the page's language; the API is not: JSON numbers and strings keep their ``.`` decimal
and go to pydantic as they are.

The rule, for a language L (``vi`` or ``en``) and the other convention L' (which swaps ``.`` and ``,``):

1. Shape. After surrounding white space is removed, the text is an optional ``-``, then ASCII digits in
   groups joined by single ``.`` or ``,`` (``^-?[0-9]+([.,][0-9]+)*$``), at most ``MAX_CHARS`` characters.
   Anything else (``1..0``, ``1e5``, ``--1``, ``∞``, ``NaN``, NUL, other scripts' digits, spaces inside) is
   ``NotANumber``, and a longer text ``NumberTooLong``: Python's ``Decimal()`` alone would read ``1e5``,
   ``NaN``, ``Infinity``, ``1_000`` and ``٣``.
2. Digits only: the whole number.
3. The text is a well-formed number in L (Babel strict: its grouping is where L puts it):
   a. it holds L's thousands separator (vi ``1.000``, ``1.234,5``): taken as L reads it. That is how the
      page itself writes numbers, and the other reading (vi ``1.000`` as English 1) would be a number with
      three decimals written with a needless separator;
   b. it holds only L's decimal separator, once. If L' also reads it, as a thousands group, to another
      value, it is AMBIGUOUS: a decimal separator followed by exactly three digits after one to three
      digits (vi ``1,000``: 1 or 1000; ``12,500``: 12,5 or 12500). Otherwise (vi ``1,5``, ``80,5``,
      ``0,500``, ``1234,567``) it is taken as L reads it.
4. It is not well formed in L, but is in L' (vi ``1.5``, ``1,234.5``, ``1,000,000``): AMBIGUOUS, never
   guessed (the writer may have used the other convention, or slipped), with Babel's suggestion in L (its
   separators dropped: vi ``1.5`` as 15) and the other convention's reading (``1.5`` as 1,5); just the
   latter when Babel has none (vi ``1,000,000``: did you mean 1.000.000?).
5. Well formed in neither (``1.2.3``, ``10.00.000``): ``NotANumber``.

An ambiguous text raises ``AmbiguousNumber`` with its readings (one or two, L's first). A form asks which
was meant and offers them; its answer is honoured only when it is one of the readings of the text now in the
field (``read(text, language, answer=...)``), so an answer can never put in a value the text does not say.
Bounds (positive, at most 6 places, below 10^12) are the commands' (``tracer.events.commands``), not this
module's: a negative number or zero is read here and refused there. A value read is canonical (no trailing
zeros after the point: vi ``0,500`` is 0.5), so the signed body never writes one kilogram as ``1.000``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from babel.numbers import NumberFormatError, format_decimal, get_decimal_symbol, parse_decimal

from tracer.platform.errors import InvalidInput
from tracer.platform.messages import Message

MAX_CHARS = 32  # 999.999.999.999,999999 (the largest quantity a command takes) has 22
CONVENTIONS = ("vi", "en")
_OTHER = {"vi": "en", "en": "vi"}
_SPACE = " \t\r\n\u00a0\u202f"  # around the number only; a control character is no number
_GROUP = {"vi": ".", "en": ","}  # CLDR's thousands separators (Babel: get_group_symbol)
_SHAPE = re.compile(r"-?[0-9]+(?:[.,][0-9]+)*")
_MACHINE = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")  # an answer: a reading as ``str(Decimal)`` writes it


@dataclass(frozen=True)
class Reading:
    """One way to read an ambiguous text: its value and the convention (``vi``/``en``) that reads it so."""

    value: Decimal
    convention: str


class NumberError(InvalidInput):
    """A typed number that cannot be taken as it is."""


class NotANumber(NumberError):
    def __init__(self, language: str, *, field: str | None = None) -> None:
        super().__init__(Message.NOT_A_NUMBER, field=field, example=example(language))


class NumberTooLong(NumberError):
    def __init__(self, *, field: str | None = None) -> None:
        super().__init__(Message.NUMBER_TOO_LONG, field=field, n=MAX_CHARS)


class AmbiguousNumber(NumberError):
    """The text reads differently in the two conventions (or only in the other one): the writer is asked.
    ``readings`` holds one or two, the page language's first; the message's parameters show them as the page
    writes numbers."""

    def __init__(self, text: str, language: str, readings: tuple[Reading, ...], *, field: str | None = None):
        shown = [show(r.value, language) for r in readings]
        if len(readings) == 1:
            super().__init__(Message.NUMBER_UNCLEAR, field=field, text=text, first=shown[0])
        else:
            super().__init__(
                Message.NUMBER_AMBIGUOUS, field=field, text=text, first=shown[0], second=shown[1]
            )
        self.text = text
        self.language = language
        self.readings = readings


def _convention(language: str) -> str:
    if language not in _OTHER:
        raise ValueError(f"no number convention for {language!r}")
    return language


def show(value: Decimal, language: str) -> str:
    """``value`` as ``language`` writes it (vi ``1.234,5``), every digit kept (no rounding)."""
    return format_decimal(value, locale=_convention(language), decimal_quantization=False)


def decimal_symbol(language: str) -> str:
    """The decimal separator ``language`` writes (vi ``,``, en ``.``)."""
    return get_decimal_symbol(_convention(language))


def example(language: str) -> str:
    """The example a form gives: 12.5 as ``language`` writes it (vi ``12,5``)."""
    return show(Decimal("12.5"), language)


def _strict(text: str, language: str) -> Decimal | None:
    try:
        return parse_decimal(text, locale=language, strict=True)
    except NumberFormatError:
        return None


def _suggestions(text: str, language: str) -> list[Decimal]:
    """Babel's readings of a text not well formed in ``language`` (as that language writes them)."""
    try:
        parse_decimal(text, locale=language, strict=True)
    except NumberFormatError as error:
        found = []
        for suggestion in getattr(error, "suggestions", None) or []:
            value = _strict(suggestion, language)
            if value is not None:
                found.append(value)
        return found
    return []


def _readings(digits: str, language: str) -> Decimal | tuple[Reading, ...]:
    """The value of an unsigned text, or its readings when it is ambiguous; NotANumber-worthy: ()."""
    if digits.isdigit():
        return Decimal(digits)
    other = _OTHER[language]
    mine, theirs = _strict(digits, language), _strict(digits, other)
    if mine is not None:
        grouped = _GROUP[language] in digits
        if grouped or theirs is None or theirs == mine:
            return mine
        return (Reading(mine, language), Reading(theirs, other))
    if theirs is None:
        return ()
    # Babel suggests L's reading with the misplaced separators dropped (vi "1.5": 15), and the reading that
    # swaps them, which is L''s own (1,5): the first is offered beside L''s.
    mine_instead = [v for v in _suggestions(digits, language) if v != theirs][:1]
    return (*(Reading(v, language) for v in mine_instead), Reading(theirs, other))


def read(text: str, language: str, *, answer: str | None = None, field: str | None = None) -> Decimal:
    """``text`` read as ``language`` writes numbers (the rule in the module's docstring).

    ``answer`` is what the writer chose when asked (a reading as ``str(Decimal)`` writes it, ``1000``,
    ``1.5``): taken when ``text`` is ambiguous and the answer is one of its readings, ignored otherwise.
    Raises ``NotANumber``, ``NumberTooLong`` or ``AmbiguousNumber`` (``InvalidInput``, naming ``field``)."""
    language = _convention(language)
    stripped = text.strip(_SPACE)
    if len(stripped) > MAX_CHARS:
        raise NumberTooLong(field=field)
    if not stripped.isascii() or not _SHAPE.fullmatch(stripped):
        raise NotANumber(language, field=field)
    sign = -1 if stripped.startswith("-") else 1
    found = _readings(stripped.lstrip("-"), language)
    if isinstance(found, Decimal):
        return canonical(sign * found)
    if not found:
        raise NotANumber(language, field=field)
    readings = tuple(Reading(canonical(sign * r.value), r.convention) for r in found)
    chosen = _answer(answer)
    for reading in readings:
        if chosen is not None and reading.value == chosen:
            return reading.value
    raise AmbiguousNumber(stripped, language, readings, field=field)


def canonical(value: Decimal) -> Decimal:
    """``value`` without trailing zeros after the point (nor an exponent): what the ledger body says of a
    typed number, so a body never shows one kilogram as ``1.000`` (which a Vietnamese reads as 1000)."""
    return Decimal(format(value.normalize(), "f")) if value else Decimal(0)


def _answer(answer: str | None) -> Decimal | None:
    if answer is None or len(answer) > MAX_CHARS + 2 or not _MACHINE.fullmatch(answer):
        return None
    try:
        return Decimal(answer)
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        return None


def answer_of(value: Decimal) -> str:
    """What a form sends back for the reading ``value`` (``read``'s ``answer``): its canonical text."""
    return str(canonical(value))
