"""The request guard: the safety net under every face's own bounds (``tracer.platform.bounds``).

Before any view runs, a request whose path, query parameters or form fields hold a control character (NUL
above all: PostgreSQL text cannot hold it, and the driver's refusal would surface as a server error) or a lone
surrogate is refused, naming the parameter: 404 for the path (no resource has such a name), 400 for a
parameter, as problem+json under /api and a page elsewhere (``tracer.platform.problems``). Form fields may
hold tab and line breaks (a textarea); nothing else may. JSON bodies are checked by ``tracer.api.http``, CSV
files by ``tracer.events.csv_import``; the scan fast path (``tracer.resolver.fastpath``) hands any code it
cannot parse to Flask, so this guard answers it too.

URL rules' ``<int:...>`` take ASCII digits only and at most 2^31-1 (a PostgreSQL ``integer``): a larger
number cannot name a row, and ``werkzeug``'s own converter reads any Unicode decimal digit.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter, Map, ValidationError

from tracer.platform import bounds
from tracer.platform.errors import BadParameter, NotFound
from tracer.platform.messages import Message


class BoundedInt(IntegerConverter):
    """``<int:name>``: 0 to 2^31-1 in ASCII digits (a longer number is a 404, not an overflow)."""

    regex = r"[0-9]{1,10}"

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", bounds.DB_INT_MAX)
        super().__init__(url_map, *args, **kwargs)

    def to_python(self, value: str) -> int:
        try:
            return bounds.whole_number(value, low=0, high=bounds.DB_INT_MAX)
        except bounds.OutOfBounds:
            raise ValidationError() from None


def init_app(app: Flask) -> None:
    """Install the bounded ``int`` converter (before any blueprint adds its rules) and the guard."""
    app.url_map.converters["int"] = BoundedInt
    app.before_request(refuse_control_characters)


def refuse_control_characters() -> None:
    fault = bounds.control_fault(request.path)
    if fault is not None:
        raise NotFound(Message.REQUEST_CONTROL, field="path", parameter="path", **fault.params)
    _check(request.args, multiline=False)
    if request.method in ("POST", "PUT", "PATCH", "DELETE") and request.mimetype in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        _check(request.form, multiline=True)


def _check(fields: MultiDict[str, str], *, multiline: bool) -> None:
    for name, value in fields.items(multi=True):
        name_fault = bounds.control_fault(name)
        if name_fault is not None:
            shown = name.encode("unicode_escape").decode("ascii")[:40]
            raise BadParameter(Message.REQUEST_CONTROL, field=shown, parameter=shown, **name_fault.params)
        fault = bounds.control_fault(value, multiline=multiline)
        if fault is not None:
            raise BadParameter(Message.REQUEST_CONTROL, field=name, parameter=name, **fault.params)
