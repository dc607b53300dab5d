"""Who may make API tokens, and how sessions end (issue #18, each reproduction as a test).

Reproduced before: the programme office minted a token for an inspector (and so could sign inspections
with the inspector's key); a bearer token minted new tokens and the child revoked its parent; tokens
survived a password change; a session cookie replayed after /logout still opened /console.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlmodel import Session

from tests.support.accounts import ADMIN, AUTHORITY, GAC_PRODUCER, INSPECTOR, actor, api_token, password_of
from tests.web.conftest import csrf, post_form, query, sign_in_as, text
from tracer.models.accounts import ApiToken, LoginSession, User
from tracer.models.types import utcnow
from tracer.platform.services import services


def _count(app, model) -> int:
    with Session(services(app).engine) as session:
        return int(session.execute(select(func.count()).select_from(model)).scalar_one())


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("office", [AUTHORITY, ADMIN])
def test_the_office_and_admin_cannot_make_tokens_for_others(demo_app, demo, office):
    client = sign_in_as(demo_app.test_client(), demo, office)
    inspector = actor(demo_app, INSPECTOR)
    page = text(client.get(f"/programme/users/{inspector.user_id}"))
    assert f"/programme/users/{inspector.user_id}/tokens" not in page  # not offered
    before = _count(demo_app, ApiToken)
    refused = client.post(
        f"/programme/users/{inspector.user_id}/tokens",
        data={"csrf_token": csrf(client, "/programme"), "name": "x"},
    )
    assert refused.status_code == 403
    assert "Mã truy cập API là của riêng từng người" in text(refused)
    english = client.post(
        f"/programme/users/{inspector.user_id}/tokens?lang=en",
        data={"csrf_token": csrf(client, "/programme"), "name": "x"},
    )
    assert english.status_code == 403
    assert "API tokens are personal" in text(english)
    assert _count(demo_app, ApiToken) == before
    # the API has no way to name another user: a token made there is always the maker's own
    made = client.post("/api/v1/tokens", json={"name": "mine", "user_id": inspector.user_id},
                       headers={"X-CSRFToken": csrf(client, "/account/tokens")})  # fmt: skip
    assert made.status_code == 422 and made.get_json()["field"] == "user_id"
    assert _count(demo_app, ApiToken) == before


def test_a_token_cannot_make_or_revoke_tokens(demo_app, demo):
    """The reproduction: a token minted a child, and the child revoked its parent. Now both get 403, nothing
    changes, and the token cannot open the tokens page either."""
    parent = api_token(demo_app, GAC_PRODUCER)
    client = demo_app.test_client()
    before = _count(demo_app, ApiToken)
    child = client.post("/api/v1/tokens", json={"name": "con"}, headers=_bearer(parent))
    assert child.status_code == 403
    assert child.mimetype == "application/problem+json"
    assert (
        child.get_json()["detail"] == "an API token cannot make tokens: sign in with a password to make one"
    )
    assert _count(demo_app, ApiToken) == before

    browser = sign_in_as(demo_app.test_client(), demo, GAC_PRODUCER)
    made = post_form(browser, "/account/tokens", {"name": "Phần mềm kho"})
    assert made.status_code == 200
    other = re.search(r'id="secret">(oct_[^<]+)<', text(made)).group(1)
    other_id = query(demo_app, select(ApiToken).where(ApiToken.name == "Phần mềm kho"))[0][0].id
    parent_id = query(demo_app, select(ApiToken).where(ApiToken.name == "test"))[0][0].id
    for victim in (parent_id, other_id):
        revoked = client.delete(f"/api/v1/tokens/{victim}", headers=_bearer(other))
        assert revoked.status_code == 403
        assert "cannot revoke tokens" in revoked.get_json()["detail"]
    assert client.delete(f"/api/v1/tokens/{other_id}", headers=_bearer(other)).status_code == 403
    assert client.get("/api/v1/zones", headers=_bearer(parent)).status_code == 200
    assert client.get("/api/v1/zones", headers=_bearer(other)).status_code == 200
    assert client.get("/account/tokens", headers=_bearer(parent)).status_code == 403
    assert client.post("/account/tokens", headers=_bearer(parent), data={"name": "x"}).status_code in (
        400,
        403,
    )
    assert _count(demo_app, ApiToken) == before + 1


def test_the_tokens_page_makes_shows_once_and_revokes(demo_app, demo):
    browser = sign_in_as(demo_app.test_client(), demo, INSPECTOR)
    made = post_form(browser, "/account/tokens", {"name": "Máy quét cầm tay"})
    assert made.status_code == 200
    plaintext = re.search(r'id="secret">(oct_[^<]+)<', text(made)).group(1)
    api = demo_app.test_client()
    assert api.get("/api/v1/zones", headers=_bearer(plaintext)).status_code in (
        200,
        403,
    )  # known, role-checked
    assert api.get("/inspector", headers=_bearer(plaintext)).status_code == 200
    page = text(browser.get("/account/tokens"))
    assert "Máy quét cầm tay" in page and plaintext not in page  # shown once
    revoke = re.search(r'action="(/account/tokens/\d+/revoke)"', page).group(1)
    answer = browser.post(revoke, data={"csrf_token": csrf(browser, "/account/tokens")})
    assert answer.status_code == 302
    assert api.get("/inspector", headers=_bearer(plaintext)).status_code in (302, 401)
    refused = api.get("/api/v1/zones", headers=_bearer(plaintext))
    assert refused.status_code == 401 and "revoked" in refused.get_json()["detail"]
    empty = post_form(browser, "/account/tokens", {"name": ""})
    assert empty.status_code == 422


def test_a_password_change_revokes_tokens_and_ends_other_sessions(demo_app, demo):
    password = password_of(demo, GAC_PRODUCER)
    here = sign_in_as(demo_app.test_client(), demo, GAC_PRODUCER)
    elsewhere = sign_in_as(demo_app.test_client(), demo, GAC_PRODUCER)
    token = api_token(demo_app, GAC_PRODUCER)
    api = demo_app.test_client()
    assert api.get("/api/v1/zones", headers=_bearer(token)).status_code == 200
    done = post_form(
        here,
        "/account/password",
        {"current_password": password, "password": "mat-khau-moi-2026", "confirm": "mat-khau-moi-2026"},
    )
    assert done.status_code == 200
    assert "các mã truy cập API của bạn đã bị thu hồi" in text(done)
    refused = api.get("/api/v1/zones", headers=_bearer(token))
    assert refused.status_code == 401 and "revoked" in refused.get_json()["detail"]
    assert elsewhere.get("/console").status_code == 302  # that session ended on the server
    assert here.get("/console").status_code == 200  # the one that changed it goes on
    user_id = actor(demo_app, GAC_PRODUCER).user_id
    rows = query(demo_app, select(LoginSession).where(LoginSession.user_id == user_id))
    assert len(rows) == 1
    live = query(demo_app, select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None)))
    assert live == []


def test_a_cookie_replayed_after_logout_is_refused(demo_app, demo):
    browser = sign_in_as(demo_app.test_client(), demo, GAC_PRODUCER)
    assert browser.get("/console").status_code == 200
    kept = browser.get_cookie("session").value  # what an eavesdropper or a shared computer keeps
    assert browser.post("/logout", data={"csrf_token": csrf(browser, "/console")}).status_code == 302
    replay = demo_app.test_client()
    replay.set_cookie("session", kept)
    response = replay.get("/console")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    api = replay.get("/api/v1/zones")
    assert api.status_code == 401
    assert _count(demo_app, LoginSession) == 0


def test_sessions_live_in_the_database(demo_app, demo):
    """Deleting a session's row ends it; one older than 12 hours is refused whatever the cookie says; a cookie
    of the old form (user id and a password-hash stamp, no session key) opens nothing."""
    first = sign_in_as(demo_app.test_client(), demo, GAC_PRODUCER)
    second = sign_in_as(demo_app.test_client(), demo, INSPECTOR)
    engine = services(demo_app).engine
    user_id = actor(demo_app, GAC_PRODUCER).user_id
    with engine.begin() as conn:
        conn.execute(LoginSession.__table__.delete().where(LoginSession.__table__.c.user_id == user_id))
        conn.execute(update(LoginSession).values(created_at=utcnow() - timedelta(hours=12, seconds=1)))
    assert first.get("/console").status_code == 302
    assert second.get("/inspector").status_code == 302

    old_form = demo_app.test_client()
    with Session(engine) as session:
        user = session.get(User, user_id)
        assert user is not None
        stamp = user.password_hash[-16:]
    with old_form.session_transaction() as cookie:
        cookie["uid"], cookie["pw"] = user_id, stamp
    assert old_form.get("/console").status_code == 302
    with old_form.session_transaction() as cookie:
        cookie["uid"], cookie["sk"] = user_id, "A" * 43  # a guessed key
    assert old_form.get("/console").status_code == 302
