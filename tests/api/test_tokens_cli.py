"""API tokens (POST/GET/DELETE /api/v1/tokens with a login session; a bearer token may not make or revoke
tokens; a revoked token gets 401) and the command line:
``token create`` (the token is the last line and works), ``ledger verify`` clean and after tampering
(exit 1, naming the index), ``ledger checkpoint``."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from tests.api.helpers import Api
from tests.conftest import LOG_ORIGIN
from tests.support.accounts import GAC_PRODUCER, INSPECTOR, actor, open_session
from tests.web.conftest import csrf
from tracer.ledger.schema import ledger_entries
from tracer.platform.services import services


def _browser(api: Api, email: str) -> tuple[FlaskClient, dict[str, str]]:
    """A client signed in as ``email`` with a login session, and the CSRF header its API writes need."""
    browser = api.app.test_client()
    open_session(api.app, browser, actor(api.app, email).user_id)
    return browser, {"X-CSRFToken": csrf(browser, "/account/tokens")}


def test_token_lifecycle_over_the_api(api: Api) -> None:
    """A user signed in with a session makes a token (shown once), uses it, and revokes it; tokens, the
    user's own included, can neither make nor revoke tokens."""
    browser, header = _browser(api, GAC_PRODUCER)
    created = browser.post("/api/v1/tokens", json={"name": "điện thoại của Tâm"}, headers=header)
    assert created.status_code == 201 and created.headers["Cache-Control"] == "no-store"
    token = created.get_json()
    assert (
        token["token"].startswith("oct_")
        and token["name"] == "điện thoại của Tâm"
        and token["role"] == "producer"
    )
    mine = {"Authorization": f"Bearer {token['token']}"}
    assert api.client.get("/api/v1/zones", headers=mine).status_code == 200
    listed = api.get(GAC_PRODUCER, "/tokens").get_json()["items"]
    assert token["id"] in [t["id"] for t in listed]
    assert all("token" not in t for t in listed)  # shown once only
    inspector, inspector_header = _browser(api, INSPECTOR)
    assert inspector.delete(f"/api/v1/tokens/{token['id']}", headers=inspector_header).status_code == 404
    assert api.client.delete(f"/api/v1/tokens/{token['id']}", headers=mine).status_code == 403
    assert (
        api.client.delete(f"/api/v1/tokens/{token['id']}", headers=api.headers(GAC_PRODUCER)).status_code
        == 403
    )
    revoked = browser.delete(f"/api/v1/tokens/{token['id']}", headers=header)
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    refused = api.client.get("/api/v1/zones", headers=mine)
    assert refused.status_code == 401 and "revoked" in refused.get_json()["detail"]


def test_token_creation_validates(api: Api) -> None:
    before = api.size()
    browser, header = _browser(api, GAC_PRODUCER)
    assert browser.post("/api/v1/tokens", json={"name": ""}, headers=header).get_json()["field"] == "name"
    assert browser.post("/api/v1/tokens", json={"nam": "x"}, headers=header).get_json()["field"] == "nam"
    assert browser.post("/api/v1/tokens", json={"name": "x"}).status_code == 403  # no CSRF header
    assert api.post(None, "/tokens", {"name": "x"}).status_code == 401
    assert api.post(GAC_PRODUCER, "/tokens", {"name": "x"}).status_code == 403  # a token makes no token
    assert browser.delete("/api/v1/tokens/99999999999", headers=header).status_code == 404
    assert api.size() == before


def test_cli_token_create_prints_a_usable_token_last(demo_app: Flask) -> None:
    result = demo_app.test_cli_runner().invoke(args=["tracer", "token", "create", "--user", GAC_PRODUCER])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("oct_")
    response = demo_app.test_client().get("/api/v1/lots", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["items"]


def test_cli_token_create_unknown_user(demo_app: Flask) -> None:
    result = demo_app.test_cli_runner().invoke(args=["tracer", "token", "create", "--user", "ai@example.vn"])
    assert result.exit_code == 1 and "no user ai@example.vn" in result.output


def test_cli_ledger_verify_clean_then_tampered(demo_app: Flask, api: Api) -> None:
    runner = demo_app.test_cli_runner()
    clean = runner.invoke(args=["tracer", "ledger", "verify"])
    assert clean.exit_code == 0, clean.output
    assert f"ok: {api.size()} entries" in clean.output
    engine = services(demo_app).engine
    with engine.begin() as conn:
        raw = conn.execute(ledger_entries.select().where(ledger_entries.c.idx == 5)).one().envelope
        conn.execute(
            update(ledger_entries)
            .where(ledger_entries.c.idx == 5)
            .values(envelope=bytes(raw).replace(b'"payload":"', b'"payload":"A', 1))
        )
    tampered = runner.invoke(args=["tracer", "ledger", "verify"])
    assert tampered.exit_code == 1
    assert "error: entry 5:" in tampered.output


def test_cli_ledger_checkpoint(demo_app: Flask, api: Api) -> None:
    result = demo_app.test_cli_runner().invoke(args=["tracer", "ledger", "checkpoint"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == LOG_ORIGIN and lines[1] == str(api.size())
    assert result.output == api.get(None, "/ledger/checkpoint").get_data(as_text=True)
