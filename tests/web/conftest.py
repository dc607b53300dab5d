"""Helpers for the console tests: CSRF tokens from the pages, signing in as a demo account, ledger size."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import MultiDict

from tests.support.accounts import GAC_PRODUCER, password_of
from tracer.platform.services import services

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf(client: FlaskClient, path: str) -> str:
    """The CSRF token of the form on ``path`` (the session keeps the matching secret)."""
    html = client.get(path).get_data(as_text=True)
    found = _TOKEN.search(html)
    assert found, f"no CSRF token on {path}"
    return found.group(1) or found.group(2)


def post_form(client: FlaskClient, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """POST ``data`` to ``path`` with the page's CSRF token, as the browser would."""
    return client.post(path, data={"csrf_token": csrf(client, path), **data}, **kwargs)


_HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')
_ACTION = re.compile(r'<form method="post" action="([^"]*)">')


def confirm_page(response: Any) -> bool:
    """Whether ``response`` is the review step of a console form (``console/confirm.html``)."""
    return response.status_code == 200 and 'name="confirm" value="1"' in response.get_data(as_text=True)


def confirm(client: FlaskClient, response: Any, **kwargs: Any) -> Any:
    """Press "Confirm and sign" on the review page ``response``: re-post its hidden fields (the values
    checked, and its CSRF token) with ``confirm=1``, as the browser would."""
    html = response.get_data(as_text=True)
    review = html[html.index('<section class="card confirm">') :]
    action = _ACTION.search(review)
    assert action, review[:2000]
    fields: list[tuple[str, str]] = [(unescape(k), unescape(v)) for k, v in _HIDDEN.findall(review)]
    fields.append(("confirm", "1"))
    data = MultiDict(fields)
    return client.post(unescape(action.group(1)), data=data, **kwargs)


def save_form(client: FlaskClient, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
    """POST a console form as a person does: submit it and, when its review page comes back, confirm it
    (a refused submission comes back as the form with its errors, not reviewed)."""
    response = post_form(client, path, data, **kwargs)
    if confirm_page(response):
        assert 'id="summary"' in response.get_data(as_text=True)
        return confirm(client, response)
    return response


def sign_in(
    client: FlaskClient,
    email: str,
    password: str,
    next_: str | None = None,
    environ: dict[str, str] | None = None,
) -> Any:
    """POST the login form; ``environ`` sets the WSGI environment (``REMOTE_ADDR``: the client's address)."""
    data = {"email": email, "password": password}
    if next_:
        data["next"] = next_
    return post_form(client, "/login", data, environ_base=environ or {})


def ledger_size(client: FlaskClient) -> int:
    return int(client.get("/healthz").get_json()["ledger_size"])


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


@pytest.fixture
def producer(demo_client: FlaskClient, demo) -> FlaskClient:  # type: ignore[no-untyped-def]
    """The demo client signed in as the gấc producer of HTX Nông nghiệp Mỹ Cẩm."""
    response = sign_in(demo_client, GAC_PRODUCER, password_of(demo, GAC_PRODUCER))
    assert response.status_code == 302, text(response)
    return demo_client


def sign_in_as(client: FlaskClient, demo: Any, email: str) -> FlaskClient:
    response = sign_in(client, email, password_of(demo, email))
    assert response.status_code == 302, text(response)
    return client


def error_of(html: str, field_id: str) -> str:
    """The error text shown next to the field ``field_id`` ('' when there is none)."""
    found = re.search(rf'<p class="field-error" id="{re.escape(field_id)}-error">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


def general_error(html: str) -> str:
    """The form's general error (not tied to a field), '' when there is none."""
    found = re.search(r'<div class="alert" role="alert">(.*?)</div>', html, re.S)
    return found.group(1) if found else ""


def query(app: Any, statement: Any) -> list[Any]:
    """Rows of a select against the app's database (for finding demo ids and checking nothing was saved)."""
    from sqlmodel import Session

    with Session(services(app).engine) as session:
        return list(session.exec(statement))
