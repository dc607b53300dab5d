"""Bad input, each answered 4xx problem+json naming the field, with the ledger size unchanged."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.api.helpers import Api, day
from tests.support.accounts import GAC_PRODUCER, INSPECTOR
from tracer.models.accounts import ApiToken
from tracer.models.types import utcnow
from tracer.platform.db import writer


class Case:
    def __init__(
        self,
        body: Callable[[dict[str, str]], Any] | bytes | str,
        *,
        as_user: str | None = GAC_PRODUCER,
        content_type: str = "application/json",
        headers: Callable[[Api], dict[str, str]] | None = None,
    ) -> None:
        self.body, self.as_user, self.content_type, self.headers = body, as_user, content_type, headers


def harvest(ctx: dict[str, str], **changes: Any) -> dict[str, Any]:
    body = {
        "type": "harvest",
        "zone_id": ctx["zone"],
        "name": "Quả gấc",
        "quantity": "10",
        "unit": "kg",
        "harvested_on": day(),
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def process(ctx: dict[str, str], quantity: str) -> dict[str, Any]:
    """Pressing ``quantity`` of the demo's gấc oil lot into one output."""
    return {
        "type": "process",
        "step": "Ép",
        "processed_on": day(),
        "inputs": [{"lot_id": ctx["oil"], "quantity": quantity}],
        "outputs": [{"name": "x", "quantity": "1", "unit": "kg"}],
    }


def ship(lot: str, province: str = "Trà Vinh") -> dict[str, Any]:
    return {
        "type": "ship",
        "lot_id": lot,
        "shipped_on": day(),
        "sale_point": {"name": "Chợ", "province": province},
    }


def _revoked(api: Api) -> dict[str, str]:
    token = api.token(GAC_PRODUCER)
    with api.app.app_context(), writer() as session:
        from sqlmodel import select

        for row in session.exec(select(ApiToken)):
            row.revoked_at = utcnow()
            session.add(row)
    return {"Authorization": f"Bearer {token}"}


CASES = {
    "malformed JSON": (Case(b'{"type": "harvest", "zone_id": '), 400, "body"),
    "wrong content type": (Case(b'{"type": "harvest"}', content_type="text/plain"), 415, "Content-Type"),
    "form body": (
        Case(b"type=harvest", content_type="application/x-www-form-urlencoded"),
        415,
        "Content-Type",
    ),
    "empty body": (Case(b""), 400, "body"),
    "not an object": (Case(b"42"), 422, None),
    "batch of non-objects": (Case(b"[1, 2]"), 422, "[0]"),
    "empty batch": (Case(b"[]"), 422, "body"),
    "batch over 100 events": (Case(lambda c: [harvest(c, name=f"Mẻ {n}") for n in range(101)]), 422, "body"),
    "batch: one invalid event": (
        Case(lambda c: [harvest(c), harvest(c, quantity="-5")]),
        422,
        "[1].quantity",
    ),
    "batch: one overdraw after a good event": (
        Case(
            lambda c: [
                harvest(c),
                process(c, "100000"),
            ]
        ),
        409,
        "[1].inputs[0].quantity",
    ),
    "batch: another organisation's lot": (
        Case(
            lambda c: [
                harvest(c),
                harvest(c),
                ship(c["cacao"]),
            ]
        ),
        404,
        "[2].lot_id",
    ),
    "too deep": (Case(b'{"type": "harvest", "name": ' + b"[" * 40 + b"]" * 40 + b"}"), 400, "body"),
    "duplicate key": (Case(b'{"type": "harvest", "type": "ship"}'), 400, "type"),
    "NaN": (Case(b'{"type": "harvest", "quantity": NaN}'), 400, "body"),
    "NUL in text": (Case(lambda c: harvest(c, name="Qu\x00a")), 422, "name"),
    "missing type": (Case(lambda c: {"name": "x"}), 422, "type"),
    "unknown type": (Case(lambda c: harvest(c, type="bake")), 422, "type"),
    "missing field": (Case(lambda c: harvest(c, quantity=None)), 422, "quantity"),
    "unknown field": (Case(lambda c: harvest(c, colour="đỏ")), 422, "colour"),
    "negative quantity": (Case(lambda c: harvest(c, quantity="-5")), 422, "quantity"),
    "zero quantity": (Case(lambda c: harvest(c, quantity=0)), 422, "quantity"),
    "non-numeric quantity": (Case(lambda c: harvest(c, quantity="mười")), 422, "quantity"),
    "bad date": (Case(lambda c: harvest(c, harvested_on="31/02/2024")), 422, "harvested_on"),
    "date in the future": (Case(lambda c: harvest(c, harvested_on=day(3))), 422, "harvested_on"),
    "nested field": (
        Case(lambda c: process(c, "abc")),
        422,
        "inputs[0].quantity",
    ),
    "overdraw": (
        Case(lambda c: process(c, "100000")),
        409,
        "inputs[0].quantity",
    ),
    "another organisation's lot": (
        Case(lambda c: ship(c["cacao"])),
        404,
        "lot_id",
    ),
    "unknown zone": (Case(lambda c: harvest(c, zone_id="ZNOSUCHZONE")), 404, "zone_id"),
    "unknown product": (
        Case(
            lambda c: {
                "type": "package",
                "lot_id": c["oil"],
                "product_id": 99999,
                "count": 2,
                "net_content": "1 l",
                "packed_on": day(),
            }
        ),
        404,
        "product_id",
    ),
    "recalled lot": (
        Case(
            lambda c: ship(c["sausage"], "Long An"),
            as_user="laxuong.canduoc@example.vn",
        ),
        409,
        "lot_id",
    ),
    "missing token": (Case(lambda c: harvest(c), as_user=None), 401, None),
    "malformed token": (
        Case(lambda c: harvest(c), as_user=None, headers=lambda a: {"Authorization": "Bearer nope"}),
        401,
        None,
    ),
    "revoked token": (Case(lambda c: harvest(c), as_user=None, headers=_revoked), 401, None),
    "role not allowed": (Case(lambda c: harvest(c), as_user=INSPECTOR), 403, None),
    "idempotency key too long": (
        Case(
            lambda c: harvest(c),
            headers=lambda a: {
                "Idempotency-Key": "k" * 201,
                "Authorization": f"Bearer {a.token(GAC_PRODUCER)}",
            },
        ),
        400,
        "Idempotency-Key",
    ),
}


