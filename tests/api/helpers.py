"""A small client for the API tests: requests as a demo user (by bearer token) and the ledger's size."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import Engine, text
from werkzeug.test import TestResponse

from tests.support.accounts import api_token
from tracer.events.rules import today
from tracer.ledger.checkpoint import verify_checkpoint
from tracer.ledger.merkle import verify_inclusion
from tracer.platform import journal
from tracer.platform.services import services


def ledger_size(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT size FROM ledger_state WHERE id = 1")).scalar_one())


def assert_provable(app: Flask, leaves: list[tuple[int, bytes]], size: int) -> None:
    """Each (index, leaf hash) is in the log's signed checkpoint of ``size``: the checkpoint verifies under
    the log key and each inclusion proof verifies against its root (RFC 9162)."""
    with app.app_context(), services(app).engine.connect() as conn:
        store = journal.store()
        checkpoint = verify_checkpoint(store.checkpoint(conn, size), store.verifier_key(conn))
        for index, leaf in leaves:
            verify_inclusion(
                index, size, leaf, store.inclusion_proof(conn, index, size), checkpoint.root_hash
            )


def day(offset: int = 0) -> str:
    """An ISO date ``offset`` days from today in Vietnam."""
    return (today() + timedelta(days=offset)).isoformat()


class Api:
    """``api.post(email, "/events", body)``: a request under /api/v1 as the demo user ``email``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.client = app.test_client()
        self.engine: Engine = services(app).engine
        self._tokens: dict[str, str] = {}

    def token(self, email: str) -> str:
        if email not in self._tokens:
            self._tokens[email] = api_token(self.app, email)
        return self._tokens[email]

    def headers(self, email: str | None, **extra: str) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.token(email)}"} if email else {}
        return {**auth, **extra}

    def get(self, email: str | None, path: str, **extra: str) -> TestResponse:
        return self.client.get(f"/api/v1{path}", headers=self.headers(email, **extra))

    def post(self, email: str | None, path: str, body: Any, **extra: str) -> TestResponse:
        return self.client.post(f"/api/v1{path}", json=body, headers=self.headers(email, **extra))

    def record(self, email: str, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
        response = self.post(email, "/events", body)
        assert response.status_code == status, response.get_data(as_text=True)
        return response.get_json()  # type: ignore[no-any-return]

    def size(self) -> int:
        return ledger_size(self.engine)

    def all_items(self, email: str | None, path: str) -> list[dict[str, Any]]:
        """Every item of a paged listing, following ``next``."""
        items: list[dict[str, Any]] = []
        cursor = None
        separator = "&" if "?" in path else "?"
        while True:
            url = path + (f"{separator}cursor={cursor}" if cursor else "")
            response = self.get(email, url)
            assert response.status_code == 200, response.get_data(as_text=True)
            page = response.get_json()
            items += page["items"]
            cursor = page["next"]
            if cursor is None:
                return items


__all__ = ["Api", "assert_provable", "date", "day", "ledger_size"]
