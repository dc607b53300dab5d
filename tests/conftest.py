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
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from config.settings import Settings
from tracer import create_app
from tracer.demo import programme as demo_data
from tracer.demo.programme import DemoResult
from tracer.platform.db import make_engine, writer
from tracer.platform.services import services
from tracer.scans.recorder import ScanRecorder

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
    }
    values.update(overrides)
    return Settings.from_env({"TRACER_INSTANCE_PATH": str(instance)}, **values)


def _initialise(url: str, instance: Path, with_demo: bool) -> DemoResult | None:
    from tracer.platform import provision

    engine = make_engine(url)
    result = None
    try:
        settings = make_settings(url, instance)
        provision.initialise(engine, settings)
        if with_demo:
            app = create_app(settings)
            with app.app_context(), writer(engine) as session:
                result = demo_data.load(session, small=True)
            services(app).engine.dispose()
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        engine.dispose()
    return result


def close_app(app: Flask) -> None:
    """Write and stop the app's scan queue, then close its connections, before its database goes away."""
    recorder = services(app).existing(ScanRecorder)
    if recorder is not None:
        recorder.close()
    services(app).engine.dispose()


def _pg_admin() -> Engine:
    return make_engine(PG_URL, isolation_level="AUTOCOMMIT")


@dataclass
class Template:
    kind: str  # sqlite | postgresql
    name: str  # file path or database name
    demo: DemoResult | None


class Templates:
    """Migrated (and optionally demo-loaded) databases made once per run, copied for each test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: dict[tuple[str, bool], Template] = {}
        self.copies: CopyPool | None = None

    def get(self, kind: str, with_demo: bool) -> Template:
        key = (kind, with_demo)
        if key not in self.made:
            self.made[key] = self._make(kind, with_demo)
        return self.made[key]

    def _make(self, kind: str, with_demo: bool) -> Template:
        suffix = "demo" if with_demo else "base"
        if kind == "sqlite":
            path = self.folder / f"template-{suffix}.db"
            result = _initialise(f"sqlite:///{path}", self.folder / f"instance-{suffix}", with_demo)
            return Template(kind, str(path), result)
        require(bool(PG_URL), "TRACER_TEST_DATABASE_URL is not set (PostgreSQL tests)")
        name = f"tracer_tpl_{suffix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        admin = _pg_admin()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(PG_URL).set(database=name).render_as_string(False)
        result = _initialise(url, self.folder / f"instance-pg-{suffix}", with_demo)
        return Template(kind, name, result)

    def drop_all(self) -> None:
        names = [t.name for t in self.made.values() if t.kind == "postgresql"]
        if not names:
            return
        admin = _pg_admin()
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class CopyPool:
    """PostgreSQL copies of a template made ahead, and used ones dropped, on a background thread.

    CREATE DATABASE ... TEMPLATE takes a few hundred milliseconds; making the next copies while a test runs,
    and dropping used ones afterwards, keeps that off the tests' path.
    """

    AHEAD = 2

    def __init__(self) -> None:
        self.admin = _pg_admin()
        self.executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pg-copies")
        self.ready: dict[str, deque[Future[str]]] = {}
        self.dropping: list[Future[None]] = []

    def _create(self, template: str) -> str:
        name = f"tracer_t_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        return name

    def _drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def take(self, template: str) -> str:
        queue = self.ready.setdefault(template, deque())
        while len(queue) <= self.AHEAD:
            queue.append(self.executor.submit(self._create, template))
        return queue.popleft().result()

    def give_back(self, name: str) -> None:
        self.dropping.append(self.executor.submit(self._drop, name))

    def close(self) -> None:
        for queue in self.ready.values():
            for future in queue:
                self.give_back(future.result())
        for future in self.dropping:
            future.result()
        self.executor.shutdown()
        self.admin.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    made = Templates(tmp_path_factory.mktemp("templates"))
    yield made
    if made.copies is not None:
        made.copies.close()
    made.drop_all()


def fresh_database(
    kind: str, templates: Templates, tmp_path: Path, *, migrated: bool = True, with_demo: bool = False
) -> Iterator[str]:
    """A new database of ``kind`` for one test: a copy of a template, or empty."""
    if kind == "sqlite":
        path = tmp_path / "tracer.platform.db"
        if migrated:
            shutil.copyfile(templates.get(kind, with_demo).name, path)
        yield f"sqlite:///{path}"
        return
    require(bool(PG_URL), "TRACER_TEST_DATABASE_URL is not set (PostgreSQL tests)")
    template = templates.get(kind, with_demo).name if migrated else "template0"
    if templates.copies is None:
        templates.copies = CopyPool()
    name = templates.copies.take(template)
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(False)
    finally:
        templates.copies.give_back(name)


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend of this test run: every database test runs on SQLite and on PostgreSQL."""
    return str(request.param)


@pytest.fixture
def database_url(backend: str, templates: Templates, tmp_path: Path) -> Iterator[str]:
    """A migrated, bootstrapped database of its own for this test (no producers yet)."""
    yield from fresh_database(backend, templates, tmp_path)


@pytest.fixture
def empty_database_url(backend: str, templates: Templates, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables) of its own for this test."""
    yield from fresh_database(backend, templates, tmp_path, migrated=False)


@pytest.fixture
def demo(backend: str, templates: Templates) -> DemoResult:
    """What the demo loaded (accounts with passwords, lot ids) in the database of ``demo_app``."""
    result = templates.get(backend, True).demo
    assert result is not None
    return result


@pytest.fixture
def demo_database_url(backend: str, templates: Templates, tmp_path: Path) -> Iterator[str]:
    """A database of its own for this test with the demo data loaded (small: a few packages per lot)."""
    yield from fresh_database(backend, templates, tmp_path, with_demo=True)


@pytest.fixture
def demo_app(demo_database_url: str, tmp_path: Path) -> Iterator[Flask]:
    application = create_app(make_settings(demo_database_url, tmp_path / "instance"))
    yield application
    close_app(application)


@pytest.fixture
def demo_client(demo_app: Flask) -> FlaskClient:
    return demo_app.test_client()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return make_settings(database_url, tmp_path / "instance")


@pytest.fixture
def app(settings: Settings) -> Iterator[object]:
    application = create_app(settings)
    yield application
    close_app(application)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    return app.test_cli_runner()


@pytest.fixture
def engine(app) -> Engine:  # type: ignore[no-untyped-def]
    return services(app).engine  # type: ignore[no-any-return]
