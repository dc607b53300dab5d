"""SQLite set-up: WAL, busy timeout, and BEGIN IMMEDIATE for ledger writers (the write lock comes first)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, exc, text

from tracer.ledger.connection import WRITE_OPTION, configure_engine


def test_sqlite_pragmas_and_immediate_writers(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'lock.db'}")
    configure_engine(engine)
    configure_engine(engine)  # idempotent: one BEGIN per transaction
    with engine.begin() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as writer, engine.connect() as other:
        writer.begin()  # BEGIN IMMEDIATE: holds the write lock before reading anything
        other.exec_driver_sql("PRAGMA busy_timeout=0")
        assert other.execute(text("SELECT count(*) FROM t")).scalar() == 0  # readers are not blocked
        other.rollback()
        with pytest.raises(exc.OperationalError, match="locked"):
            with other.begin():
                other.execute(text("INSERT INTO t VALUES (1)"))
        writer.rollback()
    engine.dispose()
