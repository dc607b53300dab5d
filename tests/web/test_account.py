"""Accounts on the web: login with lock-out, role landing pages, ?next=, logout, password change, CSRF."""

from __future__ import annotations

import re

import pytest

from tests.support.accounts import ADMIN, AUTHORITY, GAC_PRODUCER, INSPECTOR, password_of
from tests.web.conftest import error_of, general_error, ledger_size, post_form, sign_in, text


@pytest.mark.parametrize(
    ("email", "home"),
    [(GAC_PRODUCER, "/console"), (AUTHORITY, "/programme"), (ADMIN, "/programme"), (INSPECTOR, "/inspector")],
)
def test_login_lands_on_the_console_of_the_role(demo_client, demo, email, home):
    response = sign_in(demo_client, email, password_of(demo, email))
    assert response.status_code == 302
    assert response.headers["Location"] == home
    # signed in: the login page sends the person on
    assert demo_client.get("/login").headers["Location"] == home


def test_login_page_is_vietnamese_with_english_on_request(demo_client):
    vi = text(demo_client.get("/login"))
    assert "Đăng nhập" in vi and "Mật khẩu" in vi
    en = text(demo_client.get("/login?lang=en"))
    assert "Sign in" in en and "Password" in en


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/console/zones", "/console/zones"),
        ("https://evil.example/console", "/console"),
        ("//evil.example/console", "/console"),
        ("/\\evil.example", "/console"),
        ("javascript:alert(1)", "/console"),
    ],
)
def test_next_is_followed_only_to_local_paths(demo_client, demo, target, expected):
    response = sign_in(demo_client, GAC_PRODUCER, password_of(demo, GAC_PRODUCER), next_=target)
    assert response.headers["Location"] == expected


def test_console_sends_visitors_to_login_with_next(demo_client):
    response = demo_client.get("/console/harvest")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=/console/harvest")


def test_wrong_password_is_answered_on_the_form(demo_client):
    response = sign_in(demo_client, GAC_PRODUCER, "not-the-password")
    assert response.status_code == 401
    assert "Sai thư điện tử hoặc mật khẩu" in text(response)


def test_failures_slow_that_address_and_never_lock_the_owner_out(demo_app, demo):
    """Changed with issue #18: five failures used to lock the account for 15 minutes, its owner too, with a
    message of its own (which told that the e-mail had an account). Now the guessing address is slowed,
    every failure gets the same answer, and the owner signs in from elsewhere and is told."""
    attacker = demo_app.test_client()
    wrong = [sign_in(attacker, GAC_PRODUCER, f"wrong-password-{n}") for n in range(5)]
    assert [r.status_code for r in wrong] == [401] * 5
    slowed = sign_in(attacker, GAC_PRODUCER, password_of(demo, GAC_PRODUCER))
    assert slowed.status_code == 401
    assert general_error(text(slowed)) == general_error(text(wrong[0])) != ""
    assert "khóa" not in text(slowed)  # nothing is locked
    assert attacker.get("/console").status_code == 302  # not signed in

    owner = demo_app.test_client()
    welcome = sign_in(
        owner, GAC_PRODUCER, password_of(demo, GAC_PRODUCER), environ={"REMOTE_ADDR": "203.0.113.9"}
    )
    assert welcome.status_code == 200
    assert "kể từ lần đăng nhập trước: 5." in text(welcome)
    assert owner.get("/console").status_code == 200


def test_logout_is_a_post_and_ends_the_session(producer):
    assert producer.get("/console").status_code == 200
    assert producer.get("/logout").status_code == 405
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(producer.get("/console"))).group(1)
    response = producer.post("/logout", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    assert producer.get("/console").status_code == 302


def test_password_change(producer, demo):
    old = password_of(demo, GAC_PRODUCER)
    wrong = post_form(
        producer,
        "/account/password",
        {"current_password": "nope-nope-nope", "password": "new-password-123", "confirm": "new-password-123"},
    )
    assert wrong.status_code == 422
    assert error_of(text(wrong), "current_password") == "Mật khẩu hiện tại không đúng."
    short = post_form(
        producer, "/account/password", {"current_password": old, "password": "short", "confirm": "short"}
    )
    assert short.status_code == 422
    assert "ít nhất 10 ký tự" in error_of(text(short), "password")
    differ = post_form(
        producer,
        "/account/password",
        {"current_password": old, "password": "new-password-123", "confirm": "new-password-124"},
    )
    assert error_of(text(differ), "confirm") == "Hai lần nhập mật khẩu mới không khớp nhau."
    done = post_form(
        producer,
        "/account/password",
        {"current_password": old, "password": "new-password-123", "confirm": "new-password-123"},
    )
    assert done.status_code == 200
    assert "Mật khẩu của bạn đã được đổi" in text(done)
    assert producer.get("/console").status_code == 200  # this session follows the new password

    other = producer.application.test_client()
    assert sign_in(other, GAC_PRODUCER, old).status_code == 401
    told = sign_in(other, GAC_PRODUCER, "new-password-123")  # the owner is told of the failure just made
    assert told.status_code == 200 and "kể từ lần đăng nhập trước: 1." in text(told)
    assert other.get("/console").status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/login",
        "/logout",
        "/account/password",
        "/console/harvest",
        "/console/zones",
        "/console/recall",
        "/programme/organisations/new",
    ],
)
def test_a_post_without_csrf_token_is_refused(producer, path):
    size = ledger_size(producer)
    response = producer.post(path, data={"email": GAC_PRODUCER, "name": "x", "reason": "xxxx"})
    assert response.status_code == 400
    assert ledger_size(producer) == size
    assert producer.get("/console").status_code == 200  # still signed in: logout without a token did nothing


def test_a_post_with_a_forged_csrf_token_is_refused(producer):
    response = producer.post("/console/zones", data={"csrf_token": "forged", "name": "Vườn"})
    assert response.status_code == 400
