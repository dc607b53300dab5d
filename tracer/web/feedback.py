"""Errors shown next to the field they are about, in the reader's language.

The domain speaks English (its messages are also the API's ``detail``) and names the offending field with a
dotted path such as ``inputs[0].quantity``. Here those paths are mapped onto WTForms fields, and the domain's
messages and pydantic's error types onto Vietnamese message ids, so a farmer reads "Lô L… đã bị thu hồi"
under the lot picker rather than an English sentence at the top of the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from pydantic import ValidationError
from wtforms import Field, Form
from wtforms.fields import FieldList, FormField

from tracer.errors import TracerError


def N_(message: str) -> str:  # noqa: N802 - the conventional marker: extracted by Babel, translated later
    return message


# The domain's messages (tracer/events/*, tracer/accounts/*, tracer/organisations.py) and their translations.
# Named groups fill the placeholders of the message id.
_DOMAIN: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), m)
    for p, m in [
        (r"^\w+ (?P<day>\S+) is in the future$", N_("This date is in the future.")),
        (
            r"^no lot (?P<lot>\w+) among your organisation's lots$",
            N_("No lot %(lot)s among your organisation's lots."),
        ),
        (
            r"^no lot (?P<lot>\w+) on its way to your organisation$",
            N_("No lot %(lot)s is on its way to your organisation."),
        ),
        (
            r"^no shipment of lot (?P<lot>\w+) to your organisation$",
            N_("No lot %(lot)s is on its way to your organisation."),
        ),
        (r"^lot (?P<lot>\w+) has been recalled$", N_("Lot %(lot)s has been recalled.")),
        (r"^lot (?P<lot>\w+) is already recalled$", N_("Lot %(lot)s has already been recalled.")),
        (
            r"^lot (?P<lot>\w+) is on its way to another organisation$",
            N_("Lot %(lot)s is on its way to another organisation."),
        ),
        (
            r"^no zone (?P<zone>\w+) among your organisation's zones$",
            N_("No zone %(zone)s among your organisation's zones."),
        ),
        (
            r"^no product (?P<product>\w+) among your organisation's products$",
            N_("No product %(product)s among your organisation's products."),
        ),
        (r"^no product (?P<product>\w+)$", N_("No product %(product)s.")),
        (r"^no organisation (?P<org>\w+)$", N_("No organisation %(org)s.")),
        (
            r"^received_on is before the lot was shipped$",
            N_("The lot cannot be received before it was shipped."),
        ),
        (r"^lot (?P<lot>\w+) is listed twice$", N_("Lot %(lot)s is listed twice.")),
        (
            r"^lot (?P<lot>\w+) holds (?P<remaining>\S+) (?P<unit>.+); cannot (take|use) (?P<quantity>\S+)$",
            N_("Lot %(lot)s holds only %(remaining)s %(unit)s; %(quantity)s is more than that."),
        ),
        (
            r"^processed_on is before lot (?P<lot>\w+) was produced.*$",
            N_("The processing date is before lot %(lot)s was produced."),
        ),
        (
            r"^lot (?P<lot>\w+) has not been processed: package a processed lot$",
            N_("Lot %(lot)s has not been processed: only a processed lot can be packaged."),
        ),
        (
            r"^packed_on is before lot (?P<lot>\w+) was produced$",
            N_("The packing date is before lot %(lot)s was produced."),
        ),
        (r"^expires_on must be after packed_on$", N_("The expiry date must be after the packing date.")),
        (
            r"^shipped_on is before the lot was produced$",
            N_("The shipping date is before the lot was produced."),
        ),
        (
            r"^a lot cannot be shipped to its own holder$",
            N_("A lot cannot be shipped to your own organisation."),
        ),
        (
            r"^valid_until must be after issued_on$",
            N_("The end of validity must be after the date of issue."),
        ),
        (
            r"^give exactly one of to_organisation_id and sale_point$",
            N_("Choose either an organisation or a sale point."),
        ),
        (r"^wrong e-mail or password$", N_("Wrong e-mail or password.")),
        (
            r"^too many failed attempts: the account is locked for a while$",
            N_("Too many failed attempts: the account is locked for 15 minutes."),
        ),
        (
            r"^the password must have at least (?P<n>\d+) characters$",
            N_("The password must have at least %(n)s characters."),
        ),
        (
            r"^the password must have at most (?P<n>\d+) characters$",
            N_("The password must have at most %(n)s characters."),
        ),
        (r"^the current password is wrong$", N_("The current password is wrong.")),
        (r"^not a valid e-mail address$", N_("This is not a valid e-mail address.")),
        (r"^an account for (?P<email>\S+) exists already$", N_("An account for %(email)s exists already.")),
        (r"^a name of 1 to 200 characters is required$", N_("A name of 1 to 200 characters is required.")),
        (r"^a producer belongs to an organisation$", N_("A producer must belong to an organisation.")),
        (r"^GTIN (?P<gtin>\d+) belongs to another product$", N_("GTIN %(gtin)s belongs to another product.")),
        (r"^shelf_life_days must be between 1 and 3650$", N_("Give a number of days between 1 and 3650.")),
        (
            r"^a token name of 1 to 100 characters is required$",
            N_("A name of 1 to 100 characters is required."),
        ),
        (r"^user (?P<email>\S+) is disabled$", N_("The account %(email)s is disabled.")),
        (r"^the new passwords differ$", N_("The two new passwords differ.")),
        (r"^the file is not UTF-8 text$", N_('The file is not UTF-8 text: save it as "CSV UTF-8".')),
        (r"^the header has no column (?P<column>\w+)$", N_("The first line has no column %(column)s.")),
        (r"^unknown column (?P<column>.+)$", N_("Unknown column %(column)s.")),
        (r"^at most (?P<n>\d+) lines per file$", N_("At most %(n)s lines per file.")),
        (r"^the line has more cells than the header$", N_("The line has more cells than the first line.")),
        (r"^the file has no lines after the header$", N_("The file has no lines after the first line.")),
        (
            r"(?i).*(gtin|check digit)",
            N_("This is not a valid GTIN (8, 12, 13 or 14 digits with a correct check digit)."),
        ),
    ]
]

# pydantic's error types (and our own ValueError messages) as short Vietnamese hints.
_PYDANTIC: dict[str, str] = {
    "missing": N_("Required."),
    "string_too_short": N_("Required."),
    "string_too_long": N_("Too long: at most %(max_length)s characters."),
    "string_pattern_mismatch": N_("Use letters and digits only."),
    "decimal_parsing": N_("Enter a number, such as 12.5."),
    "decimal_type": N_("Enter a number, such as 12.5."),
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
    "literal_error": N_("Choose one of the options."),
    "enum": N_("Choose one of the options."),
    "finite_number": N_("Enter a number, such as 12.5."),
    "decimal_max_places": N_("At most 6 decimal places."),
}
_VALUE_ERRORS: dict[str, str] = {
    "must be greater than zero": N_("Must be greater than zero."),
    "must be a finite number": N_("Enter a number, such as 12.5."),
    "at most 6 decimal places": N_("At most 6 decimal places."),
    "is too large": N_("This number is too large."),
}
_BY_CLASS: dict[str, str] = {
    "InvalidInput": N_("This value is not valid."),
    "RuleViolation": N_("This breaks a rule of the programme."),
    "NotFound": N_("Not found."),
    "Conflict": N_("This conflicts with an existing record."),
}
_DEFAULT_KIND = "InvalidInput"
_PATH = re.compile(r"(\w+)|\[(\d+)\]")


def translate(detail: str, kind: str = "InvalidInput") -> str:
    """The reader's-language version of one of the domain's messages."""
    for pattern, message in _DOMAIN:
        found = pattern.match(detail)
        if found:
            return gettext(message, **found.groupdict())
    return gettext(_BY_CLASS.get(kind) or _BY_CLASS[_DEFAULT_KIND])


def _pydantic_message(error: Mapping[str, Any]) -> str:
    if error["type"] == "value_error":
        text = str(error["msg"]).removeprefix("Value error, ")
        if text in _VALUE_ERRORS:
            return gettext(_VALUE_ERRORS[text])
        return translate(text)
    message = _PYDANTIC.get(str(error["type"]))
    if message is None:
        return gettext(_BY_CLASS[_DEFAULT_KIND])
    context = {
        k: str(v) for k, v in (error.get("ctx") or {}).items() if isinstance(v, int | float | str | Decimal)
    }
    return gettext(message, **context)


def problem_message(detail: str, kind: str, error: Mapping[str, Any] | None) -> str:
    """The reader's-language message for a domain message, or for pydantic's ``error`` when given."""
    return _pydantic_message(error) if error is not None else translate(detail, kind)


def field_at(form: Form, path: str | None, aliases: Mapping[str, Field] | None = None) -> Field | None:
    """The form field a domain path (``lot_ids[0]``, ``inputs[1].quantity``, ``sale_point.name``) is about."""
    aliases = aliases or {}
    if not path:
        return aliases.get("")
    if path in aliases:
        return aliases[path]
    target: Any = form
    walked = ""
    for name, index in _PATH.findall(path):
        walked += f"[{index}]" if index else (f".{name}" if walked else name)
        if walked in aliases:
            target = aliases[walked]
            continue
        if isinstance(target, FormField):
            target = target.form
        if name:
            target = target._fields.get(name) if hasattr(target, "_fields") else None
        elif isinstance(target, FieldList):
            entries = target.entries
            target = entries[int(index)] if int(index) < len(entries) else target
        if target is None:
            return None
    return target if isinstance(target, Field) else None


def _add(form: Form, field: Field | None, message: str) -> None:
    while isinstance(field, FormField | FieldList):
        # an error about a whole row: shown on the row's first input
        field = next(iter(field.form)) if isinstance(field, FormField) else None
    if field is None or field.type == "CSRFTokenField":
        general = getattr(form, "general_errors", None)
        if general is None:
            general = []
            form.general_errors = general
        if message not in general:
            general.append(message)
        return
    errors = list(field.errors) if not isinstance(field.errors, dict) else []
    if message not in errors:
        errors.append(message)
    field.errors = errors


def from_domain(form: Form, error: TracerError, aliases: Mapping[str, Field] | None = None) -> None:
    """Show a domain error next to its field (or above the form when it names none)."""
    _add(form, field_at(form, error.field, aliases), translate(error.detail, type(error).__name__))


def from_validation(form: Form, error: ValidationError, aliases: Mapping[str, Field] | None = None) -> None:
    """Show every one of pydantic's errors next to the field it is about."""
    for item in error.errors():
        path = ""
        for part in item["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        _add(form, field_at(form, path, aliases), _pydantic_message(item))


def has_errors(form: Form) -> bool:
    return bool(getattr(form, "general_errors", None)) or any(_field_errors(f) for f in form)


def _field_errors(field: Field) -> bool:
    if isinstance(field, FormField):
        return any(_field_errors(f) for f in field.form)
    if isinstance(field, FieldList):
        return any(_field_errors(f) for f in field.entries)
    return bool(field.errors)
