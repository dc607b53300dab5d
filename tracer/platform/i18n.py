"""Languages: Vietnamese by default, English on request (``?lang=en`` or Accept-Language); Flask-Babel."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from babel import Locale
from flask import Flask, request
from flask_babel import Babel, get_locale
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from tracer.platform.clock import VIETNAM

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"


_LOCALES = {code: Locale.parse(code) for code in LANGUAGES}  # parsed once: Flask-Babel takes them as they are


def request_language() -> str:
    """The request's language: ``?lang=`` if it names one of ours, else the best of Accept-Language."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return best_language(request.environ.get("HTTP_ACCEPT_LANGUAGE", ""))


def select_locale() -> Locale:
    return _LOCALES[request_language()]


@lru_cache(maxsize=512)
def best_language(header: str) -> str:
    """Our language for an Accept-Language header; browsers send few distinct ones, so each is parsed once."""
    if not header:
        return DEFAULT
    return parse_accept_header(header, LanguageAccept).best_match(LANGUAGES, default=DEFAULT) or DEFAULT


def page_language() -> str:
    """The language of the page being made (``vi`` or ``en``): how its numbers are written and read
    (``tracer.platform.numbers``); Vietnamese outside a request."""
    locale = get_locale()
    language = locale.language if locale is not None else ""
    return language if language in LANGUAGES else DEFAULT


def format_day(value: date | datetime | None) -> str:
    """Dates as dd/mm/yyyy, the way they are written in Vietnam (and on our labels); a moment (an aware
    datetime) is dated in Vietnam time."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(VIETNAM)
    return "" if value is None else value.strftime("%d/%m/%Y")


_AMOUNT = re.compile(r"(?<![\w.,/-])(\d+(?:\.\d+)?)(?= |\)|$)")


def format_amounts(text: object) -> str:
    """The plain decimal amounts in ``text`` (``1200.5 kg``, ``Dầu gấc (60 lít)``) written as the page's
    language writes numbers (vi ``1.200,5 kg``). Only a number standing alone before a space, a closing
    parenthesis or the end counts: a decision number (``1868/QĐ-UBND``) or a name's digits are left alone."""
    from tracer.platform import numbers  # numbers reads page_language from here

    language = page_language()
    return _AMOUNT.sub(lambda m: numbers.show(Decimal(m.group(1)), language), str(text or ""))


def format_clock(value: datetime | None) -> str:
    """A time of day (HH:MM) in Vietnam time, as shown beside a ``day``."""
    return "" if value is None else value.astimezone(VIETNAM).strftime("%H:%M")


def init_app(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_locale,
        default_locale=DEFAULT,
        default_timezone="Asia/Ho_Chi_Minh",
        default_translation_directories=str(TRANSLATIONS),
    )
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["amounts"] = format_amounts
    app.jinja_env.filters["clock"] = format_clock
    app.jinja_env.globals["get_locale"] = get_locale
