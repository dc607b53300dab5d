"""Bounds on what comes in, in one place: whole numbers, database ids, plausible dates, safe text.

Every face applies these at its edge: pydantic types on the commands (``tracer.events.commands``), the
API's query parameters (``tracer.api.http``), the console's WTForms validators (``tracer.web.forms``), the
CSV import, the inspector's date filters, the CLI; ``tracer.platform.guard`` refuses control characters in
any request. A refusal carries a ``tracer.platform.messages.Message`` id, so forms and pages say it in the
reader's language.

- Integers: PostgreSQL's ``integer`` is 32 bits (SQLite's 64), so an id is 1 to 2^31-1 on both databases and
  a value either accepts the other accepts too. A whole number written as text is ASCII digits only: Python's
  ``int()`` reads any Unicode decimal digit ("٣" is 3) and ``str.isdigit()`` says yes to "²", which ``int()``
  then refuses.
- Dates: from 2000-01-01 (before the programme's records began; what is earlier is a typing slip such as
  year 1) to a day or some years after today, as the field's meaning allows.
- Text, after Unicode TR 36 (security considerations) and UAX 9 (bidirectional text): normalised to NFC, so
  Vietnamese typed with combining tone marks and precomposed letters is one spelling; no control character
  (category Cc: NUL, which PostgreSQL text cannot hold, the rest of C0, DEL, C1), except tab and line breaks
  in a multi-line text; no format character (Cf: bidi embeddings, overrides, isolates and marks, zero-width
  spaces and joiners, the BOM, soft hyphens, tags), which make text display otherwise than it reads; no line
  or paragraph separator in a one-line text; no lone surrogate (Cs), which UTF-8 cannot encode.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

from tracer.platform.clock import today
from tracer.platform.errors import TracerError
from tracer.platform.messages import Message

DB_INT_MAX = 2**31 - 1  # PostgreSQL integer (and serial) columns
EARLIEST = date(2000, 1, 1)
LINE_BREAKS = frozenset("\t\n\r")  # what a textarea (and a CSV cell in quotes) may hold
_BAD_IN_LINE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_BAD_IN_PARAGRAPH = frozenset({"Cc", "Cf", "Cs"})


class OutOfBounds(ValueError):
    """A value outside its bounds: the message id and its parameters, for the caller to raise as its own."""

    def __init__(self, message: Message, **params: Any) -> None:
        super().__init__(message.english(params))
        self.message = message
        self.params = params

    def refusal(self, kind: type[TracerError], field: str) -> TracerError:
        """This refusal as the face's error ``kind`` (BadParameter, InvalidInput) about ``field``, its detail
        prefixed with the field's name as pydantic's are (``scale: must be between 1 and 64``)."""
        error = kind(self.message, field=field, **self.params)
        error.detail = f"{field}: {error.detail}"
        error.args = (error.detail,)
        return error


# -- text ----------------------------------------------------------------------------------------------------


def code_point(char: str) -> str:
    return f"U+{ord(char):04X}"


def text_fault(value: str, *, multiline: bool = False) -> OutOfBounds | None:
    """Why ``value`` cannot be stored or shown as text, or None: a control, format or separator character."""
    if value.isprintable():  # the common case, decided in C: no Cc, Cf, Cs, Z* but the space
        return None
    refused = _BAD_IN_PARAGRAPH if multiline else _BAD_IN_LINE
    for char in value:
        kind = unicodedata.category(char)
        if kind not in refused or (multiline and char in LINE_BREAKS):
            continue
        if kind == "Cf":
            return OutOfBounds(Message.TEXT_INVISIBLE, code=code_point(char))
        return OutOfBounds(Message.TEXT_CONTROL, code=code_point(char))
    return None


def control_fault(value: str, *, multiline: bool = False) -> OutOfBounds | None:
    """Whether ``value`` holds a control character (or a lone surrogate): what no request may carry.

    Format characters are left to the fields that keep text (``SafeText``): a search box may hold one."""
    if value.isprintable():
        return None
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs") and not (multiline and char in LINE_BREAKS):
            return OutOfBounds(Message.TEXT_CONTROL, code=code_point(char))
    return None


def nfc(value: Any) -> Any:
    """``value`` in Unicode normalisation form C when it is text (one spelling for each Vietnamese letter)."""
    if isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
        return unicodedata.normalize("NFC", value)
    return value


@dataclass(frozen=True)
class SafeText:
    """Pydantic metadata for a text field: NFC before its own constraints (length, stripping), then
    ``text_fault``. ``Annotated[str, StringConstraints(max_length=200), SafeText()]``."""

    multiline: bool = False

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_wrap_validator_function(self._validate, handler(source))

    def _validate(self, value: Any, inner: core_schema.ValidatorFunctionWrapHandler) -> Any:
        result = inner(nfc(value))
        if isinstance(result, str):
            fault = text_fault(result, multiline=self.multiline)
            if fault is not None:
                raise fault.message.invalid(**fault.params)
        return result


LINE = SafeText()
PARAGRAPH = SafeText(multiline=True)


# -- whole numbers and ids -----------------------------------------------------------------------------------


def whole_number(raw: str, *, low: int, high: int) -> int:
    """``raw`` read as a whole number written in ASCII digits, within [low, high]; OutOfBounds otherwise."""
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(high)):
        if raw.isascii() and raw.isdigit():  # digits, but more of them than the largest value has
            raise OutOfBounds(Message.NUMBER_OUT_OF_RANGE, low=low, high=high)
        raise OutOfBounds(Message.NOT_WHOLE_NUMBER)
    value = int(raw)
    if not low <= value <= high:
        raise OutOfBounds(Message.NUMBER_OUT_OF_RANGE, low=low, high=high)
    return value


def _no_bool(value: Any) -> Any:
    if isinstance(value, bool):  # JSON true is not product 1
        raise Message.NOT_WHOLE_NUMBER.invalid()
    return value


Id = Annotated[int, Field(ge=1, le=DB_INT_MAX), BeforeValidator(_no_bool)]
"""An id of a row (organisation, product, user): 1 to 2^31-1, the range of PostgreSQL's ``integer``."""

