"""Ledger fixtures: the standards data folder, a fresh database per test (SQLite file, PostgreSQL), a store.

``engine`` is parametrised over a real SQLite file in ``tmp_path`` and, when ``TRACER_TEST_DATABASE_URL``
is set, a PostgreSQL database created for the test (CREATE DATABASE) and dropped after it. The ledger
tables come from ``tracer.ledger.schema.metadata``; nothing else of the application is needed.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import make_url

from tracer.ledger.connection import configure_engine
from tracer.ledger.schema import metadata
from tracer.ledger.store import LedgerStore

STANDARDS = Path(__file__).resolve().parents[2].parent / "shared" / "standards"
MERKLE_VECTORS = STANDARDS / "merkle-vectors"
NOTE_VECTORS = STANDARDS / "signed-note" / "vectors.json"

PG_URL = os.environ.get("TRACER_TEST_DATABASE_URL", "")
ORIGIN = "trace.example.vn/ocop-log"
MASTER_KEY = bytes(range(32))


def make_ledger_engine(url: str) -> Engine:
    """An engine for ``url`` configured the way the ledger expects."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30})
    else:
        engine = create_engine(url, pool_size=2, max_overflow=2)
    configure_engine(engine)
    return engine


def _pg_conninfo(url: str) -> str:
    parsed = make_url(url)
    return (
        f"host={parsed.host or '127.0.0.1'} port={parsed.port or 5432} "
        f"user={parsed.username or 'postgres'} dbname={parsed.database or 'postgres'}"
        + (f" password={parsed.password}" if parsed.password else "")
    )


def fresh_pg_database() -> Iterator[str]:
    """Create a PostgreSQL database for one test; yield its URL; drop it afterwards."""
    name = f"ledger_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_conninfo(PG_URL), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(_pg_conninfo(PG_URL), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database of its own for this test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ledger.db'}"
        return
    if not PG_URL:
        pytest.skip("TRACER_TEST_DATABASE_URL is not set (PostgreSQL tests)")
    yield from fresh_pg_database()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a fresh database with the ledger tables created."""
    eng = make_ledger_engine(database_url)
    metadata.create_all(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def store() -> LedgerStore:
    return LedgerStore(ORIGIN, MASTER_KEY)


@pytest.fixture
def conn(engine: Engine, store: LedgerStore) -> Iterator[Connection]:
    """A connection on a bootstrapped ledger; write in ``with tx(conn):`` blocks (see helpers)."""
    with engine.connect() as connection:
        with connection.begin():
            store.bootstrap(connection)
        yield connection
