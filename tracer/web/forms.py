"""The producer console's forms (WTForms through Flask-WTF: every form carries a CSRF token).

The forms only collect text: the rules live in the pydantic commands (``tracer.events.commands``) and the
domain functions, whose errors ``tracer.web.feedback`` puts back next to these fields. Inputs are sized and
typed for a phone (``inputmode``, ``type=date``) so the right keyboard opens.

What every field must meet whatever it is for is checked here, by one shared validator: a ``CheckedForm``
(and a ``CheckedRow`` inside a list) refuses control and invisible formatting characters in every text,
choice and text area (``tracer.platform.bounds.text_fault``; a text area may hold line breaks), and a
``WholeId`` field holds an id in ASCII digits within 32 bits. Passwords are left as typed.

A ``NumberField`` reads a decimal as the page's language writes it (``tracer.platform.numbers``: vi
``1.000`` is one thousand, ``1,5`` one and a half) and shows its example so (vi ``12,5``). A number that reads
two ways is asked about: the field shows the question and its readings as radio buttons (``<name>-reading``),
and keeps the text as typed; the answer is taken only when it is one of the readings of the text sent with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
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
from wtforms.utils import unset_value
from wtforms.validators import ValidationError

from tracer.platform import bounds, numbers
from tracer.platform.clock import today
from tracer.platform.i18n import page_language
from tracer.platform.wording import reader_message, translate

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


class NumberField(StringField):
    """A decimal typed as the page's language writes it. After validation ``number`` holds its value (None
    when left empty); ``question`` the ambiguity to ask about, if any; ``answer`` the reading the writer
    chose, sent back with the form until it is saved."""

    def __init__(self, label: Any = None, validators: Any = None, *, example: str = "12.5", **kwargs: Any):
        kwargs.setdefault("render_kw", dict(NUMBER))
        super().__init__(label, validators, **kwargs)
        self.example = Decimal(example)
        self.number: Decimal | None = None
        self.question: numbers.AmbiguousNumber | None = None
        self.answer: str | None = None

    @property
    def answer_name(self) -> str:
        return f"{self.name}-reading"

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        super().process(formdata, data, extra_filters)
        answer = formdata.get(self.answer_name) if formdata is not None else None
        self.answer = answer if isinstance(answer, str) else None

    def post_validate(self, form: Form, validation_stopped: bool) -> None:
        self.number, self.question, chosen = None, None, self.answer
        self.answer = None
        text = self.data if isinstance(self.data, str) else ""
        if validation_stopped or self.errors or not text.strip():
            return  # empty: the command says whether the number is required
        language = page_language()
        try:
            self.number = numbers.read(text, language)
        except numbers.AmbiguousNumber as ambiguous:
            try:
                self.number = numbers.read(text, language, answer=chosen)
                self.answer = chosen
            except numbers.AmbiguousNumber:
                self.question = ambiguous
                raise ValidationError(translate(ambiguous)) from None
        except numbers.NumberError as error:
            raise ValidationError(translate(error)) from None

    def readings(self) -> list[tuple[str, str, str]]:
        """The question's choices: (answer sent back, the number as the page writes it, its convention)."""
        if self.question is None:
            return []
        language = page_language()
        return [(numbers.answer_of(r.value), numbers.show(r.value, language), r.convention)
                for r in self.question.readings]  # fmt: skip

    def __call__(self, **kwargs: Any) -> Any:
        kwargs.setdefault("placeholder", numbers.show(self.example, page_language()))
        return super().__call__(**kwargs)


def entered(field: NumberField, *, optional: bool = False) -> Decimal | str | None:
    """What a command gets from a validated number field: its value; if left empty, None when ``optional``,
    else "" (which the command refuses as required)."""
    if field.number is not None:
        return field.number
    return None if optional else ""


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
    # the 2025 units, typed or picked from the lists (``tracer.places``); an old address is mapped to them
    province = StringField(_l("Province or city"), render_kw={"list": "provinces", "autocomplete": "off"})
    commune = StringField(_l("Commune or ward"), render_kw={"list": "communes", "autocomplete": "off"})
    district = StringField(_l("Former district (only for an address from before 1 July 2025)"))
    latitude = NumberField(_l("Latitude"), example="9.9347")
    longitude = NumberField(_l("Longitude"), example="106.3456")
    area_ha = NumberField(_l("Area (ha)"), example="1.5")
    certifications = StringField(_l("Certifications (comma-separated)"), render_kw={"placeholder": "VietGAP"})


class HarvestForm(CheckedForm):
    zone_id = SelectField(_l("Raw-material zone"), validate_choice=False)
    name = StringField(_l("What was harvested"), render_kw={"placeholder": "Quả gấc chín"})
    quantity = NumberField(_l("Quantity"))
    unit = StringField(_l("Unit"), default="kg")
    harvested_on = StringField(_l("Harvested on"), default=today_iso, render_kw=DAY)
    product_id = SelectField(_l("Product (optional)"), validate_choice=False)


class ReceiveForm(CheckedForm):
    lot_id = SelectField(_l("Lot on its way to you"), validate_choice=False)
    received_on = StringField(_l("Received on"), default=today_iso, render_kw=DAY)


class InputRow(CheckedRow):
    lot_id = SelectField(_l("Input lot"), validate_choice=False)
    quantity = NumberField(_l("Quantity taken"))


class OutputRow(CheckedRow):
    name = StringField(_l("Output name"), render_kw={"placeholder": "Dầu gấc nguyên chất"})
    quantity = NumberField(_l("Quantity"))
    unit = StringField(_l("Unit"))
    product_id = SelectField(_l("Product (optional)"), validate_choice=False)


class ProcessForm(CheckedForm):
    step = StringField(_l("Processing step"), render_kw={"placeholder": "Ép dầu gấc"})
    facility = StringField(_l("Facility (optional)"))
    processed_on = StringField(_l("Processed on"), default=today_iso, render_kw=DAY)
    inputs = FieldList(FormField(InputRow), min_entries=2, max_entries=50)
    outputs = FieldList(FormField(OutputRow), min_entries=1, max_entries=20)


class PackageForm(CheckedForm):
    lot_id = SelectField(_l("Lot to package (processed, harvested or received)"), validate_choice=False)
    product_id = SelectField(_l("Product"), validate_choice=False)
    # read as the page writes numbers: vi "10.000" is ten thousand packages, never 10
    count = NumberField(_l("Number of packages"), example="24", render_kw=dict(WHOLE))
    net_content = StringField(
        _l("Net content per package (empty: the product's)"), render_kw={"placeholder": "100 ml"}
    )
    quantity_used = NumberField(_l("Quantity used from the lot (empty: all of it)"))
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