DbInt = Annotated[int, Field(ge=-(2**31), le=DB_INT_MAX), BeforeValidator(_no_bool)]
"""Any whole number kept in an ``integer`` column; the domain says what range it means."""


def fits_column(value: int) -> bool:
    """Whether ``value`` fits a 32-bit integer column (the stricter of the two databases)."""
    return -(2**31) <= value <= DB_INT_MAX


# -- dates ---------------------------------------------------------------------------------------------------


def latest_day(*, days_ahead: int = 0, years_ahead: int = 0) -> date:
    return today() + timedelta(days=days_ahead + 366 * years_ahead)


def day_fault(day: date, *, days_ahead: int = 0, years_ahead: int = 0) -> OutOfBounds | None:
    """Why ``day`` is not a plausible date of the programme: before 2000, or too far after today."""
    if day < EARLIEST:
        return OutOfBounds(Message.DATE_TOO_EARLY, day=day.isoformat(), earliest=EARLIEST.isoformat())
    latest = latest_day(days_ahead=days_ahead, years_ahead=years_ahead)
    if day > latest:
        return OutOfBounds(Message.DATE_TOO_LATE, day=day.isoformat(), latest=latest.isoformat())
    return None


@dataclass(frozen=True)
class Plausible:
    """Pydantic metadata for a date field: from 2000-01-01 to ``days_ahead`` days or ``years_ahead`` years
    after today."""

    days_ahead: int = 0
    years_ahead: int = 0

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_wrap_validator_function(self._validate, handler(source))

    def _validate(self, value: Any, inner: core_schema.ValidatorFunctionWrapHandler) -> Any:
        result = inner(value)
        if isinstance(result, date):
            fault = day_fault(result, days_ahead=self.days_ahead, years_ahead=self.years_ahead)
            if fault is not None:
                raise fault.message.invalid(**fault.params)
        return result


EventDay = Annotated[date, Plausible(years_ahead=1)]
"""A day something happened (processed, packed, shipped, received, certified): from 2000 on; a year ahead
at most here, and the domain refuses any day after tomorrow (``tracer.events.rules``)."""
HarvestDay = Annotated[date, Plausible(years_ahead=1)]
"""A harvest: not before 2000 nor (``tracer.events.rules``) after tomorrow."""
ExpiryDay = Annotated[date, Plausible(years_ahead=10)]
"""An expiry or an end of validity: at most 10 years ahead (shelf lives are at most 3650 days; an OCOP
certificate is valid 36 months)."""
