"""Password guessing is slowed per account and address, never locked (issue #18): one answer for every
failure, the owner signs in from elsewhere (or from a browser that signed in before) while an attacker is
slowed, the admin account included, and the owner is told of the failed attempts at the next sign-in."""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import update

from tests.conftest import close_app, make_settings
from tests.security.conftest import unique_secret
from tests.support.accounts import ADMIN, CACAO_PRODUCER, GAC_PRODUCER, INSPECTOR, password_of
from tests.web.conftest import general_error, post_form, sign_in, text
from tracer import create_app
from tracer.accounts import devices
from tracer.accounts.throttle import PER_ACCOUNT, PER_SOURCE, LoginThrottle, Source
from tracer.models.accounts import User
from tracer.platform.ratelimit import Limit, RateLimiter
from tracer.platform.services import services

ATTACKER = {"REMOTE_ADDR": "198.51.100.7"}
ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}
CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


@pytest.fixture
def limited_app(demo_database_url, tmp_path, store):
    """The demo app with its counters in the process or on Redis."""
    app = create_app(
        make_settings(demo_database_url, tmp_path / "instance", redis_url=store, secret_key=unique_secret())
    )
    yield app
    close_app(app)


def _page(response, email: str) -> str:
    """The answer page without its CSRF token (a new one per form) and the e-mail typed in."""
    return CSRF_VALUE.sub(r'\1-"', text(response)).replace(email, "EMAIL")


def test_one_answer_for_every_failure(demo_app, demo):
    """Wrong password, unknown e-mail, disabled account and a slowed address all get the same status and the
    same page: nothing tells which e-mails have accounts, nor that this address is being slowed."""
    client = demo_app.test_client()
    wrong = sign_in(client, GAC_PRODUCER, "wrong-password-1", environ=ATTACKER)
    unknown = sign_in(client, "khong.co.ai@example.vn", "wrong-password-1", environ=ATTACKER)
    with demo_app.app_context():
        engine = services(demo_app).engine
        with engine.begin() as conn:
            conn.execute(update(User).where(User.email == INSPECTOR).values(active=False))
    disabled = sign_in(client, INSPECTOR, password_of(demo, INSPECTOR), environ=ATTACKER)
    for n in range(2, 6):
        sign_in(client, GAC_PRODUCER, f"wrong-password-{n}", environ=ATTACKER)
    slowed = sign_in(client, GAC_PRODUCER, password_of(demo, GAC_PRODUCER), environ=ATTACKER)
    answers = [(wrong, GAC_PRODUCER), (unknown, "khong.co.ai@example.vn"), (disabled, INSPECTOR)]
    answers.append((slowed, GAC_PRODUCER))
    assert [r.status_code for r, _ in answers] == [401] * 4
    assert general_error(text(wrong)).startswith(
        "<p>Sai thư điện tử hoặc mật khẩu, hoặc đã thử quá nhiều lần."
    )
    assert len({_page(r, e) for r, e in answers}) == 1
    emails = (GAC_PRODUCER, "khong.co.ai@example.vn")
    english = [
        post_form(
            client, "/login?lang=en", {"email": e, "password": "wrong-password-9"}, environ_base=ATTACKER
        )
        for e in emails
    ]
    assert "Wrong e-mail or password, or too many attempts." in general_error(text(english[0]))
    assert len({_page(r, e) for r, e in zip(english, emails, strict=True)}) == 1


@pytest.mark.parametrize("email", [GAC_PRODUCER, ADMIN])
def test_the_owner_signs_in_from_elsewhere_while_an_attacker_is_slowed(demo_app, demo, email):
    """The admin is no exception: five failures from one address slow that address for that account (its
    sixth to eighth tries, the right password among them, are refused unchecked); the owner, from another
    address, gets in at once and is told of the five checked failures, not of the refused ones."""
    attacker = demo_app.test_client()
    statuses = [sign_in(attacker, email, f"guess-number-{n}", environ=ATTACKER).status_code for n in range(7)]
    assert statuses == [401] * 7
    assert sign_in(attacker, email, password_of(demo, email), environ=ATTACKER).status_code == 401
    assert attacker.get("/programme" if email == ADMIN else "/console").status_code == 302

    owner = demo_app.test_client()
    told = sign_in(owner, email, password_of(demo, email), environ=ELSEWHERE)
    assert told.status_code == 200
    assert "Số lần đăng nhập sai vào tài khoản của bạn kể từ lần đăng nhập trước: 5." in text(told)
    home = "/programme" if email == ADMIN else "/console"
    assert f'href="{home}"' in text(told)
    assert owner.get(home).status_code == 200
    again = demo_app.test_client()  # told once: the count starts over
    assert sign_in(again, email, password_of(demo, email), environ=ELSEWHERE).status_code == 302


