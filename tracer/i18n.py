"""Languages: Vietnamese by default, English on request (``?lang=en`` or Accept-Language); Flask-Babel."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from flask import Flask, request
from flask_babel import Babel, get_locale

LANGUAGES = ("vi", "en")
DEFAULT = "vi"
TRANSLATIONS = Path(__file__).resolve().parent / "translations"


def select_locale() -> str:
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        return asked
    return request.accept_languages.best_match(LANGUAGES, default=DEFAULT) or DEFAULT


def format_day(value: date | datetime | None) -> str:
    """Dates as dd/mm/yyyy, the way they are written in Vietnam (and on our labels)."""
    return "" if value is None else value.strftime("%d/%m/%Y")


def init_app(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_locale,
        default_locale=DEFAULT,
        default_timezone="Asia/Ho_Chi_Minh",
        default_translation_directories=str(TRANSLATIONS),
    )
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.globals["get_locale"] = get_locale
