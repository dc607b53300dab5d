"""Bring a database to a working state: schema at head, ledger bootstrapped (log and authority keys)."""

from __future__ import annotations

from sqlalchemy import Engine

from config.settings import Settings
from tracer.platform import migrate as schema


def initialise(engine: Engine, settings: Settings) -> str:
    """Migrate to head and bootstrap the ledger; safe to run again. Returns the schema revision."""
    schema.upgrade(engine)
    from tracer.platform import journal

    journal.bootstrap(engine, settings)
    return schema.current_revision(engine) or "base"
