"""``init``: migrate the database to the newest schema and bootstrap the ledger."""

from __future__ import annotations

import click

from tracer.platform import db, provision
from tracer.platform.services import services


@click.command("init")
def init() -> None:
    """Migrate to head and set up the ledger's keys (safe to run again)."""
    engine = db.engine()
    revision = provision.initialise(engine, services().settings)
    click.echo(f"ok: database at revision {revision} ({engine.dialect.name})")
