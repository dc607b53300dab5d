"""The domain's messages: a stable id (a member's name) and the English template, the API's ``detail``.

A domain function raises ``RuleViolation(Message.LOT_RECALLED, field="lot_id", lot=lot_id)``: the template is
filled with the parameters (and ``field``) for the problem+json ``detail`` (RFC 9457), while the web forms
translate by the id, never by the English text (``tracer.platform.wording``), so rewording a template here
cannot break what a Vietnamese reader sees. Pydantic validators raise ``Message.X.invalid(...)``: the id
becomes the error's ``type``. A code that does not parse raises ``tracer.codes.gs1.GS1Error(Message.X, ...)``:
its ``str()`` is the filled template, and the resolver's pages say it in the reader's language by the id.
Templates use ``str.format`` fields, the same syntax pydantic fills custom errors with.
"""

from __future__ import annotations

import string
from enum import Enum, unique
from typing import Any

from pydantic_core import PydanticCustomError


@unique  # two ids with one template would be one member under two names
class Message(Enum):
    # dates and lots (tracer/events/*)
    DATE_IN_FUTURE = "{field} {day} is in the future"
    LOT_NOT_OURS = "no lot {lot} among your organisation's lots"
    LOT_NOT_INCOMING = "no lot {lot} on its way to your organisation"
    SHIPMENT_NOT_INCOMING = "no shipment of lot {lot} to your organisation"
    LOT_RECALLED = "lot {lot} has been recalled"
    LOT_ALREADY_RECALLED = "lot {lot} is already recalled"
    LOT_IN_TRANSIT = "lot {lot} is on its way to another organisation"
    ZONE_NOT_OURS = "no zone {zone} among your organisation's zones"
    PRODUCT_NOT_OURS = "no product {product} among your organisation's products"
    NO_PRODUCT = "no product {product}"
    NO_ORGANISATION = "no organisation {org}"
    RECEIVED_BEFORE_SHIPPED = "received_on is before the lot was shipped"
    LOT_LISTED_TWICE = "lot {lot} is listed twice"
    PROCESS_OVERDRAW = "lot {lot} holds {remaining} {unit}; cannot take {quantity}"
    PACKAGE_OVERDRAW = "lot {lot} holds {remaining} {unit}; cannot use {quantity}"
    PROCESSED_BEFORE_PRODUCED = "processed_on is before lot {lot} was produced ({produced})"
    PACKED_BEFORE_PRODUCED = "packed_on is before lot {lot} was produced"
    EXPIRY_NOT_AFTER_PACKING = "expires_on must be after packed_on"
    SHIPPED_BEFORE_PRODUCED = "shipped_on is before the lot was produced"
    SHIPPED_TO_HOLDER = "a lot cannot be shipped to its own holder"
    VALIDITY_NOT_AFTER_ISSUE = "valid_until must be after issued_on"
    PROVINCE_UNKNOWN = "{province} is not one of the 34 provinces and cities since 1 July 2025"
    COMMUNE_UNKNOWN = "no commune or ward {commune} in {province} since 1 July 2025"
    HARVEST_IN_PHI = (
        "zone {zone} is inside a pre-harvest interval: harvest allowed from {allowed} ({allowed_on})"
    )
    # mass balance (tracer/events/balance.py)
    PROCESS_YIELD = (
        "output {output}: {quantity} {unit} is more than its inputs give; at most {maximum} {unit} from "
        "{available} {input_unit} at a yield of {yield_text}"
    )
    PROCESS_UNITS = (
        "output {output} in {unit} cannot be weighed against the inputs ({inputs}): give it a product that "
        "declares its yield in {unit} per unit of input"
    )
    YIELD_UNITS = "product {product} declares a yield of {yield_text}, not in {unit}"
    PACKAGE_BALANCE = (
        "{count} packages x {net_content} = {total} {unit}, but only {used} {unit} of lot {lot} is used"
    )
    NET_CONTENT_REQUIRED = "net_content is required: product {product} declares none"
    NET_CONTENT_UNCLEAR = "net content {net_content} is not a quantity and a unit such as 100 ml"
    NET_CONTENT_UNITS = "net content {net_content} cannot be measured in lot {lot}'s unit {unit}"
    HARVEST_CEILING = (
        "{quantity} {unit} from zone {zone} is more than it can give: {area} ha of {crop} at most {ceiling} "
        "t/ha a year is {maximum} kg, and {harvested} kg was harvested there within a year"
    )
    YIELD_MALFORMED = "max_yield must be written as output per input, such as 0.06 l/kg"
    # commands (tracer/events/commands.py, raised inside pydantic)
    NOT_FINITE = "must be a finite number"
    NOT_POSITIVE = "must be greater than zero"
    TOO_MANY_PLACES = "at most 6 decimal places"
    TOO_LARGE = "is too large"
    BINARY_FLOAT = 'give quantities as a decimal string such as "12.5", not a binary float'
    NOT_A_POLYGON = "polygon must be a GeoJSON Polygon"
    ONE_DESTINATION = "give exactly one of to_organisation_id and sale_point"
    ONE_TARGET = "give exactly one of serial and lot_id"
    PROTECTION_INCOMPLETE = "a plant protection entry needs product, dose and phi_days"
    PHI_ONLY_FOR_PROTECTION = "phi_days is only for a plant protection entry"
    REVIEW_SUBJECT = (
        "a copy_flag decision names a serial; a fake_report decision a report_id and report_sha256"
    )
    # bounds on every input (tracer/platform/bounds.py, tracer/platform/guard.py)
    TEXT_CONTROL = "must not contain the control character {code}"
    TEXT_INVISIBLE = "must not contain the invisible formatting character {code} (text would read otherwise)"
    REQUEST_CONTROL = "{parameter} holds the control character {code}, which no request may carry"
    NOT_WHOLE_NUMBER = "must be a whole number written with the digits 0-9"
    NUMBER_OUT_OF_RANGE = "must be between {low} and {high}"
    # decimals typed by a person (tracer/platform/numbers.py): forms and the CSV import
    NOT_A_NUMBER = "must be a number such as {example}"
    NUMBER_TOO_LONG = "a number has at most {n} characters"
    NUMBER_AMBIGUOUS = "{text} can be read as {first} or {second}: say which"
    NUMBER_UNCLEAR = "{text} is not written as numbers are written here: did you mean {first}?"
    DATE_TOO_EARLY = "{day} is before {earliest}: too early to be right"
    DATE_TOO_LATE = "{day} is after {latest}: too far ahead to be right"
    DATES_REVERSED = "since is after until"
    CURSOR_INVALID = "cursor is not one this API gave out"
    # accounts (tracer/accounts/*, tracer/web/account.py, tracer/web/programme.py)
    # one answer for every failed sign-in (wrong password, unknown e-mail, slowed down): it tells nobody which
    # e-mails have accounts, nor whether this address is being slowed
    WRONG_LOGIN = "sign-in failed: wrong e-mail or password, or too many attempts; wait a minute, try again"
    PASSWORD_TOO_SHORT = "the password must have at least {n} characters"
    PASSWORD_TOO_LONG = "the password must have at most {n} characters"
    WRONG_PASSWORD = "the current password is wrong"
    PASSWORDS_DIFFER = "the new passwords differ"
    BAD_EMAIL = "not a valid e-mail address"
    ACCOUNT_EXISTS = "an account for {email} exists already"
    NAME_REQUIRED = "a name of 1 to 200 characters is required"
    PRODUCER_WITHOUT_ORGANISATION = "a producer belongs to an organisation"
    UNKNOWN_ROLE = "unknown role {role!r}"
    CHOOSE_ROLE = "choose a role"
    TOKEN_NAME_REQUIRED = "a token name of 1 to 100 characters is required"
    USER_DISABLED = "user {email} is disabled"
    TOKENS_ARE_PERSONAL = (
        "API tokens are personal: only the user, signed in with a password, makes tokens for their account"
    )
    TOKEN_CANNOT_MINT = "an API token cannot make tokens: sign in with a password to make one"
    TOKEN_CANNOT_REVOKE = "an API token cannot revoke tokens: sign in with a password to revoke one"
    PROGRAMME_OFFICE_ONLY = "this part is for the OCOP programme office; your account cannot open it"
    # products (tracer/events/onboarding.py)
    GTIN_TAKEN = "GTIN {gtin} belongs to another product"
    SHELF_LIFE_RANGE = "shelf_life_days must be between 1 and 3650"
    # CSV import (tracer/events/csv_import.py)
    NOT_UTF8 = "the file is not UTF-8 text"
    COLUMN_MISSING = "the header has no column {column}"
    COLUMN_UNKNOWN = "unknown column {column}"
    TOO_MANY_LINES = "at most {n} lines per file"
    LINE_TOO_LONG = "the line has more cells than the header"
    NO_LINES = "the file has no lines after the header"
    CELL_TOO_LONG = "the cell holds more than {n} characters"
    CSV_MALFORMED = "the line cannot be read as CSV ({reason})"
    FILE_IMPORTED_BEFORE = "this file was imported before; import it again only if that is meant"
    # GS1 codes (tracer/codes/gs1.py): one id per part of the code a reader can be told about (lot, serial,
    # expiry)
    GTIN_NOT_DIGITS = "GTIN must be digits only, got {gtin!r}"
    GTIN_LENGTH = "GTIN must have 8, 12, 13 or 14 digits, got {length}"
    GTIN_CHECK_DIGIT = "bad check digit in GTIN {gtin}: expected {expected}"
    GTIN_TWICE = "AI 01 given twice"
    GTIN_PREFIX_FULL = "every GTIN under company prefix {prefix} is allotted ({count})"
    LOT_EMPTY = "AI 10 is empty"
    LOT_TOO_LONG = "AI 10 too long: {length} characters, at most {limit}"
    LOT_BAD_CHARACTER = "bad character {char!r} in AI 10 (GS1 AI 82 character set)"
    LOT_BAD_ENCODING = "bad percent-encoding in AI 10: {raw!r}"
    LOT_WITHOUT_GTIN = "a lot (AI 10) needs a GTIN (AI 01); the /p/ form has none"
    SERIAL_EMPTY = "AI 21 is empty"
    SERIAL_TOO_LONG = "AI 21 too long: {length} characters, at most {limit}"
    SERIAL_BAD_CHARACTER = "bad character {char!r} in AI 21 (GS1 AI 82 character set)"
    SERIAL_BAD_ENCODING = "bad percent-encoding in AI 21: {raw!r}"
    CPV_EMPTY = "AI 22 is empty"
    CPV_TOO_LONG = "AI 22 too long: {length} characters, at most {limit}"
    CPV_BAD_CHARACTER = "bad character {char!r} in AI 22 (GS1 AI 82 character set)"
    CPV_BAD_ENCODING = "bad percent-encoding in AI 22: {raw!r}"
    NO_SERIAL = "no serial: a package URI needs AI 21 after the GTIN"
    EXPIRY_OUTSIDE_WINDOW = "expiry {day} is outside the GS1 two-digit year window"
    EXPIRY_NOT_YYMMDD = "AI 17 must be YYMMDD, got {value!r}"
    EXPIRY_BAD_MONTH = "AI 17 has a bad month: {value}"
    EXPIRY_BAD_DAY = "AI 17 has a bad day: {value}"
    EXPIRY_TWICE = "AI 17 given twice"
    EMPTY_SEGMENT = "empty path segment (//) in the URI"
    NO_PRIMARY_KEY = "no primary key: the path must contain /01/{{GTIN}} or /p/{{serial}}"
    GTIN_NOT_FIRST = "wrong order: AI 01 must come before AI 22, 10 and 21"
    AI_OUT_OF_ORDER = "wrong order: AI {ai} out of place (order is 01, 22, 10, 21)"
    AI_WITHOUT_VALUE = "AI {ai} has no value"
    AI_UNKNOWN_IN_PATH = "unknown AI {ai} in the path (expected 22, 10 or 21)"
    AI_UNKNOWN_IN_QUERY = "unknown AI {ai} in the query (GS1 defines no such data attribute)"
    AI_NOT_IN_QUERY = "AI {ai} is a key or key qualifier: it belongs in the path, not the query"
    AI_BAD_VALUE = "AI {ai} value {value!r} does not have the format {format}"
    AI_TWICE = "AI {ai} given twice"
    SEGMENT_UNEXPECTED = "unexpected path segment {segment!r} (expected AI 22, 10 or 21)"
    COMPRESSED_MALFORMED = "not a compressed GS1 Digital Link: {reason}"
    NOT_A_GTIN_CODE = "this resolver answers GTINs (AI 01); the compressed URI has primary key AI {ai}"
    SHORT_FORM_EXTRA = "the /p/{{serial}} form takes nothing after the serial"
    NOT_HTTP = "Digital Link URIs are http(s), got scheme {scheme!r}"
    FRAGMENT = "a Digital Link URI has no #fragment"
    # identifiers of EPCIS documents (tracer/resolver/ids.py): one id per kind, each says its own syntax
    ID_KIND_UNKNOWN = "no identifiers of kind {kind!r}"
    LOT_ID_MALFORMED = "{value!r} is not a well-formed lot identifier"
    ZONE_ID_MALFORMED = "{value!r} is not a well-formed zone identifier"
    ORG_ID_MALFORMED = "{value!r} is not a well-formed org identifier"
    # product photos and shops (tracer/photos, tracer/events/profiles.py)
    PHOTO_TYPE = "the photo must be a JPEG, PNG or WebP image"
    PHOTO_EMPTY = "the photo is empty"
    PHOTO_TOO_LARGE = "the photo is larger than {limit} MB"
    PHOTO_TOO_MANY_PIXELS = "the photo has {pixels} pixels; at most {limit} are accepted"
    PHOTO_UNREADABLE = "the photo cannot be read: it is damaged or cut short"
    PHOTO_NOT_ONLY_IMAGE = "the photo carries something else besides the image (an archive or a web page)"
    PHOTO_TOO_SMALL = "the photo is {width}x{height} pixels; at least {least} pixels on each side are needed"
    SHOP_URL = "shop link {url!r} must be a https:// web address"
    SHOP_TOO_LONG = "shop link {url!r} is longer than {limit} characters"
    SHOP_LABEL = "shop name {label!r} must be 1 to {limit} characters of plain text"
    SHOPS_TOO_MANY = "at most {limit} shop links"

    @property
    def parameters(self) -> frozenset[str]:
        """The names the template needs."""
        return frozenset(name for _text, name, _spec, _conv in string.Formatter().parse(self.value) if name)

    def english(self, params: dict[str, Any]) -> str:
        return self.value.format_map(params)

    def invalid(self, **params: Any) -> PydanticCustomError:
        """The error a pydantic validator raises: its ``type`` is this id, its ``msg`` the English."""
        return PydanticCustomError(self.name, self.value, params or None)