@pytest.fixture
def context(api: Api, demo: Any) -> dict[str, str]:
    return {
        "zone": api.get(GAC_PRODUCER, "/zones").get_json()["items"][0]["id"],
        "oil": demo.lots["gac_oil"],
        "cacao": demo.lots["cacao_powder"],
        "sausage": demo.lots["sausage_recalled"],
    }


@pytest.mark.parametrize(("case", "status", "field"), CASES.values(), ids=CASES.keys())
def test_bad_input_is_refused_and_stores_nothing(
    api: Api, context: dict[str, str], case: Case, status: int, field: str | None
) -> None:
    headers = case.headers(api) if case.headers else api.headers(case.as_user)
    body = case.body(context) if callable(case.body) else case.body
    data = body if isinstance(body, bytes) else __import__("json").dumps(body).encode()
    before = api.size()
    response = api.client.post(
        "/api/v1/events", data=data, headers={**headers, "Content-Type": case.content_type}
    )
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    assert problem.get("field") == field, problem
    assert "Traceback" not in response.get_data(as_text=True)
    assert api.size() == before


def test_malformed_json_names_the_position(api: Api) -> None:
    response = api.client.post(
        "/api/v1/events",
        data=b'{\n  "type": "harvest",\n  "quantity": 1.2.3\n}',
        headers=api.headers(GAC_PRODUCER, **{"Content-Type": "application/json"}),
    )
    assert response.status_code == 400
    assert "line 3, column" in response.get_json()["detail"]


def test_body_over_one_megabyte_is_413_and_stores_nothing(api: Api, context: dict[str, str]) -> None:
    before = api.size()
    body = harvest(context, name="x" * 1_100_000)
    response = api.post(GAC_PRODUCER, "/events", body)
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
    assert api.size() == before


def test_session_cookie_write_needs_csrf_token(demo_app: Flask, demo: Any, context: dict[str, str]) -> None:
    from tests.support.accounts import actor, open_session

    client = demo_app.test_client()
    open_session(demo_app, client, actor(demo_app, GAC_PRODUCER).user_id)
    assert actor(demo_app, GAC_PRODUCER).organisation_id is not None
    response = client.post("/api/v1/events", json=harvest(context))
    assert response.status_code == 403
    assert "CSRF" in response.get_json()["detail"]
