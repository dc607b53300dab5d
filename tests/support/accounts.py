"""Helpers for tests that need people: demo accounts, API tokens, actors."""

from __future__ import annotations

from flask import Flask

from tracer.accounts import tokens
from tracer.accounts.actors import Actor
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


def bearer(app: Flask, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token(app, email)}"}


def actor(app: Flask, email: str) -> Actor:
    with app.app_context(), writer() as session:
        return actor_for(user_by_email(session=session, email=email))
