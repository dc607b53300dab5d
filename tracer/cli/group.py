"""The ``tracer`` command group's behaviour: every known error becomes one line and exit 1; commands reach
the app built for this run through ``app()``."""

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


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined]
