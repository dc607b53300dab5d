"""The ``tracer`` command group's behaviour: every known error becomes one line and exit 1; commands reach
the app built for this run through ``app()``; options take ids and text within ``tracer.platform.bounds``
(``ID``, ``TEXT``), refused by click as a usage error (one line, exit 2) before anything is written."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError


class TracerGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from config.settings import SettingsError
        from tracer.ledger.errors import LedgerError
        from tracer.platform.errors import TracerError

        try:
            return super().invoke(ctx)
        except (TracerError, LedgerError, SettingsError, OSError) as error:
            _fail(str(error))
        except SQLAlchemyError as error:
            orig = getattr(error, "orig", None) or error
            _fail("database: " + str(orig).strip().splitlines()[0])


class _Id(click.ParamType):
    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        from tracer.platform import bounds

        if isinstance(value, int):
            return value
        try:
            return bounds.whole_number(str(value).strip(), low=1, high=bounds.DB_INT_MAX)
        except bounds.OutOfBounds as fault:
            self.fail(f"{value!r}: {fault}", param, ctx)


class _Text(click.ParamType):
    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from tracer.platform import bounds

        text = str(bounds.nfc(value))
        fault = bounds.text_fault(text)
        if fault is not None:
            self.fail(str(fault), param, ctx)
        return text


ID = _Id()
"""A row's id: 1 to 2^31-1 in ASCII digits."""
TEXT = _Text()
"""One line of text in NFC, without control or invisible formatting characters."""


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined]