def test_many_addresses_only_slow_the_account_and_the_owners_browser_gets_in(limited_app, demo):
    """An attacker with many addresses fills the account's cap (30 checked failures in 5 minutes): new
    addresses, the right password among them, are refused with the same answer. The owner's browser, which
    signed in before (device cookie), is not held by the cap and signs in."""
    app = limited_app
    owner = app.test_client()
    password = password_of(demo, GAC_PRODUCER)
    assert sign_in(owner, GAC_PRODUCER, password).status_code == 302
    assert owner.get_cookie("device") is not None
    _sign_out(owner)

    attacker = app.test_client()  # with a device cookie of its own account: no use on another account
    assert sign_in(attacker, CACAO_PRODUCER, password_of(demo, CACAO_PRODUCER)).status_code == 302
    _sign_out(attacker)
    cap = PER_ACCOUNT[0].count
    per_address = PER_SOURCE[0].count
    for n in range(cap // per_address):
        where = {"REMOTE_ADDR": f"192.0.2.{n + 1}"}
        for k in range(per_address):
            assert sign_in(attacker, GAC_PRODUCER, f"guess-{n}-{k}", environ=where).status_code == 401
    fresh = sign_in(app.test_client(), GAC_PRODUCER, password, environ={"REMOTE_ADDR": "192.0.2.200"})
    assert fresh.status_code == 401  # slowed: a new browser waits while the attack goes on
    assert (
        sign_in(attacker, GAC_PRODUCER, password, environ={"REMOTE_ADDR": "192.0.2.201"}).status_code == 401
    )

    back = sign_in(owner, GAC_PRODUCER, password)
    assert back.status_code == 200
    assert f"kể từ lần đăng nhập trước: {cap}." in text(back)
    assert owner.get("/console").status_code == 200


def _sign_out(client) -> None:
    from tests.web.conftest import csrf

    assert client.post("/logout", data={"csrf_token": csrf(client, "/console")}).status_code == 302


def test_a_device_cookie_is_signed():
    value = devices.issue(secret="the-secret", user_id=7)
    device = devices.read(secret="the-secret", value=value)
    assert device is not None and device.user_id == 7 and len(device.id) >= 20
    assert devices.read(secret="another-secret", value=value) is None
    assert (
        devices.read(secret="the-secret", value=value[:-2] + ("AA" if value[-2:] != "AA" else "BB")) is None
    )
    assert devices.read(secret="the-secret", value="x" * 400) is None
    assert devices.read(secret="the-secret", value=None) is None


def test_back_off_only_slows(store):
    """The windows move: a slowed source, and an account at its cap, may try again once failures age out.
    A trusted source (the owner's browser) is not held by the account's cap."""
    secret = unique_secret()
    limiter = RateLimiter.on_redis(store, secret=secret) if store else RateLimiter.in_memory(secret=secret)
    throttle = LoginThrottle(limiter, per_source=(Limit("s", 2, 1),), per_account=(Limit("a", 3, 1),))
    email, one, two = "htx@example.vn", Source("net:192.0.2.1"), Source("net:192.0.2.2")
    owner = Source("device:abc", trusted=True)
    throttle.failed(email=email, source=one)
    throttle.failed(email=email, source=one)
    assert not throttle.allows(email=email, source=one)  # this source is slowed
    assert throttle.allows(email=email, source=two)  # others are not
    throttle.failed(email=email, source=two)
    assert not throttle.allows(email=email, source=two)  # the account's cap: 3 failures in all
    assert not throttle.allows(email=email, source=Source("net:192.0.2.3"))
    assert throttle.allows(email=email, source=owner)
    assert throttle.allows(email="other@example.vn", source=one)  # per account
    time.sleep(1.1)
    assert throttle.allows(email=email, source=one) and throttle.allows(email=email, source=two)
    throttle.failed(email=email, source=one)
    throttle.succeeded(email=email, source=one)
    throttle.failed(email=email, source=one)
    assert throttle.allows(email=email, source=one)  # a success starts the source's back-off over
