"""The producer console's forms (WTForms through Flask-WTF: every form carries a CSRF token).

The forms only collect text: the rules live in the pydantic commands (``tracer.events.commands``) and the
domain functions, whose errors ``tracer.web.feedback`` puts back next to these fields. Inputs are sized and
typed for a phone (``inputmode``, ``type=date``) so the right keyboard opens.

What every field must meet whatever it is for is checked here, by one shared validator: a ``CheckedForm``
(and a ``CheckedRow`` inside a list) refuses control and invisible formatting characters in every text,
choice and text area (``tracer.platform.bounds.text_fault``; a text area may hold line breaks), and a
``WholeId`` field holds an id in ASCII digits within 32 bits. Passwords are left as typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    Field,
    Form,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields import EmailField, FieldList, FormField
from wtforms.fields.choices import SelectChoice, SelectFieldBase
from wtforms.validators import ValidationError

from tracer.platform import bounds
from tracer.platform.clock import today
from tracer.platform.wording import reader_message

NUMBER = {"inputmode": "decimal", "autocomplete": "off"}
WHOLE = {"inputmode": "numeric", "autocomplete": "off"}
DAY = {"type": "date"}


def options(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """Choices for a select or radio field (value, label)."""
    return [SelectChoice(value, label) for value, label in pairs]


def today_iso() -> str:
    return today().isoformat()


class SafeText:
    """The shared validator: the field's text (each value of a multiple choice) holds no control or invisible
    formatting character; ``multiline`` lets a text area keep tab and line breaks."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, form: Form, field: Field) -> None:
        values = field.data if isinstance(field.data, list) else [field.data]
        for value in values:
            fault = bounds.text_fault(value, multiline=self.multiline) if isinstance(value, str) else None
            if fault is not None:
                raise ValidationError(reader_message(fault.message, fault.params))


class WholeId:
    """A choice that names a row by its id: empty when ``optional``, else 1 to 2^31-1 in ASCII digits (so
    the view may read it with ``int()``)."""

    def __init__(self, *, optional: bool = False) -> None:
        self.optional = optional

    def __call__(self, form: Form, field: Field) -> None:
        raw = field.data if isinstance(field.data, str) else ""
        if not raw and self.optional:  # exactly empty: a choice's value is sent as given, spaces and all
            return
        try:
            bounds.whole_number(raw, low=1, high=bounds.DB_INT_MAX)
        except bounds.OutOfBounds as fault:
            raise ValidationError(reader_message(fault.message, fault.params)) from None


_LINE, _PARAGRAPH = SafeText(), SafeText(multiline=True)


def _text_checks(form: Form, extra: Mapping[str, Sequence[Any]] | None) -> dict[str, list[Any]]:
    """``extra`` with the shared validator added for every field a client writes text into."""
    checks = {name: list(validators) for name, validators in (extra or {}).items()}
    for name, field in form._fields.items():
        written = isinstance(field, StringField | SelectFieldBase)
        if not written or isinstance(field, PasswordField | HiddenField):
            continue
        checks.setdefault(name, []).append(_PARAGRAPH if isinstance(field, TextAreaField) else _LINE)
    return checks


class CheckedForm(FlaskForm):
    """A console form whose every text meets ``SafeText`` (and whose rows, ``CheckedRow``, too)."""

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        return bool(super().validate(_text_checks(self, extra_validators)))


class CheckedRow(Form):
    """A row of a ``FieldList`` inside a ``CheckedForm``."""

    def validate(self, extra_validators: Mapping[str, Sequence[Any]] | None = None) -> bool:
        return bool(super().validate(_text_checks(self, extra_validators)))


def submitted_status(form: FlaskForm) -> int:
    """The status of a form page shown again: 422 after a refused submission, 200 when first opened."""
    return 422 if form.is_submitted() else 200


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "current-password"})


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), render_kw={"autocomplete": "current-password"})
    password = PasswordField(_l("New password"), render_kw={"autocomplete": "new-password", "minlength": 10})
    confirm = PasswordField(_l("New password again"), render_kw={"autocomplete": "new-password"})


