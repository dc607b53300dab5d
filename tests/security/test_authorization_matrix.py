"""The authorisation matrix: every write route x every role x own or another organisation's data.

API events are checked with real bodies (a producer acting on its own data succeeds, on another
organisation's data gets 404, other roles 403, nobody 401). Web write routes are checked for who may reach
them at all (CSRF is switched off here: it has tests of its own); the rules behind them are the same domain
functions.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from tests.support.accounts import ADMIN, AUTHORITY, GAC_PRODUCER, INSPECTOR, bearer, open_session
from tests.web.conftest import csrf
from tracer.models.accounts import User
from tracer.models.lots import Lot, Package
from tracer.models.organisations import Organisation
from tracer.models.products import Product
from tracer.models.zones import Zone
from tracer.platform.db import writer

ROLES = {"producer": GAC_PRODUCER, "inspector": INSPECTOR, "authority": AUTHORITY, "admin": ADMIN}
OWN_ORG = "Hợp tác xã Nông nghiệp Mỹ Cẩm"
OTHER_ORG = "Hợp tác xã Nghệ Cầu Kè"


def _resources(app) -> dict[str, dict[str, object]]:
    """Ids of an active processed lot, a zone, a product and a package of each side."""
    found: dict[str, dict[str, object]] = {}
    with app.app_context(), writer() as session:
        for side, name in (("own", OWN_ORG), ("other", OTHER_ORG)):
            org = session.exec(select(Organisation).where(Organisation.name == name)).one()
            lot = session.exec(
                select(Lot).where(
                    Lot.organisation_id == org.id, Lot.status == "active", Lot.product_id.is_not(None)
                )
            ).first()  # type: ignore[union-attr]
            zone = session.exec(select(Zone).where(Zone.organisation_id == org.id)).first()
            product = session.exec(select(Product).where(Product.organisation_id == org.id)).first()
            package = session.exec(select(Package).where(Package.lot_id == lot.id)).first()
            found[side] = {
                "lot": lot.id,
                "zone": zone.id,
                "product": product.id,
                "serial": package.serial,
                "org": org.id,
            }
    return found


def _body(kind: str, side: dict[str, object], today: str) -> dict[str, object]:
    return {
        "zone.register": {
            "type": "zone.register",
            "name": "Vườn thử",
            "commune": "Xã Mỹ Cẩm",
            "district": "Huyện Càng Long",
            "province": "Trà Vinh",
            "crop": "Gấc",
        },
        "harvest": {
            "type": "harvest",
            "zone_id": side["zone"],
            "name": "Quả gấc",
            "quantity": "1",
            "unit": "kg",
            "harvested_on": today,
        },
        "process": {
            "type": "process",
            "step": "Lọc",
            "processed_on": today,
            "inputs": [{"lot_id": side["lot"], "quantity": "1"}],
            "outputs": [{"name": "Dầu lọc", "quantity": "1", "unit": "lít"}],
        },
        "package": {
            "type": "package",
            "lot_id": side["lot"],
            "product_id": side["product"],
            "count": 2,
            "net_content": "100 ml",
            "quantity_used": "1",
            "packed_on": today,
        },
        "ship": {
            "type": "ship",
            "lot_id": side["lot"],
            "shipped_on": today,
            "sale_point": {"name": "Cửa hàng OCOP", "province": "Trà Vinh"},
        },
        "recall": {"type": "recall", "lot_ids": [side["lot"]], "reason": "Kiểm tra chất lượng"},
        "certify": {
            "type": "certify",
            "product_id": side["product"],
            "stars": 4,
            "decision_no": "1/QĐ-UBND",
            "issuing_level": "tinh",
            "issued_on": today,
        },
        "inspect": {"type": "inspect", "serial": side["serial"], "result": "pass", "place": "Chợ Trà Vinh"},
    }[kind]


# Who may record what (DESIGN.md roles): producers their own organisation's events; the authority certifies
# and may recall anything; inspectors inspect; admins certify (programme office duties).
ALLOWED = {
    "zone.register": {"producer"},
    "harvest": {"producer"},
    "process": {"producer"},
    "package": {"producer"},
    "ship": {"producer"},
    "recall": {"producer", "authority"},
    "certify": {"authority", "admin"},
    "inspect": {"inspector"},
}
ORG_SCOPED = {"harvest", "process", "package", "ship", "recall"}


CELLS = [(kind, role, "own") for kind in sorted(ALLOWED) for role in [*ROLES, "anonymous"]] + [
    (kind, "producer", "other") for kind in sorted(ORG_SCOPED)
]


@pytest.mark.parametrize(("kind", "role", "side"), CELLS)
def test_event_matrix(demo_app, kind, role, side):
    resources = _resources(demo_app)
    headers = bearer(demo_app, ROLES[role]) if role != "anonymous" else {}
    client = demo_app.test_client()
    size_before = client.get("/healthz").get_json()["ledger_size"]
    response = client.post(
        "/api/v1/events", json=_body(kind, resources[side], date.today().isoformat()), headers=headers
    )
    size_after = client.get("/healthz").get_json()["ledger_size"]
    if role == "anonymous":
        expected = 401
    elif role not in ALLOWED[kind]:
        expected = 403
    elif side == "other" and role == "producer":
        expected = 404
    else:
        expected = 201
    assert response.status_code == expected, response.get_json()
    assert size_after == size_before + (1 if expected == 201 else 0)
    if expected != 201:
        assert response.mimetype == "application/problem+json"


WEB_ROUTES = {
    "/console/zones": {"producer"},
    "/console/harvest": {"producer"},
    "/console/harvest/import": {"producer"},
    "/console/receive": {"producer"},
    "/console/process": {"producer"},
    "/console/package": {"producer"},
    "/console/ship": {"producer"},
    "/console/recall": {"producer"},
    "/programme/organisations/new": {"authority", "admin"},
    "/programme/users": {"authority", "admin"},
    "/programme/inspectors/new": {"authority", "admin"},
    "/programme/certificates": {"authority", "admin"},
    "/programme/organisations/{org}/products": {"authority", "admin"},
    "/programme/organisations/{org}/rotate-key": {"authority", "admin"},
    "/scan/photos": {"inspector"},
    "/account/password": {"producer", "inspector", "authority", "admin"},
    "/account/tokens": {"producer", "inspector", "authority", "admin"},
    "/programme/users/1/tokens": set(),  # nobody makes tokens for someone else, the office neither
}


def _sign_in(app, client, email: str) -> None:
    with app.app_context(), writer() as session:
        user = session.exec(select(User).where(User.email == email)).one()
    open_session(app, client, user.id)


@pytest.mark.parametrize("route", sorted(WEB_ROUTES))
@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_web_write_routes_by_role(demo_app, route, role):
    demo_app.config["WTF_CSRF_ENABLED"] = False
    resources = _resources(demo_app)
    client = demo_app.test_client()
    if role != "anonymous":
        _sign_in(demo_app, client, ROLES[role])
    path = route.format(org=resources["own"]["org"])
    response = client.post(path, data={}, headers={"Accept": "text/html"})
    if role == "anonymous":
        assert response.status_code in (401, 302, 403)
        if response.status_code == 302:
            assert "/login" in response.headers["Location"]
    elif role in WEB_ROUTES[route]:
        assert response.status_code not in (401, 403), response.status_code
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", [*ROLES, "anonymous"])
def test_token_routes_by_role(demo_app, role):
    """Every role makes and revokes its own tokens, signed in with a session; a bearer token gets 403 for
    both (it cannot make itself new ones nor revoke its owner's others); nobody revokes another's token."""
    client = demo_app.test_client()
    if role == "anonymous":
        assert client.post("/api/v1/tokens", json={"name": "matrix"}).status_code == 401
        return
    headers = bearer(demo_app, ROLES[role])
    minted = client.post("/api/v1/tokens", json={"name": "matrix"}, headers=headers)
    assert minted.status_code == 403
    assert "cannot make tokens" in minted.get_json()["detail"]
    browser = _browser(demo_app, ROLES[role])
    created = browser.post("/api/v1/tokens", json={"name": "matrix"}, headers=_csrf_header(browser))
    assert created.status_code == 201
    token_id = created.get_json()["id"]
    other = _browser(demo_app, INSPECTOR if role != "inspector" else GAC_PRODUCER)
    assert other.delete(f"/api/v1/tokens/{token_id}", headers=_csrf_header(other)).status_code == 404
    by_token = client.delete(f"/api/v1/tokens/{token_id}", headers=headers)
    assert by_token.status_code == 403
    assert "cannot revoke tokens" in by_token.get_json()["detail"]
    assert browser.delete(f"/api/v1/tokens/{token_id}", headers=_csrf_header(browser)).status_code == 200


def _browser(app, email: str):
    client = app.test_client()
    _sign_in(app, client, email)
    return client


def _csrf_header(client) -> dict[str, str]:
    return {"X-CSRFToken": csrf(client, "/account/tokens")}
