"""The ledger is the source of truth: replaying it into empty projections gives them back exactly."""

from __future__ import annotations

from sqlalchemy import select

from tracer.events.projection import PROJECTION_TABLES
from tracer.platform.db import writer
from tracer.platform.services import services


def dump(engine) -> dict[str, list[tuple]]:
    tables = {}
    with engine.connect() as conn:
        for model in PROJECTION_TABLES:
            table = model.__table__
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).all()
            tables[table.name] = [tuple(row) for row in rows]
    return tables


def test_rebuild_gives_identical_projections(demo_app):
    engine = services(demo_app).engine
    before = dump(engine)
    assert len(before["packages"]) > 0 and len(before["lot_inputs"]) > 0 and len(before["certificates"]) == 5
    result = demo_app.test_cli_runner().invoke(args=["tracer", "rebuild"])
    assert result.exit_code == 0, result.output
    assert "rebuilt projections from" in result.output
    after = dump(engine)
    assert after == before


def test_rebuild_after_wiping_projections(demo_app):
    engine = services(demo_app).engine
    before = dump(engine)
    with demo_app.app_context(), writer() as session:
        from sqlalchemy import delete

        for model in PROJECTION_TABLES:
            session.connection().execute(delete(model))
    assert dump(engine)["lots"] == []
    result = demo_app.test_cli_runner().invoke(args=["tracer", "rebuild"])
    assert result.exit_code == 0, result.output
    assert dump(engine) == before
