"""Where the rate limiter keeps its counters in these tests: in the process, or on a real Redis named by
``TRACER_TEST_REDIS_URL`` (CI sets it; without it the Redis cases skip with a reason, and fail under CI)."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.conftest import require

REDIS_URL = os.environ.get("TRACER_TEST_REDIS_URL", "")


def redis_url() -> str:
    """The test Redis; skips (fails under CI=true) when it is not configured."""
    require(bool(REDIS_URL), "TRACER_TEST_REDIS_URL is not set (rate limits on Redis)")
    return REDIS_URL


def unique_secret() -> str:
    """A secret key of the test's own: keys are hashed with it, so tests sharing a Redis share no counter."""
    return f"test-secret-{uuid.uuid4().hex}"


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> str | None:
    """Where the counters live: None (in the process) or the test Redis's URL."""
    return redis_url() if request.param == "redis" else None
