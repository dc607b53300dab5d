"""Rate limits: password guessing from one address, and an API token used too fast, get 429."""

from __future__ import annotations

from tests.support.accounts import GAC_PRODUCER, bearer
from tracer.ratelimit import LOGIN, TOKEN


def _csrf(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    marker = 'name="csrf_token" type="hidden" value="'
    start = (
        page.index(marker) + len(marker)
        if marker in page
        else page.index('value="', page.index("csrf_token")) + 7
    )
    return page[start : page.index('"', start)]


def test_login_attempts_from_one_address_are_limited(demo_client):
    token = _csrf(demo_client)
    statuses = []
    for i in range(LOGIN.count + 2):
        response = demo_client.post(
            "/login",
            data={"csrf_token": token, "email": f"nobody{i}@example.vn", "password": "wrong-password-123"},
        )
        statuses.append(response.status_code)
    assert statuses[: LOGIN.count] == [401] * LOGIN.count
    assert statuses[-1] == 429
    other_address = demo_client.post(
        "/login",
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
        data={"csrf_token": token, "email": "x@example.vn", "password": "wrong-pass-1"},
    )
    assert other_address.status_code == 401  # the limit is per client address


def test_api_token_used_too_fast_is_limited(demo_app):
    client = demo_app.test_client()
    headers = bearer(demo_app, GAC_PRODUCER)
    statuses = [client.get("/api/v1/zones", headers=headers).status_code for _ in range(TOKEN.count + 1)]
    assert statuses[: TOKEN.count] == [200] * TOKEN.count
    limited = client.get("/api/v1/zones", headers=headers)
    assert limited.status_code == 429
    assert limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) > 0


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
