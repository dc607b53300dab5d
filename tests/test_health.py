"""GET /healthz: 200 with the database and ledger size when the database answers, 503 when it does not."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import make_settings
from tracer import create_app


def test_healthz_reports_database_and_ledger(client, engine):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"] == engine.dialect.name
    assert body["ledger_size"] >= 1


def test_healthz_503_when_database_is_unreachable(tmp_path: Path):
    url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere?connect_timeout=1"
    app = create_app(make_settings(url, tmp_path / "instance"))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert "127.0.0.1" in body["reason"] or "connection" in body["reason"].lower()
