"""Backup and restore of the whole database: SQLite's online backup API, or pg_dump/pg_restore.

A backup is taken while the service runs (SQLite copies a consistent snapshot page by page; pg_dump reads one
snapshot). Restoring replaces the database's contents; afterwards ``ledger verify`` must be clean and the
restored checkpoints are the ones that were signed before.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from tracer.platform.errors import InvalidInput

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def backup(engine: Engine, target: Path) -> int:
    """Write a backup of ``engine``'s database to ``target``; returns its size in bytes."""
    target = target.resolve()
    if target.exists():
        raise InvalidInput(f"{target} exists already; choose a new file", field="file")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    if engine.dialect.name == "sqlite":
        source = sqlite3.connect(_sqlite_path(engine))
        try:
            destination = sqlite3.connect(tmp)
            with destination:
                source.backup(destination)
            destination.close()
        finally:
            source.close()
    else:
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(tmp), _libpq_url(engine)])
    os.replace(tmp, target)  # a backup file exists only once it is complete
    return target.stat().st_size


def restore(engine: Engine, source: Path) -> None:
    """Replace the database's contents with the backup in ``source``."""
    if not source.is_file():
        raise InvalidInput(f"no backup file {source}", field="file")
    with source.open("rb") as handle:
        magic = handle.read(16)
    engine.dispose()
    if engine.dialect.name == "sqlite":
        if magic != SQLITE_MAGIC:
            raise InvalidInput(f"{source} is not an SQLite backup", field="file")
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            live = sqlite3.connect(_sqlite_path(engine))
            with live:
                backup_db.backup(live)
            live.close()
        finally:
            backup_db.close()
        return
    if not magic.startswith(PGDUMP_MAGIC):
        raise InvalidInput(f"{source} is not a pg_dump custom-format backup", field="file")
    _run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            _libpq_url(engine),
            str(source),
        ]
    )


def _sqlite_path(engine: Engine) -> str:
    database = engine.url.database
    if not database or database == ":memory:":
        raise InvalidInput("an in-memory database cannot be backed up")
    return database


def _libpq_url(engine: Engine) -> str:
    url = make_url(engine.url.render_as_string(hide_password=False)).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise InvalidInput(f"{name} is not installed (Debian package postgresql-client)")
    return found


def _run(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise InvalidInput(f"{Path(args[0]).name} failed: {message[-1] if message else result.returncode}")
