"""The public home page: a box for the code printed under the QR code, the way to the scanner, the favicon.

The box is a plain GET form (``/?code=...``), answered here without JavaScript: a code that leads to a
package is redirected (303) to the package's page; one that does not is the home page again, saying why in
the reader's language (``tracer.labels.typed``). The short address printed on labels
(``trace.example.vn/JDSF-GHMK-4169-Q``) is read the same way: its path is one segment shaped like a code.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, redirect, render_template, request, send_from_directory
from werkzeug.exceptions import NotFound as NoSuchPage
from werkzeug.routing import BaseConverter
from werkzeug.wrappers import Response as BaseResponse

from config.settings import Settings
from tracer.labels import typed
from tracer.platform import db, wording
from tracer.platform.problems import wants_problem_json
from tracer.platform.services import services

bp = Blueprint("pages", __name__)

#: Answers for codes that lead nowhere: a typing slip or a malformed address is the reader's to fix (400);
#: a serial typed without its check character that we never issued is not there (404).
_STATUS = {"empty": 400, "mistyped": 400, "other_host": 400, "bad_uri": 400, "not_found": 404}
FAVICON_MAX_AGE = 7 * 24 * 3600
SERIAL_LENGTHS = (12, 13)  # a serial, without or with its check character


class TypedCodeConverter(BaseConverter):
    """A path segment shaped like a printed code: 10 to 16 code symbols, hyphens between them. Only what no
    other route takes reaches it (Werkzeug tries static paths first); the view reads it properly."""

    regex = r"[0-9A-Za-z](?:-?[0-9A-Za-z*~$=]){9,15}"


@bp.record_once
def _register_converter(state: Any) -> None:
    state.app.url_map.converters["typed_code"] = TypedCodeConverter


def _settings() -> Settings:
    return services().settings


@bp.get("/")
def home() -> BaseResponse | str:
    code = request.args.get("code")
    if code is None:
        return render_template("home.html", code="")
    return _go(code)


@bp.get("/<typed_code:code>")
def short_address(code: str) -> BaseResponse | str:
    """The short address printed on a label, typed into a browser. A compressed GS1 Digital Link can have the
    same shape: the resolver's reading of it comes first (by endpoint, the faces do not import each other);
    a segment that is neither, nor a serial's 12 or 13 symbols, is no page of ours (404, not a typo)."""
    try:
        answer = current_app.view_functions["resolver.compressed"](code)
        return cast(BaseResponse, answer)
    except NoSuchPage:
        pass
    if len(code.replace("-", "")) not in SERIAL_LENGTHS:
        raise NoSuchPage()
    if wants_problem_json():  # a program asking for a resource, not a person typing: no page to correct
        try:
            return redirect(_destination(code), code=303)
        except typed.TypedCodeError:
            raise NoSuchPage() from None
    return _go(code)


@bp.get("/favicon.ico")
def favicon() -> Response:
    static = current_app.static_folder
    assert static is not None
    return send_from_directory(static, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=FAVICON_MAX_AGE)  # fmt: skip


def _destination(code: str) -> str:
    """Where the typed ``code`` leads (TypedCodeError if nowhere)."""
    public = urlsplit(_settings().public_url)
    hosts = {public.netloc.lower(), request.host.lower()}
    return typed.destination(db.session(), code, hosts=hosts, prefix=public.path.rstrip("/"))


def _go(code: str) -> BaseResponse | str:
    try:
        target = _destination(code)
    except typed.TypedCodeError as error:
        reason = wording.translate(error.gs1_error) if error.gs1_error is not None else None
        html = render_template("home.html", code=code[: typed.MAX_TYPED], error=error.reason, host=error.host,
                               reason=reason)  # fmt: skip
        return Response(html, status=_STATUS[error.reason], mimetype="text/html")
    if request.args.get("lang") == "en":
        target += ("&" if "?" in target else "?") + "lang=en"
    return redirect(target, code=303)
