"""``init``: migrate the database to the newest schema, bootstrap the ledger, and register in the ledger the
organisations and products made before registrations were signed (``tracer.events.registrations.adopt``)."""

from __future__ import annotations

import click

from tracer.events import pipeline, registrations
from tracer.platform import db, provision
from tracer.platform.services import services


@click.command("init")
def init() -> None:
    """Migrate to head and set up the ledger's keys (safe to run again)."""
    engine = db.engine()
    revision = provision.initialise(engine, services().settings)
    with db.writer() as session:
        ledger = pipeline.appender(session)
        orgs, products = registrations.adopt(session, ledger)
        ledger.seal()
    click.echo(f"ok: database at revision {revision} ({engine.dialect.name})")
    if orgs or products:
        click.echo(f"ok: registered {orgs} organisations and {products} products in the ledger (authority)")
