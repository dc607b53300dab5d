"""Helpers for tests that need people: demo accounts, API tokens, actors."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tracer.accounts import sessions, tokens
from tracer.accounts.actors import Actor
from tracer.accounts.auth import SESSION_KEY, SESSION_USER
from tracer.accounts.users import actor_for, user_by_email
from tracer.demo.programme import DemoResult
from tracer.platform.db import writer

GAC_PRODUCER = "htx.mycam@example.vn"
CACAO_PRODUCER = "htx.cacao@example.vn"
FARMER = "ho.ykong@example.vn"
SAUSAGE_PRODUCER = "laxuong.canduoc@example.vn"
INSPECTOR = "thanhtra@qltt.example.vn"
AUTHORITY = "vanphong@ocop.example.vn"
ADMIN = "admin@example.vn"


def password_of(demo: DemoResult, email: str) -> str:
    return next(password for address, password, _role in demo.accounts if address == email)


def api_token(app: Flask, email: str) -> str:
    """A fresh API token for the demo user ``email``."""
    with app.app_context(), writer() as session:
        user = user_by_email(session=session, email=email)
        plaintext, _row = tokens.create_token(session=session, user=user, name="test")
    return plaintext


def open_session(app: Flask, client: FlaskClient, user_id: int) -> None:
    """Sign ``client`` in as user ``user_id`` without a password: a login session row and its cookie."""
    with app.app_context(), writer() as session:
        key = sessions.open_session(session=session, user_id=user_id)
    with client.session_transaction() as browser:
        browser[SESSION_USER] = user_id
        browser[SESSION_KEY] = key


def bearer(app: Flask, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(app, email)}"}


def actor(app: Flask, email: str) -> Actor:
    with app.app_context(), writer() as session:
        return actor_for(user_by_email(session=session, email=email))
