"""The ``tracer`` command group: builds the app once, and turns every known error into one line and exit 1."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError


class TracerGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from config.settings import SettingsError
        from tracer.errors import TracerError
        from tracer.ledger.errors import LedgerError

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


@click.group(cls=TracerGroup)
@click.pass_context
def cli(ctx: click.Context) -> None:
    """OCOP Tracer administration."""
    from flask.cli import ScriptInfo

    info = ctx.find_object(ScriptInfo)  # under `flask tracer ...` or a test runner: that app
    if info is not None:
        application = info.load_app()
    else:
        from tracer import create_app

        application = create_app()
    ctx.with_resource(application.app_context())


def app() -> Flask:
    return current_app._get_current_object()  # type: ignore[attr-defined]


def register_commands() -> None:
    """Import the command modules so that they attach themselves to ``cli``."""
    import tracer.cli.accounts
    import tracer.cli.backup
    import tracer.cli.data
    import tracer.cli.labels
    import tracer.cli.ledger
    import tracer.cli.proofs
    import tracer.cli.setup  # noqa: F401
