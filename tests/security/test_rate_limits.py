"""Rate limits: password guessing from one address, and an API token used too fast, get 429, with the counters
in the process (the default) and on a real Redis (``TRACER_REDIS_URL``), where every worker and every app
instance shares them. Redis tests need ``TRACER_TEST_REDIS_URL`` (``tests/security/conftest.py``).
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import redis

from config.settings import Settings, SettingsError
from tests.conftest import LOG_ORIGIN, MASTER_KEY, close_app, make_settings
from tests.security.conftest import redis_url, unique_secret
from tests.support.accounts import GAC_PRODUCER, api_token, bearer
from tests.support.live import free_port, server_env, start_gunicorn
from tests.web.conftest import sign_in
from tracer import create_app
from tracer.platform.ratelimit import Limit, RateLimiter, client_network
from tracer.platform.services import services


def _app(database_url: str, tmp_path: Path, store: str | None, **overrides: object):
    settings = make_settings(
        database_url, tmp_path / "instance", redis_url=store, secret_key=unique_secret(), **overrides
    )
    return create_app(settings)


def _limiter(store: str | None) -> RateLimiter:
    return (
        RateLimiter.on_redis(store, secret=unique_secret())
        if store
        else RateLimiter.in_memory(secret=unique_secret())
    )


def test_moving_window(store):
    limiter = _limiter(store)
    limit = Limit("t", 3, 1)
    assert [limiter.hit(limit, "a") for _ in range(4)] == [True, True, True, False]
    assert limiter.retry_after(limit, "a") == 1
    assert limiter.hit(limit, "b")  # keys are independent
    assert limiter.test(limit, "b") and not limiter.test(limit, "a")
    time.sleep(1.1)
    assert limiter.hit(limit, "a")  # the first hits left the window
    limiter.clear(limit, "a")
    assert [limiter.hit(limit, "a") for _ in range(3)] == [True, True, True]


def test_the_limiter_is_one_object_of_the_app(demo_database_url, tmp_path, store):
    app = _app(demo_database_url, tmp_path, store)
    try:
        limiter = services(app).limiter
        assert isinstance(limiter, RateLimiter)
        assert limiter.shared is (store is not None)
    finally:
        close_app(app)


def test_login_attempts_from_one_address_are_limited(demo_database_url, tmp_path, store):
    app = _app(demo_database_url, tmp_path, store)
    try:
        client = app.test_client()
        allowed, _seconds = services(app).settings.login_limit
        assert allowed == 10  # the default, TRACER_LOGIN_LIMIT=10/60
        statuses = [
            sign_in(client, f"nobody{i}@example.vn", "wrong-password-123").status_code
            for i in range(allowed + 2)
        ]
        assert statuses[:allowed] == [401] * allowed
        assert statuses[-1] == 429
        other_address = sign_in(client, "x@example.vn", "wrong-pass-1", environ={"REMOTE_ADDR": "10.9.9.9"})
        assert other_address.status_code == 401  # the limit is per client address
    finally:
        close_app(app)


def test_an_ipv6_64_counts_as_one_address(demo_database_url, tmp_path, store):
    """Addresses in one IPv6 /64 (one subscriber's allocation) share the limit; another /64 does not."""
    app = _app(demo_database_url, tmp_path, store, login_limit=(3, 60))
    try:
        client = app.test_client()
        same = [
            sign_in(
                client, f"a{n}@example.vn", "wrong-pass-1", environ={"REMOTE_ADDR": f"2001:db8:1:2::{n:x}"}
            )
            for n in range(1, 5)
        ]
        assert [r.status_code for r in same] == [401, 401, 401, 429]
        other = sign_in(client, "b@example.vn", "wrong-pass-1", environ={"REMOTE_ADDR": "2001:db8:1:3::1"})
        assert other.status_code == 401
    finally:
        close_app(app)


def test_client_network():
    assert client_network("203.0.113.7") == "203.0.113.7"
    assert client_network("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == "2001:db8:1:2::/64"
    assert client_network("::ffff:203.0.113.7") == "203.0.113.7"
    assert client_network("not an address") == "unknown"
    assert client_network("") == "unknown"


def test_api_token_used_too_fast_is_limited(demo_database_url, tmp_path, store):
    """TRACER_TOKEN_LIMIT=5/30: the sixth request of a token within 30 s is 429; another token is not held."""
    app = _app(demo_database_url, tmp_path, store, token_limit=(5, 30))
    try:
        client = app.test_client()
        headers = bearer(app, GAC_PRODUCER)
        statuses = [client.get("/api/v1/zones", headers=headers).status_code for _ in range(5)]
        assert statuses == [200] * 5
        limited = client.get("/api/v1/zones", headers=headers)
        assert limited.status_code == 429
        assert limited.mimetype == "application/problem+json"
        assert "at most 5 per 30 s" in limited.get_json()["detail"]
        assert 29 <= int(limited.headers["Retry-After"]) <= 30
        assert client.get("/api/v1/zones", headers=bearer(app, GAC_PRODUCER)).status_code == 200
    finally:
        close_app(app)


def test_two_app_instances_share_one_limit_through_redis(demo_database_url, tmp_path):
    """Two workers (two app instances with one configuration) hold one token to one limit through Redis:
    5 requests in all, wherever they land. In the process each would have allowed 5."""
    url = redis_url()
    settings = make_settings(
        demo_database_url,
        tmp_path / "instance",
        redis_url=url,
        secret_key=unique_secret(),
        token_limit=(5, 30),
    )
    first, second = create_app(settings), create_app(settings)
    try:
        headers = bearer(first, GAC_PRODUCER)
        one, two = first.test_client(), second.test_client()
        statuses = [c.get("/api/v1/zones", headers=headers).status_code for c in (one, two, one, two, one)]
        assert statuses == [200] * 5
        assert two.get("/api/v1/zones", headers=headers).status_code == 429
        assert one.get("/api/v1/zones", headers=headers).status_code == 429
    finally:
        close_app(first)
        close_app(second)


def test_two_app_instances_in_memory_count_apart(demo_database_url, tmp_path):
    """Without Redis nothing changed: each process counts alone (the README says so)."""
    settings = make_settings(
        demo_database_url, tmp_path / "instance", secret_key=unique_secret(), token_limit=(2, 30)
    )
    first, second = create_app(settings), create_app(settings)
    try:
        headers = bearer(first, GAC_PRODUCER)
        one, two = first.test_client(), second.test_client()
        assert [one.get("/api/v1/zones", headers=headers).status_code for _ in range(3)] == [200, 200, 429]
        assert [two.get("/api/v1/zones", headers=headers).status_code for _ in range(3)] == [200, 200, 429]
    finally:
        close_app(first)
        close_app(second)


def test_gunicorn_workers_share_the_token_limit_through_redis(demo_database_url, tmp_path):
    """A real gunicorn with 2 workers and TRACER_REDIS_URL: a token limited to 6 per minute gets exactly 6
    answers in 20 requests, whichever workers take them."""
    url = redis_url()
    port = free_port()
    env = server_env(demo_database_url, tmp_path / "live", f"http://127.0.0.1:{port}", MASTER_KEY, LOG_ORIGIN)
    env.update(TRACER_REDIS_URL=url, TRACER_SECRET_KEY=unique_secret(), TRACER_TOKEN_LIMIT="6/60")
    helper = create_app(make_settings(demo_database_url, tmp_path / "instance"))
    try:
        token = api_token(helper, GAC_PRODUCER)
    finally:
        close_app(helper)
    server = start_gunicorn(env, port, tmp_path / "gunicorn.log", workers=2, timeout=90)
    try:
        statuses = []
        for _ in range(20):
            request = urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
                f"{server.url}/api/v1/zones", headers={"Authorization": f"Bearer {token}"}
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    statuses.append(response.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)
        assert statuses.count(200) == 6 and statuses.count(429) == 14, statuses
    finally:
        server.stop()


def test_a_redis_that_does_not_answer_is_503_not_500(demo_database_url, tmp_path):
    port = free_port()  # nothing listens there
    app = _app(demo_database_url, tmp_path, f"redis://127.0.0.1:{port}/0")
    try:
        client = app.test_client()
        response = client.get("/api/v1/zones", headers=bearer(app, GAC_PRODUCER))
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json"
        assert "rate-limit store is not answering" in response.get_json()["detail"]
        page = sign_in(client, GAC_PRODUCER, "whatever-password")
        assert page.status_code == 503
    finally:
        close_app(app)


def test_counters_on_redis_name_no_address_e_mail_or_token(demo_database_url, tmp_path):
    """Keys are hashed with the secret key: addresses, e-mails and token ids are personal data."""
    url = redis_url()
    app = _app(demo_database_url, tmp_path, url)
    try:
        client = app.test_client()
        sign_in(client, "ai.do@example.vn", "wrong-password-1", environ={"REMOTE_ADDR": "198.51.100.23"})
        client.get("/api/v1/zones", headers=bearer(app, GAC_PRODUCER))
        prefix = services(app).limiter.storage.key_prefix
        keys = [k.decode() for k in redis.Redis.from_url(url).scan_iter(match=f"{prefix}:*")]
        assert keys  # counted
        assert not [k for k in keys if "198.51.100" in k or "example.vn" in k or "token:" in k]
        services(app).limiter.reset()
        assert not list(redis.Redis.from_url(url).scan_iter(match=f"{prefix}:*"))
    finally:
        close_app(app)


def test_redis_url_setting(tmp_path):
    base = {"TRACER_INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env(base).redis_url is None
    given = Settings.from_env({**base, "TRACER_REDIS_URL": "redis://:pa55word@cache.internal:6379/2"})
    assert given.redis_url == "redis://:pa55word@cache.internal:6379/2"
    assert "pa55word" not in repr(given)
    with pytest.raises(SettingsError, match="TRACER_REDIS_URL must be a redis://"):
        Settings.from_env({**base, "TRACER_REDIS_URL": "http://cache.internal"})


def test_client_address_behind_a_proxy(database_url, tmp_path):
    """With TRACER_PROXY_HOPS=1 the visitor's address comes from X-Forwarded-For (for limits and scans)."""
    app = create_app(make_settings(database_url, tmp_path / "instance", proxy_hops=1))

    @app.get("/whoami")
    def whoami() -> str:
        from flask import request

        return request.remote_addr or ""

    seen = app.test_client().get(
        "/whoami", headers={"X-Forwarded-For": "203.0.113.7"}, environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert seen.get_data(as_text=True) == "203.0.113.7"
    close_app(app)
