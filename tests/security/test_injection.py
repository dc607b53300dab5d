"""Injection payloads in every text a producer, the programme office or an inspector can enter come out
escaped on every page that shows them (and CSV cells cannot start a formula)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlmodel import select

from tests.support.accounts import open_session
from tracer.accounts.actors import SYSTEM
from tracer.accounts.users import actor_for, create_user
from tracer.codes.gs1 import DigitalLink, build_uri
from tracer.events import commands as c
from tracer.events.dispatch import record
from tracer.events.onboarding import NewOrganisation, NewProduct, create_product, onboard_organisation
from tracer.models.accounts import Role, User
from tracer.models.lots import Package
from tracer.platform.db import writer

PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>"
UNIT = "<img src=x onerror=alert(2)>"  # a unit, and a net content a count of it (the mass balance)
RAW_MARKERS = ("<script>alert(1)", "<img src=x onerror")


@pytest.fixture
def hostile(demo_app):
    """An organisation whose every text field carries the payload, with a full journey to one package."""
    today = date.today()
    with demo_app.app_context(), writer() as session:
        org = onboard_organisation(
            session=session,
            actor=SYSTEM,
            command=NewOrganisation(
                name=f"HTX {PAYLOAD}",
                kind="htx",
                address=PAYLOAD,
                commune=f"Xã {PAYLOAD}",
                district=f"Huyện {PAYLOAD}",
                province="Trà Vinh",
                phone="0294",
                registration_no=PAYLOAD[:50],
            ),
        )
        product = create_product(
            session=session,
            actor=SYSTEM,
            organisation_id=org.id,
            command=NewProduct(
                name=f"Dầu {PAYLOAD}",
                ocop_group="thuc_pham",
                unit="chai",
                description=PAYLOAD,
                shelf_life_days=90,
            ),
        )
        user = create_user(
            session=session,
            email="hostile@example.vn",
            full_name=f"Chị {PAYLOAD}",
            role=Role.PRODUCER,
            password="hostile-password-1",
            organisation_id=org.id,
        )
        producer = actor_for(user)
        zone = record(
            session=session,
            actor=producer,
            command=c.RegisterZone(
                name=f"Vườn {PAYLOAD}",
                address=PAYLOAD,
                commune=f"Xã {PAYLOAD}",
                district="Càng Long",
                province="Trà Vinh",
                crop=PAYLOAD[:100],
                certifications=[PAYLOAD[:50]],
                latitude=Decimal("9.98"),
                longitude=Decimal("106.19"),
            ),
        ).body["zone"]
        raw = record(
            session=session,
            actor=producer,
            command=c.Harvest(
                zone_id=zone["id"],
                name=f"Quả {PAYLOAD}",
                quantity=Decimal("10"),
                unit=UNIT,
                harvested_on=today - timedelta(days=3),
            ),
        ).body["lot"]
        made = record(
            session=session,
            actor=producer,
            command=c.Transform(
                step=f"Ép {PAYLOAD}",
                facility=PAYLOAD,
                processed_on=today - timedelta(days=2),
                inputs=[c.TransformInput(lot_id=raw["id"], quantity=Decimal("10"))],
                outputs=[
                    c.TransformOutput(
                        name=f"Dầu {PAYLOAD}", quantity=Decimal("2"), unit=UNIT, product_id=product.id
                    )
                ],
            ),
        ).body["outputs"][0]
        record(
            session=session,
            actor=actor_for(session.exec(select(User).where(User.role == "authority")).first()),
            command=c.Certify(
                product_id=product.id,
                stars=4,
                decision_no=PAYLOAD[:100],
                issuing_level="tinh",
                issued_on=today - timedelta(days=10),
            ),
        )
        record(
            session=session,
            actor=producer,
            command=c.Package(
                lot_id=made["id"],
                product_id=product.id,
                count=2,
                net_content=f"1 {UNIT}",
                quantity_used=Decimal("2"),
                packed_on=today - timedelta(days=1),
            ),
        )
        record(
            session=session,
            actor=producer,
            command=c.Ship(
                lot_id=made["id"],
                shipped_on=today,
                sale_point=c.SalePoint(
                    name=f"Cửa hàng {PAYLOAD}", address=PAYLOAD, province=f"Trà Vinh {PAYLOAD}"
                ),
            ),
        )
        serial = session.exec(select(Package.serial).where(Package.lot_id == made["id"])).first()
        inspector = actor_for(session.exec(select(User).where(User.role == "inspector")).first())
        record(
            session=session,
            actor=inspector,
            command=c.Inspect(
                serial=serial, result="suspect", place=f"Chợ {PAYLOAD}", province=PAYLOAD[:100], notes=PAYLOAD
            ),
        )
        record(
            session=session, actor=producer, command=c.Recall(lot_ids=[made["id"]], reason=f"Lý do {PAYLOAD}")
        )
    return {"org": org.id, "lot": made["id"], "serial": serial, "user": user.id}


def _sign_in(app, client, role: str) -> None:
    with app.app_context(), writer() as session:
        user = (
            session.exec(select(User).where(User.role == role)).first()
            if role != "hostile"
            else session.exec(select(User).where(User.email == "hostile@example.vn")).one()
        )
    open_session(app, client, user.id)


def _assert_escaped(html: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, f"unescaped payload on {where}"


def test_every_page_escapes_entered_text(demo_app, hostile):
    pages = {
        "hostile": ["/console", f"/console/lots/{hostile['lot']}", "/console/ship", "/console/recall"],
        "authority": [
            "/programme",
            f"/programme/organisations/{hostile['org']}",
            "/programme/users",
            f"/programme/users/{hostile['user']}",
            "/programme/certificates",
        ],
        "inspector": ["/inspector"],
    }
    shown = 0
    for role, paths in pages.items():
        client = demo_app.test_client()
        _sign_in(demo_app, client, role)
        for path in paths:
            response = client.get(path, headers={"Accept": "text/html"})
            assert response.status_code == 200, path
            html = response.get_data(as_text=True)
            _assert_escaped(html, path)
            shown += "&lt;script&gt;alert(1)" in html
    assert shown >= 6  # the payload is really on those pages, escaped

    public = demo_app.test_client()
    origin = build_uri("", DigitalLink(None, None, hostile["serial"]))
    for path in (origin, origin + "?lang=en", "/scan"):
        html = public.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
        _assert_escaped(html, path)
    assert "&lt;script&gt;alert(1)" in public.get(origin, headers={"Accept": "text/html"}).get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "path",
    [
        "/p/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/01/08935049500018/21/%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E",
        "/khong-co/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/login?next=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ],
)
def test_reflected_input_is_escaped(demo_client, path):
    html = demo_client.get(path, headers={"Accept": "text/html"}).get_data(as_text=True)
    _assert_escaped(html, path)


def test_csv_exports_neutralise_formulas(demo_app, hostile):
    client = demo_app.test_client()
    _sign_in(demo_app, client, "inspector")
    response = client.get("/inspector/inspections.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Chợ <script>" in text  # CSV is data, not HTML: kept as entered
    for line in text.splitlines():
        for cell in line.split(","):
            assert not cell.strip('"').startswith(("=", "+", "@")), line