class ZoneForm(CheckedForm):
    name = StringField(_l("Zone name"), render_kw={"placeholder": "Vườn gấc ấp số 2"})
    crop = StringField(_l("Crop"), render_kw={"placeholder": "Gấc"})
    address = StringField(_l("Address (hamlet, road)"))
    commune = StringField(_l("Commune"))
    district = StringField(_l("District"))
    province = StringField(_l("Province"))
    latitude = StringField(_l("Latitude"), render_kw=NUMBER)
    longitude = StringField(_l("Longitude"), render_kw=NUMBER)
    area_ha = StringField(_l("Area (ha)"), render_kw=NUMBER)
    certifications = StringField(_l("Certifications (comma-separated)"), render_kw={"placeholder": "VietGAP"})


class HarvestForm(CheckedForm):
    zone_id = SelectField(_l("Raw-material zone"), validate_choice=False)
    name = StringField(_l("What was harvested"), render_kw={"placeholder": "Quả gấc chín"})
    quantity = StringField(_l("Quantity"), render_kw=NUMBER)
    unit = StringField(_l("Unit"), default="kg")
    harvested_on = StringField(_l("Harvested on"), default=today_iso, render_kw=DAY)
    product_id = SelectField(_l("Product (optional)"), validate_choice=False)


class ReceiveForm(CheckedForm):
    lot_id = SelectField(_l("Lot on its way to you"), validate_choice=False)
    received_on = StringField(_l("Received on"), default=today_iso, render_kw=DAY)


class InputRow(CheckedRow):
    lot_id = SelectField(_l("Input lot"), validate_choice=False)
    quantity = StringField(_l("Quantity taken"), render_kw=NUMBER)


class OutputRow(CheckedRow):
    name = StringField(_l("Output name"), render_kw={"placeholder": "Dầu gấc nguyên chất"})
    quantity = StringField(_l("Quantity"), render_kw=NUMBER)
    unit = StringField(_l("Unit"))
    product_id = SelectField(_l("Product (optional)"), validate_choice=False)


class ProcessForm(CheckedForm):
    step = StringField(_l("Processing step"), render_kw={"placeholder": "Ép dầu gấc"})
    facility = StringField(_l("Facility (optional)"))
    processed_on = StringField(_l("Processed on"), default=today_iso, render_kw=DAY)
    inputs = FieldList(FormField(InputRow), min_entries=2, max_entries=50)
    outputs = FieldList(FormField(OutputRow), min_entries=1, max_entries=20)


class PackageForm(CheckedForm):
    lot_id = SelectField(_l("Processed lot"), validate_choice=False)
    product_id = SelectField(_l("Product"), validate_choice=False)
    count = StringField(_l("Number of packages"), render_kw=WHOLE)
    net_content = StringField(_l("Net content per package"), render_kw={"placeholder": "100 ml"})
    quantity_used = StringField(_l("Quantity used from the lot (empty: all of it)"), render_kw=NUMBER)
    packed_on = StringField(_l("Packed on"), default=today_iso, render_kw=DAY)
    expires_on = StringField(_l("Expires on (empty: from the product's shelf life)"), render_kw=DAY)


class ShipForm(CheckedForm):
    lot_id = SelectField(_l("Lot"), validate_choice=False)
    shipped_on = StringField(_l("Shipped on"), default=today_iso, render_kw=DAY)
    destination = RadioField(
        _l("Destination"),
        default="sale_point",
        validate_choice=False,
        choices=options([("organisation", _l("Another organisation")), ("sale_point", _l("A sale point"))]),
    )
    to_organisation_id = SelectField(_l("Organisation"), validate_choice=False)
    sale_point_name = StringField(_l("Sale point"), render_kw={"placeholder": "Cửa hàng OCOP Trà Vinh"})
    sale_point_address = StringField(_l("Sale point address"))
    sale_point_province = StringField(_l("Sale point province"))


class RecallForm(CheckedForm):
    lot_ids = SelectMultipleField(_l("Lots to recall"), validate_choice=False)
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 3})


class ImportForm(CheckedForm):
    file = FileField(_l("CSV file"), render_kw={"accept": ".csv,text/csv"})


def blank(value: Any) -> Any:
    """Empty text as None, so optional fields stay absent rather than empty."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def day(value: Any) -> Any:
    """A date as typed: ISO (from a date picker) or dd/mm/yyyy (typed, or from a spreadsheet)."""
    value = blank(value)
    if isinstance(value, str) and "/" in value:
        parts = value.split("/")
        if len(parts) == 3 and all(p.isascii() and p.isdigit() for p in parts):
            try:
                return date(int(parts[2]), int(parts[1]), int(parts[0]))
            except ValueError:
                return value
    return value
