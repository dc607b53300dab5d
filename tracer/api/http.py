"""Request and response plumbing shared by the /api/v1 views: JSON bodies (RFC 8259), paging parameters,
and JSON answers with raw UTF-8 (``Dầu gấc``, not ``\\u1ea7``).

Bodies are parsed strictly: ``application/json`` only (else 415), numbers with a fraction become exact
``Decimal`` values, duplicate keys, ``NaN``/``Infinity``, nesting deeper than ``MAX_DEPTH`` and text holding
a control character or a lone surrogate (``tracer.platform.bounds.control_fault``; tab and line breaks
allowed) are refused, and a syntax error names its line and column. Query parameters are bounded by
``tracer.platform.bounds`` too: whole numbers in ASCII digits within their range. Every refusal is a
``TracerError`` naming the field, so ``tracer.platform.problems`` answers it as RFC 9457 problem+json.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

from flask import Response, current_app, request
from pydantic import BaseModel

from tracer.platform import bounds
from tracer.platform.errors import BadParameter, InvalidInput, MalformedBody, NotFound, UnsupportedMediaType

MAX_DEPTH = 32
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
IDENTIFIER = re.compile(r"[0-9A-Za-z]{1,32}")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise MalformedBody(f"the key {key!r} appears twice in one object", field=key)
        result[key] = value
    return result


def _refuse_constant(name: str) -> Any:
    raise MalformedBody(f"{name} is not a JSON number", field="body")


def depth(value: Any) -> int:
    """How deeply ``value`` nests objects and arrays (a scalar is 0)."""
    if isinstance(value, dict):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


def control_path(value: Any, path: str = "") -> tuple[str, bounds.OutOfBounds] | None:
    """The dotted path of the first text holding a control character (NUL: no database stores it) or a lone
    surrogate (no UTF-8 encodes it), with the reason; None when there is none."""
    if isinstance(value, str):
        fault = bounds.control_fault(value, multiline=True)
        return (path or "body", fault) if fault is not None else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        fault = bounds.control_fault(key) if isinstance(key, str) else None
        if fault is not None:
            return path or "body", fault
        where = f"{path}[{key}]" if isinstance(key, int) else (f"{path}.{key}" if path else str(key))
        found = control_path(item, where)
        if found is not None:
            return found
    return None


def json_body() -> Any:
    """The request's JSON body, parsed with exact decimals; a TracerError naming the problem otherwise."""
    if request.mimetype != "application/json":
        shown = request.mimetype or "none"
        raise UnsupportedMediaType(f"send the body as application/json (got {shown})", field="Content-Type")
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise MalformedBody("the request body is empty: send a JSON object", field="body")
    try:
        data = json.loads(
            raw, parse_float=Decimal, object_pairs_hook=_no_duplicates, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as error:
        raise MalformedBody(
            f"malformed JSON at line {error.lineno}, column {error.colno} (character "
            f"{error.pos}): {error.msg}",
            field="body",
        ) from None
    except UnicodeDecodeError:
        raise MalformedBody("the body is not valid UTF-8", field="body") from None
    except RecursionError:
        raise MalformedBody(f"the JSON nests deeper than {MAX_DEPTH} levels", field="body") from None
    if depth(data) > MAX_DEPTH:
        raise MalformedBody(f"the JSON nests deeper than {MAX_DEPTH} levels", field="body")
    found = control_path(data)
    if found is not None:
        where, fault = found
        raise fault.refusal(InvalidInput, where)
    return data


def int_arg(
    name: str, *, default: int | None = None, low: int = 0, high: int = bounds.DB_INT_MAX
) -> int | None:
    """A whole-number query parameter in ASCII digits within [low, high]; BadParameter naming it otherwise."""
    raw = query_arg(name)
    if raw is None:
        return default
    try:
        return bounds.whole_number(raw, low=low, high=high)
    except bounds.OutOfBounds as fault:
        raise fault.refusal(BadParameter, name) from None


def query_arg(name: str) -> str | None:
    """The query parameter ``name`` given once and not empty, or None when absent; BadParameter otherwise."""
    values = request.args.getlist(name)
    if not values:
        return None
    if len(values) > 1:
        raise BadParameter(f"{name} is given {len(values)} times; give it once", field=name)
    if values[0] == "":
        raise BadParameter(f"{name} is empty", field=name)
    return values[0]


def path_int(raw: str, name: str, high: int = bounds.DB_INT_MAX) -> int:
    """A whole number from the URL path; NotFound when it is not one we could have given out."""
    try:
        return bounds.whole_number(raw, low=0, high=high)
    except bounds.OutOfBounds:
        raise NotFound(f"no {name} {raw[:40]!r}") from None


def identifier(raw: str | None, name: str) -> str | None:
    """A zone, lot, certificate id or serial from the URL; NotFound when it cannot be one of ours."""
    if raw is None:
        return None
    if not IDENTIFIER.fullmatch(raw):
        raise NotFound(f"no {name} {raw[:40]!r}", field=name)
    return raw


def choice_arg(name: str, choices: tuple[str, ...], default: str) -> str:
    value = query_arg(name) or default
    if value not in choices:
        raise BadParameter(f"{name} must be one of {', '.join(choices)}", field=name)
    return value


def page_args() -> tuple[int, str | None, int | None]:
    """``(limit, cursor, offset)`` from ``?limit=&cursor=&offset=`` (cursor and offset exclude each other)."""
    limit = int_arg("limit", default=DEFAULT_LIMIT, low=1, high=MAX_LIMIT)
    cursor = query_arg("cursor")
    offset = int_arg("offset", low=0, high=10**9)
    if cursor is not None and offset is not None:
        raise BadParameter("give cursor or offset, not both", field="offset")
    assert limit is not None
    return limit, cursor, offset


def answer(
    payload: BaseModel | dict[str, Any] | list[Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON response (UTF-8, not ASCII-escaped) of a public model or plain data."""
    data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else payload
    text = json.dumps(data, ensure_ascii=False, default=_default, separators=(",", ":"))
    response = current_app.response_class(text, status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")
