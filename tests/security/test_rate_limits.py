"""Rate limits: password guessing from one address, and an API token used too fast, get 429."""

from __future__ import annotations

from tests.conftest import close_app, make_settings
from tests.support.accounts import GAC_PRODUCER, bearer
from tracer import create_app


def _csrf(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    marker = 'name="csrf_token" type="hidden" value="'
    start = (
        page.index(marker) + len(marker)
        if marker in page
        else page.index('value="', page.index("csrf_token")) + 7
    )
    return page[start : page.index('"', start)]


def test_login_attempts_from_one_address_are_limited(demo_app, demo_client):
    allowed, _seconds = demo_app.extensions["tracer.settings"].login_limit
    assert allowed == 10  # the default, TRACER_LOGIN_LIMIT=10/60
    token = _csrf(demo_client)
    statuses = []
    for i in range(allowed + 2):
        response = demo_client.post(
            "/login",
            data={"csrf_token": token, "email": f"nobody{i}@example.vn", "password": "wrong-password-123"},
        )
        statuses.append(response.status_code)
    assert statuses[:allowed] == [401] * allowed
    assert statuses[-1] == 429
    other_address = demo_client.post(
        "/login",
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
        data={"csrf_token": token, "email": "x@example.vn", "password": "wrong-pass-1"},
    )
    assert other_address.status_code == 401  # the limit is per client address


def test_api_token_used_too_fast_is_limited(demo_database_url, tmp_path):
    """TRACER_TOKEN_LIMIT=5/30: the sixth request of a token within 30 s is 429; another token is not held."""
    app = create_app(make_settings(demo_database_url, tmp_path / "instance", token_limit=(5, 30)))
    try:
        client = app.test_client()
        headers = bearer(app, GAC_PRODUCER)
        statuses = [client.get("/api/v1/zones", headers=headers).status_code for _ in range(5)]
        assert statuses == [200] * 5
        limited = client.get("/api/v1/zones", headers=headers)
        assert limited.status_code == 429
        assert limited.mimetype == "application/problem+json"
        assert "at most 5 per 30 s" in limited.get_json()["detail"]
        assert int(limited.headers["Retry-After"]) == 30
        assert client.get("/api/v1/zones", headers=bearer(app, GAC_PRODUCER)).status_code == 200
    finally:
        close_app(app)


def test_client_address_behind_a_proxy(database_url, tmp_path):
    """With TRACER_PROXY_HOPS=1 the visitor's address comes from X-Forwarded-For (for limits and scans)."""
    from tests.conftest import make_settings
    from tracer import create_app

    app = create_app(make_settings(database_url, tmp_path / "instance", proxy_hops=1))

    @app.get("/whoami")
    def whoami() -> str:
        from flask import request

        return request.remote_addr or ""

    seen = app.test_client().get(
        "/whoami", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert seen.get_data(as_text=True) == "203.0.113.7"
    app.extensions["tracer.engine"].dispose()
