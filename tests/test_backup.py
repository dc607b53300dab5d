"""Backup and restore: after a restore the ledger verifies and the checkpoints are the ones signed before."""

from __future__ import annotations

from sqlalchemy import delete

from tracer.models.lots import Package
from tracer.platform import journal
from tracer.platform.db import writer
from tracer.platform.services import services


def _checkpoint(app) -> str:
    with app.app_context(), services(app).engine.connect() as conn:
        return journal.store().checkpoint(conn)


def test_backup_then_restore_brings_back_the_same_ledger(demo_app, tmp_path):
    runner = demo_app.test_cli_runner()
    before = _checkpoint(demo_app)
    target = tmp_path / "backups" / "tracer.platform.backup"
    result = runner.invoke(args=["tracer", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    with demo_app.app_context(), writer() as session:  # damage: projections gone
        session.connection().execute(delete(Package))

    result = runner.invoke(args=["tracer", "restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    assert "ledger verified" in result.output
    assert _checkpoint(demo_app) == before
    with demo_app.app_context(), services(demo_app).engine.connect() as conn:
        assert conn.execute(Package.__table__.select().limit(1)).first() is not None


def test_backup_refuses_to_overwrite(demo_app, tmp_path):
    target = tmp_path / "exists.backup"
    target.write_bytes(b"keep me")
    result = demo_app.test_cli_runner().invoke(args=["tracer", "backup", str(target)])
    assert result.exit_code == 1
    assert "exists already" in result.output
    assert target.read_bytes() == b"keep me"


def test_restore_refuses_a_file_that_is_not_a_backup(demo_app, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("not a backup")
    before = _checkpoint(demo_app)
    result = demo_app.test_cli_runner().invoke(args=["tracer", "restore", str(bogus), "--yes"])
    assert result.exit_code == 1
    assert "is not" in result.output and "backup" in result.output
    assert _checkpoint(demo_app) == before
