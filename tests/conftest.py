"""Shared fixtures: a fresh, migrated database per test on SQLite and on PostgreSQL, the app, clients.

Each database-facing test runs on SQLite and again on PostgreSQL when ``TRACER_TEST_DATABASE_URL`` is set.
A database is migrated once per run into a template (an SQLite file, a PostgreSQL template database) and
every test gets its own copy, so tests are isolated and may use several processes and real commits.
Under CI=true a missing PostgreSQL or Chromium fails the run instead of skipping.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from config.settings import Settings
from tests.support import accounts as account_helpers  # noqa: F401  (re-exported helpers)
from tracer import create_app
from tracer.db import make_engine

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("TRACER_TEST_DATABASE_URL", "")
MASTER_KEY = bytes(range(32))
PUBLIC_URL = "https://trace.example.vn"
LOG_ORIGIN = "trace.example.vn/ocop-log"


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when a real part is missing; under CI=true that is a failure."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required under CI=true: {reason}")
    pytest.skip(reason)


def make_settings(database_url: str, instance: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "secret_key": "test-secret-key-not-for-production",
        "master_key": MASTER_KEY,
        "public_url": PUBLIC_URL,
        "log_origin": LOG_ORIGIN,
        "instance_path": instance,
        "testing": True,
    }
    values.update(overrides)
    return Settings.from_env({"TRACER_INSTANCE_PATH": str(instance)}, **values)


def _initialise(url: str, instance: Path) -> None:
    from tracer import provision

    engine = make_engine(url)
    try:
        provision.initialise(engine, make_settings(url, instance))
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()


def _pg_admin() -> Engine:
    return make_engine(PG_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.db"
    _initialise(f"sqlite:///{path}", folder / "instance")
    return path


@pytest.fixture(scope="session")
def pg_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require(bool(PG_URL), "TRACER_TEST_DATABASE_URL is not set (PostgreSQL tests)")
    name = f"tracer_tpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    _initialise(make_url(PG_URL).set(database=name).render_as_string(False), tmp_path_factory.mktemp("pg"))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def fresh_database(kind: str, request: pytest.FixtureRequest, tmp_path: Path, *, migrated: bool = True) -> Iterator[str]:
    """A new database of ``kind`` for one test: a copy of the migrated template, or empty."""
    if kind == "sqlite":
        path = tmp_path / "tracer.db"
        if migrated:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    require(bool(PG_URL), "TRACER_TEST_DATABASE_URL is not set (PostgreSQL tests)")
    template = request.getfixturevalue("pg_template") if migrated else "template0"
    name = f"tracer_t_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, bootstrapped database of its own for this test, on each backend."""
    yield from fresh_database(request.param, request, tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables) of its own for this test, on each backend."""
    yield from fresh_database(request.param, request, tmp_path, migrated=False)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "instance")


@pytest.fixture
def app(settings: Settings) -> Iterator[object]:
    application = create_app(settings)
    yield application
    application.extensions["tracer.engine"].dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def engine(app) -> Engine:  # type: ignore[no-untyped-def]
    return app.extensions["tracer.engine"]  # type: ignore[no-any-return]
