"""Fixtures for the JSON API tests: an API client that signs in demo users by token, the ledger's size,
and a live gunicorn (2 workers) on a copy of the demo database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.api.helpers import Api
from tests.conftest import LOG_ORIGIN, MASTER_KEY
from tests.support.live import LiveServer, free_port, server_env, start_gunicorn


@pytest.fixture
def api(demo_app: Flask) -> Api:
    return Api(demo_app)


@pytest.fixture
def live_demo(demo_database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """gunicorn with 2 workers serving a copy of the demo database."""
    port = free_port()
    env = server_env(
        demo_database_url, tmp_path / "live-instance", f"http://127.0.0.1:{port}", MASTER_KEY, LOG_ORIGIN
    )
    # Property-based tests send thousands of requests with one token: under the default limit most would get
    # 429 and leave the logic behind them untested (the limit itself: tests/security/test_rate_limits.py).
    env["TRACER_TOKEN_LIMIT"] = "1000000/60"
    server = start_gunicorn(env, port, tmp_path / "gunicorn.log", workers=2)
    yield server
    server.stop()
