"""Errors shown next to the field they are about, in the reader's language.

The domain speaks English (its messages are also the API's ``detail``) and names the offending field with a
dotted path such as ``inputs[0].quantity``. Here those paths are mapped onto WTForms fields, and the errors'
message ids (``tracer.platform.messages``) and pydantic's error types onto the wording of
``tracer.platform.wording``, so a
farmer reads "Lô L… đã bị thu hồi" under the lot picker rather than an English sentence at the top of the
page. The English text is never read: rewording it cannot change what the reader sees.
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

from tracer.platform import wording
from tracer.platform.errors import TracerError
from tracer.platform.messages import Message

_PATH = re.compile(r"(\w+)|\[(\d+)\]")


def _pydantic_message(error: Mapping[str, Any]) -> str:
    kind = str(error["type"])
    context = {
        k: str(v) for k, v in (error.get("ctx") or {}).items() if isinstance(v, int | float | str | Decimal)
    }
    if kind in Message.__members__:  # raised by our validators with Message.invalid()
        return wording.reader_message(Message[kind], context)
    return gettext(wording.PYDANTIC.get(kind, wording.GENERIC), **context)


def problem_message(error: TracerError | Mapping[str, Any]) -> str:
    """The reader's-language message for a domain error or for one of pydantic's errors."""
    return wording.translate(error) if isinstance(error, TracerError) else _pydantic_message(error)


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
    _add(form, field_at(form, error.field, aliases), wording.translate(error))


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
