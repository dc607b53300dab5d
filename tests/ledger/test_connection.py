"""SQLite set-up: WAL, busy timeout, and BEGIN IMMEDIATE for ledger writers (the write lock comes first)."""

from __future__ import annotations

import os
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


def test_sqlite_writers_take_turns_on_a_lock_file(tmp_path: Path) -> None:
    """Threads queue on the turn's lock, other processes on flock of the lock file; a writer inside a writer
    in the same thread goes straight in; dispose closes the file."""
    import fcntl
    import subprocess
    import sys
    import threading

    from tracer.ledger.connection import write_turn

    engine = create_engine(f"sqlite:///{tmp_path / 'turns.db'}")
    configure_engine(engine)
    lock_file = tmp_path / "turns.db-writer.lock"
    entered = threading.Event()

    def other_thread() -> None:
        with write_turn(engine):
            entered.set()

    probe = (
        "import fcntl, os, sys\n"
        "fd = os.open(sys.argv[1], os.O_RDWR)\n"
        "try:\n    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)\nexcept BlockingIOError:\n    sys.exit(3)\n"
    )
    with write_turn(engine):
        with write_turn(engine):  # re-entrant in one thread
            assert lock_file.exists()
        waiting = threading.Thread(target=other_thread)
        waiting.start()
        assert not entered.wait(0.3)  # the other thread waits its turn
        held = subprocess.run([sys.executable, "-c", probe, str(lock_file)], check=False)
        assert held.returncode == 3  # another process cannot take the file lock now
    assert entered.wait(5)
    waiting.join()
    free = subprocess.run([sys.executable, "-c", probe, str(lock_file)], check=False)
    assert free.returncode == 0
    engine.dispose()
    with write_turn(engine):  # reopened after dispose
        fd = os.open(lock_file, os.O_RDWR)
        with pytest.raises(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.close(fd)
    engine.dispose()
