"""What a reader of the forms and pages is told for each of the domain's message ids, as Babel message ids.

Keyed by ``tracer.platform.messages.Message`` (and pydantic's error types), never by English text: the domain
may
reword its API ``detail`` freely. The values are English msgids, translated by Flask-Babel from
``tracer/translations`` (Vietnamese is the default and must be complete); their ``%(name)s`` placeholders are
filled from the error's parameters, so each names only parameters its message's template has. A code that
does not parse (``tracer.codes.gs1.GS1Error``) is said in words a shopper understands: the GTIN, the lot
number, the
serial number, the expiry date, never "AI 10".
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol

from flask_babel import gettext

from tracer.platform import numbers
from tracer.platform.i18n import page_language
from tracer.platform.messages import Message
from tracer.platform.messages import Message as M


def N_(message: str) -> str:  # noqa: N802 - the conventional marker: extracted by Babel, translated later
    return message


_NUMBER = N_("Enter a number, such as 12.5.")
_ONE_OF = N_("Choose one of the options.")
_NOT_INCOMING = N_("No lot %(lot)s is on its way to your organisation.")
_OVERDRAW = N_("Lot %(lot)s holds only %(remaining)s %(unit)s; %(quantity)s is more than that.")
_ORDER = N_(
    "The parts of the code are in the wrong order: first the GTIN, then the lot number, then the serial."
)
_UNUSED_PART = N_("The code has a part (%(ai)s) that OCOP product codes do not use.")

DOMAIN: dict[M, str] = {
    M.DATE_IN_FUTURE: N_("This date is in the future."),
    M.LOT_NOT_OURS: N_("No lot %(lot)s among your organisation's lots."),
    M.LOT_NOT_INCOMING: _NOT_INCOMING,
    M.SHIPMENT_NOT_INCOMING: _NOT_INCOMING,
    M.LOT_RECALLED: N_("Lot %(lot)s has been recalled."),
    M.LOT_ALREADY_RECALLED: N_("Lot %(lot)s has already been recalled."),
    M.LOT_IN_TRANSIT: N_("Lot %(lot)s is on its way to another organisation."),
    M.ZONE_NOT_OURS: N_("No zone %(zone)s among your organisation's zones."),
    M.PRODUCT_NOT_OURS: N_("No product %(product)s among your organisation's products."),
    M.NO_PRODUCT: N_("No product %(product)s."),
    M.NO_ORGANISATION: N_("No organisation %(org)s."),
    M.RECEIVED_BEFORE_SHIPPED: N_("The lot cannot be received before it was shipped."),
    M.LOT_LISTED_TWICE: N_("Lot %(lot)s is listed twice."),
    M.PROCESS_OVERDRAW: _OVERDRAW,
    M.PACKAGE_OVERDRAW: _OVERDRAW,
    M.PROCESSED_BEFORE_PRODUCED: N_("The processing date is before lot %(lot)s was produced."),
    M.PACKED_BEFORE_PRODUCED: N_("The packing date is before lot %(lot)s was produced."),
    M.PROCESS_YIELD: N_(
        "%(output)s: %(quantity)s %(unit)s is more than the inputs give. From %(available)s "
        "%(input_unit)s at a yield of at most %(yield_text)s, at most %(maximum)s %(unit)s."
    ),
    M.PROCESS_UNITS: N_(
        "%(output)s is counted in %(unit)s, which cannot be weighed against the inputs (%(inputs)s): "
        "choose a product that declares its yield in %(unit)s per unit of input."
    ),
    M.YIELD_UNITS: N_("Product %(product)s declares a yield of %(yield_text)s, not in %(unit)s."),
    M.PACKAGE_BALANCE: N_(
        "Packing %(count)s packages × %(net_content)s = %(total)s %(unit)s, but only %(used)s %(unit)s "
        "of lot %(lot)s is used."
    ),
    M.NET_CONTENT_REQUIRED: N_("Give the net content per package: product %(product)s declares none."),
    M.NET_CONTENT_UNCLEAR: N_("“%(net_content)s” is not a quantity with a unit, such as 100 ml."),
    M.NET_CONTENT_UNITS: N_(
        "A net content of %(net_content)s cannot be measured in %(unit)s, the unit of lot %(lot)s."
    ),
    M.HARVEST_CEILING: N_(
        "%(quantity)s %(unit)s is more than zone %(zone)s can give: %(area)s ha of %(crop)s at most "
        "%(ceiling)s t/ha a year is %(maximum)s kg, and %(harvested)s kg was harvested there within a year."
    ),
    M.YIELD_MALFORMED: N_("Write the yield as output per unit of input, such as 0.06 l/kg."),
    M.EXPIRY_NOT_AFTER_PACKING: N_("The expiry date must be after the packing date."),
    M.SHIPPED_BEFORE_PRODUCED: N_("The shipping date is before the lot was produced."),
    M.SHIPPED_TO_HOLDER: N_("A lot cannot be shipped to your own organisation."),
    M.VALIDITY_NOT_AFTER_ISSUE: N_("The end of validity must be after the date of issue."),
    M.PROVINCE_UNKNOWN: N_("Choose a province or city from the list (the 34 since 1 July 2025)."),
    M.COMMUNE_UNKNOWN: N_(
        "%(province)s has no commune or ward %(commune)s since 1 July 2025: choose one from the list, "
        "or find it by its old name."
    ),
    M.HARVEST_IN_PHI: N_("The pre-harvest interval has not ended: harvest is allowed from %(allowed_on)s."),
    M.NOT_FINITE: _NUMBER,
    M.NOT_POSITIVE: N_("Must be greater than zero."),
    M.TOO_MANY_PLACES: N_("At most 6 decimal places."),
    M.TOO_LARGE: N_("This number is too large."),
    M.BINARY_FLOAT: _NUMBER,
    M.NOT_A_POLYGON: N_("The outline must be a GeoJSON polygon."),
    M.ONE_DESTINATION: N_("Choose either an organisation or a sale point."),
    M.ONE_TARGET: N_("Give either a package serial or a lot, not both."),
    M.PROTECTION_INCOMPLETE: N_(
        "A plant protection product needs its registered name, its dose and its pre-harvest interval."
    ),
    M.PHI_ONLY_FOR_PROTECTION: N_("A pre-harvest interval is given only for a plant protection product."),
    M.REVIEW_SUBJECT: N_("A decision names the serial of a copy warning, or the report it closes."),
    M.TEXT_CONTROL: N_("The text holds a control character (%(code)s) that cannot be stored; remove it."),
    M.TEXT_INVISIBLE: N_(
        "The text holds an invisible formatting character (%(code)s) that can make it read differently; "
        "remove it."
    ),
    M.REQUEST_CONTROL: N_(
        "The request was refused: %(parameter)s holds a control character (%(code)s) that no text may hold."
    ),
    M.NOT_WHOLE_NUMBER: N_("Enter a whole number using the digits 0 to 9."),
    M.NUMBER_OUT_OF_RANGE: N_("Enter a number between %(low)s and %(high)s."),
    M.NOT_A_NUMBER: N_("Enter a number, such as %(example)s."),
    M.NUMBER_TOO_LONG: N_("A number has at most %(n)s characters."),
    M.NUMBER_AMBIGUOUS: N_("“%(text)s” can be read two ways: did you mean %(first)s or %(second)s?"),
    M.NUMBER_UNCLEAR: N_("“%(text)s” may be a slip: did you mean %(first)s?"),
    M.DATE_TOO_EARLY: N_("The date %(day)s is before %(earliest)s: please check the year."),
    M.DATE_TOO_LATE: N_("The date %(day)s is after %(latest)s: please check the year."),
    M.DATES_REVERSED: N_("The start date is after the end date."),
    M.CURSOR_INVALID: N_("This page link is not valid any more; start from the first page."),
    M.PROGRAMME_OFFICE_ONLY: N_("This part is for the OCOP programme office; your account cannot open it."),
    M.WRONG_LOGIN: N_(
        "Wrong e-mail or password, or too many attempts. Check them, wait a minute and try again."
    ),
    M.PASSWORD_TOO_SHORT: N_("The password must have at least %(n)s characters."),
    M.PASSWORD_TOO_LONG: N_("The password must have at most %(n)s characters."),
    M.WRONG_PASSWORD: N_("The current password is wrong."),
    M.PASSWORDS_DIFFER: N_("The two new passwords differ."),
    M.BAD_EMAIL: N_("This is not a valid e-mail address."),
    M.ACCOUNT_EXISTS: N_("An account for %(email)s exists already."),
    M.NAME_REQUIRED: N_("A name of 1 to 200 characters is required."),
    M.PRODUCER_WITHOUT_ORGANISATION: N_("A producer must belong to an organisation."),
    M.UNKNOWN_ROLE: _ONE_OF,
    M.CHOOSE_ROLE: _ONE_OF,
    M.TOKEN_NAME_REQUIRED: N_("A name of 1 to 100 characters is required."),
    M.USER_DISABLED: N_("The account %(email)s is disabled."),
    M.TOKENS_ARE_PERSONAL: N_(
        "API tokens are personal: the person makes them for their own account after signing in."
    ),
    M.TOKEN_CANNOT_MINT: N_("An API token cannot make tokens; sign in with your password to make one."),
    M.TOKEN_CANNOT_REVOKE: N_("An API token cannot revoke tokens; sign in with your password to revoke one."),
    M.GTIN_TAKEN: N_("GTIN %(gtin)s belongs to another product."),
    M.SHELF_LIFE_RANGE: N_("Give a number of days between 1 and 3650."),
    M.NOT_UTF8: N_('The file is not UTF-8 text: save it as "CSV UTF-8".'),
    M.COLUMN_MISSING: N_("The first line has no column %(column)s."),
    M.COLUMN_UNKNOWN: N_("Unknown column %(column)s."),
    M.TOO_MANY_LINES: N_("At most %(n)s lines per file."),
    M.LINE_TOO_LONG: N_("The line has more cells than the first line."),
    M.NO_LINES: N_("The file has no lines after the first line."),
    M.CELL_TOO_LONG: N_("A cell of this line holds more than %(n)s characters."),
    M.CSV_MALFORMED: N_("This line cannot be read as CSV; check its quotation marks."),
    M.FILE_IMPORTED_BEFORE: N_(
        "This very file was imported before. Import it again only if these harvests happened twice."
    ),
    M.GTIN_NOT_DIGITS: N_('A GTIN is made of digits only; "%(gtin)s" has other characters.'),
    M.GTIN_LENGTH: N_("A GTIN has 8, 12, 13 or 14 digits; this one has %(length)s."),
    M.GTIN_CHECK_DIGIT: N_("The check digit of GTIN %(gtin)s is wrong (it should be %(expected)s)."),
    M.GTIN_TWICE: N_("The code gives the GTIN twice."),
    M.LOT_EMPTY: N_("The lot number in the code is empty."),
    M.LOT_TOO_LONG: N_(
        "The lot number in the code has %(length)s characters; at most %(limit)s are allowed."
    ),
    M.LOT_BAD_CHARACTER: N_('The lot number in the code has a character that is not allowed: "%(char)s".'),
    M.LOT_BAD_ENCODING: N_("The lot number in the code is garbled."),
    M.LOT_WITHOUT_GTIN: N_("A code with a lot number needs a GTIN too."),
    M.SERIAL_EMPTY: N_("The serial number in the code is empty."),
    M.SERIAL_TOO_LONG: N_(
        "The serial number in the code has %(length)s characters; at most %(limit)s are allowed."
    ),
    M.SERIAL_BAD_CHARACTER: N_(
        'The serial number in the code has a character that is not allowed: "%(char)s".'
    ),
    M.SERIAL_BAD_ENCODING: N_("The serial number in the code is garbled."),
    M.GTIN_PREFIX_FULL: N_(
        "Every GTIN under the programme's company prefix %(prefix)s is taken: enter the product's own GTIN."
    ),
    M.CPV_EMPTY: N_("The product variant in the code is empty."),
    M.CPV_TOO_LONG: N_(
        "The product variant in the code has %(length)s characters; at most %(limit)s are allowed."
    ),
    M.CPV_BAD_CHARACTER: N_(
        'The product variant in the code has a character that is not allowed: "%(char)s".'
    ),
    M.CPV_BAD_ENCODING: N_("The product variant in the code is garbled."),
    M.NO_SERIAL: N_("The code has no serial number: a package's code ends with one."),
    M.EXPIRY_OUTSIDE_WINDOW: N_(
        "The expiry date %(day)s cannot be written in a GS1 code: its year is too far."
    ),
    M.EXPIRY_NOT_YYMMDD: N_(
        'The expiry date in the code must be 6 digits (year, month, day); it is "%(value)s".'
    ),
    M.EXPIRY_BAD_MONTH: N_("The expiry date in the code has a month that does not exist (%(value)s)."),
    M.EXPIRY_BAD_DAY: N_("The expiry date in the code has a day that does not exist (%(value)s)."),
    M.EXPIRY_TWICE: N_("The code gives the expiry date twice."),
    M.EMPTY_SEGMENT: N_("A part of the code is empty (two slashes in a row)."),
    M.NO_PRIMARY_KEY: N_("The code has neither a GTIN (/01/...) nor a serial number (/p/...)."),
    M.GTIN_NOT_FIRST: _ORDER,
    M.AI_OUT_OF_ORDER: _ORDER,
    M.AI_WITHOUT_VALUE: N_('The code is cut short: nothing follows "%(ai)s".'),
    M.AI_UNKNOWN_IN_PATH: _UNUSED_PART,
    M.AI_UNKNOWN_IN_QUERY: _UNUSED_PART,
    M.AI_NOT_IN_QUERY: N_("The code has a part (%(ai)s) in the wrong place: it belongs before the ?."),
    M.AI_BAD_VALUE: N_('The code has a value that is not valid for %(ai)s: "%(value)s".'),
    M.AI_TWICE: N_("The code gives %(ai)s twice."),
    M.COMPRESSED_MALFORMED: N_("This compressed code cannot be read: it is damaged or not a GS1 code."),
    M.NOT_A_GTIN_CODE: N_("This code names something other than a product (GS1 key %(ai)s)."),
    M.SEGMENT_UNEXPECTED: N_('The code has a part that does not belong in it: "%(segment)s".'),
    M.SHORT_FORM_EXTRA: N_("Nothing may follow the serial number in a /p/ code."),
    M.NOT_HTTP: N_('This is not a web address (it starts with "%(scheme)s:").'),
    M.FRAGMENT: N_("The code has an extra part after a # sign."),
    M.ID_KIND_UNKNOWN: N_("There are no identifiers of this kind."),
    M.LOT_ID_MALFORMED: N_('A lot identifier is an L and 9 letters or digits; "%(value)s" is not one.'),
    M.ZONE_ID_MALFORMED: N_(
        'A raw-material zone identifier is a Z and 9 letters or digits; "%(value)s" is not one.'
    ),
    M.ORG_ID_MALFORMED: N_(
        'An organisation identifier is a whole number such as 12 (no leading 0); "%(value)s" is not one.'
    ),
    M.PHOTO_TYPE: N_("The photo must be a JPEG, PNG or WebP image."),
    M.PHOTO_EMPTY: N_("The photo file is empty."),
    M.PHOTO_TOO_LARGE: N_("The photo is larger than %(limit)s MB."),
    M.PHOTO_TOO_MANY_PIXELS: N_("The photo has too many pixels (%(pixels)s; at most %(limit)s)."),
    M.PHOTO_UNREADABLE: N_("The photo cannot be read: the file is damaged or cut short."),
    M.PHOTO_NOT_ONLY_IMAGE: N_(
        "The photo file holds something else besides the image; save it again as a plain photo."
    ),
    M.PHOTO_TOO_SMALL: N_(
        "The photo is too small (%(width)sx%(height)s); at least %(least)s pixels on each side."
    ),
    M.SHOP_URL: N_("The shop link %(url)s must be a web address starting with https://."),
    M.SHOP_TOO_LONG: N_("The shop link %(url)s is longer than %(limit)s characters."),
    M.SHOP_LABEL: N_("The shop name %(label)s must be 1 to %(limit)s characters of plain text."),
    M.SHOPS_TOO_MANY: N_("At most %(limit)s shop links."),
}

# pydantic's own error types as short hints; the placeholders come from the error's ``ctx``.
PYDANTIC: dict[str, str] = {
    "missing": N_("Required."),
    "string_too_short": N_("Required."),
    "string_too_long": N_("Too long: at most %(max_length)s characters."),
    "string_pattern_mismatch": N_("Use letters and digits only."),
    "decimal_parsing": _NUMBER,
    "decimal_type": _NUMBER,
    "int_parsing": N_("Enter a whole number."),
    "int_type": N_("Enter a whole number."),
    "int_from_float": N_("Enter a whole number."),
    "greater_than_equal": N_("Must be at least %(ge)s."),
    "less_than_equal": N_("Must be at most %(le)s."),
    "greater_than": N_("Must be greater than %(gt)s."),
    "less_than": N_("Must be less than %(lt)s."),
    "date_parsing": N_("Enter a date as dd/mm/yyyy."),
    "date_from_datetime_parsing": N_("Enter a date as dd/mm/yyyy."),
    "date_type": N_("Enter a date as dd/mm/yyyy."),
    "too_short": N_("Add at least one line."),
    "too_long": N_("Too many lines: at most %(max_length)s."),
    "literal_error": _ONE_OF,
    "enum": _ONE_OF,
    "finite_number": _NUMBER,
    "decimal_max_places": N_("At most 6 decimal places."),
}

# For an error without a message id (or one this table has not learnt): a generic line, never the English.
BY_CLASS: dict[str, str] = {
    "InvalidInput": N_("This value is not valid."),
    "RuleViolation": N_("This breaks a rule of the programme."),
    "NotFound": N_("Not found."),
    "Conflict": N_("This conflicts with an existing record."),
}
GENERIC = BY_CLASS["InvalidInput"]


def reader_message(message: M | None, params: Mapping[str, Any], kind: str = "InvalidInput") -> str:
    """The reader's-language text for a message id; a generic line for its class when the id is unknown.
    A decimal parameter (a lot's remaining quantity) is written as the reader's language writes numbers: a
    Vietnamese reader takes "12.5 kg" for 125 kg."""
    text = DOMAIN.get(message) if message is not None else None
    if text is None:
        return gettext(BY_CLASS.get(kind, GENERIC))
    return gettext(text, **{k: _shown(v) for k, v in params.items()})


def _shown(value: Any) -> str:
    if isinstance(value, Decimal) and value.is_finite():
        return numbers.show(numbers.canonical(value), page_language())
    return str(value)


class Explained(Protocol):
    """An error that says why by a message id: a domain error, or a GS1 code that does not parse."""

    @property
    def message(self) -> Message | None: ...

    @property
    def params(self) -> dict[str, Any]: ...


def translate(error: Explained) -> str:
    """The reader's-language version of a domain error or a code that does not parse, found by its message id
    (never its English): what a form shows beside its field and what an error page shows under its heading."""
    return reader_message(error.message, error.params, type(error).__name__)
