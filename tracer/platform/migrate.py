"""Schema migrations through Alembic, callable from the CLI and the tests (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def model_metadata() -> list[MetaData]:
    """What the migrations must produce: the SQLModel tables and the ledger's tables (for autogenerate)."""
    from sqlmodel import SQLModel

    import tracer.models.accounts
    import tracer.models.events
    import tracer.models.lots
    import tracer.models.organisations
    import tracer.models.products
    import tracer.models.scans
    import tracer.models.zones  # noqa: F401
    from tracer.ledger import schema as ledger_schema

    return [SQLModel.metadata, ledger_schema.metadata]


def _config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = _config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    config = _config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(engine: Engine) -> str | None:
    return ScriptDirectory.from_config(_config(engine)).get_current_head()
