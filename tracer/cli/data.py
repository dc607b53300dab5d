"""``demo``: load the programme's real cases through the domain functions and print the demo accounts."""

from __future__ import annotations

import os
from pathlib import Path

import click

from tracer.cli.group import app
from tracer.codes.gs1 import DEMO_COMPANY_PREFIX
from tracer.demo import programme as demo
from tracer.platform import db
from tracer.platform.errors import Conflict
from tracer.platform.services import services


def _accounts_file() -> Path:
    return Path(app().instance_path) / "demo-accounts.txt"


@click.command("demo")
@click.option("--once", is_flag=True, help="do nothing (but show the accounts) if the demo is already loaded")
@click.option("--small", is_flag=True, help="fewer packages per lot (for tests)")
def load_demo(once: bool, small: bool) -> None:
    """Load the demo data into an empty database. Products without a GTIN are allotted one under
    TRACER_GS1_COMPANY_PREFIX, or GS1's demonstration prefix 952 if none is set: every package gets a GS1
    Digital Link."""
    saved = _accounts_file()
    with db.writer() as session:
        if demo.already_loaded(session):
            if not once:
                raise Conflict("the database already has producers: the demo loads only into a new database")
            click.echo("demo data already loaded")
            if saved.exists():
                click.echo(saved.read_text(encoding="utf-8"), nl=False)
            return
        prefix = services().settings.gs1_company_prefix or DEMO_COMPANY_PREFIX
        result = demo.load(session, small=small, company_prefix=prefix)
    lines = ["Demo accounts (e-mail, password, role):"]
    lines += [f"  {email}  {password}  {role}" for email, password, role in result.accounts]
    text = "\n".join(lines) + "\n"
    saved.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(saved, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    click.echo(f"ok: demo loaded ({len(result.accounts)} accounts, lots {', '.join(result.lots.values())})")
    click.echo(text, nl=False)
