"""Security headers on every kind of response (the rate limiter: tests/security/test_rate_limits.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_settings
from tracer import create_app
from tracer.platform.services import services


@pytest.mark.parametrize("path", ["/", "/healthz", "/no-such-page", "/api/v1/no-such-thing"])
def test_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    script_src = next(part for part in csp.split("; ") if part.startswith("script-src"))
    assert script_src == "script-src 'self'"  # no unsafe-inline, no unsafe-eval for scripts
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain http in development


def test_hsts_and_secure_cookies_behind_tls(database_url, tmp_path: Path):
    settings = make_settings(database_url, tmp_path / "instance", behind_tls=True)
    app = create_app(settings)
    response = app.test_client().get("/")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    services(app).engine.dispose()
