"""Scan counting, the copy warning, flood capping, locations, anomalies; the origin page's states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import close_app, make_settings
from tests.resolver.conftest import packages, scan_rows
from tracer import create_app
from tracer.accounts.actors import SYSTEM
from tracer.accounts.users import actor_for, create_user
from tracer.events import commands as c
from tracer.events.dispatch import record
from tracer.events.onboarding import NewOrganisation, NewProduct, create_product, onboard_organisation
from tracer.events.rules import today
from tracer.models.accounts import Role
from tracer.models.organisations import Organisation
from tracer.platform import db
from tracer.scans import anomalies
from tracer.scans import recorder as scans

VISIT = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}  # a person opening the page


def _get(client, path, address, **headers):
    return client.get(path, environ_base={"REMOTE_ADDR": address}, headers={**VISIT, **headers})


@pytest.fixture
def limited_app(demo_database_url, tmp_path: Path):
    application = create_app(
        make_settings(demo_database_url, tmp_path / "instance", scan_warning_threshold=3)
    )
    yield application
    close_app(application)


def test_n_scans_from_n_visitors_show_n_times(demo_client, demo_app, gac):
    for i in range(5):
        html = _get(demo_client, gac.path, f"10.0.0.{i + 1}").get_data(as_text=True)
    day = datetime.now(UTC).astimezone(scans_tz()).strftime("%d/%m/%Y")
    assert f"Đã quét 5 lần, lần đầu ngày {day}" in html
    with demo_app.app_context():
        scans.flush()
    html = _get(demo_client, gac.path + "?lang=en", "10.0.0.9").get_data(as_text=True)
    assert "Scanned 6 times, first on" in html


def scans_tz():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Ho_Chi_Minh")


def test_same_visitor_counts_once_per_hour(demo_client, demo_app, gac):
    for _ in range(3):
        html = _get(demo_client, gac.path, "10.1.1.1").get_data(as_text=True)
    assert "Đã quét 1 lần" in html
    assert len(scan_rows(demo_app, serial=gac.serial)) == 3  # every resolution is recorded, counted once


def test_warning_past_the_threshold(limited_app, gac):
    client = limited_app.test_client()
    for i in range(3):
        html = _get(client, gac.path, f"10.2.{i}.1").get_data(as_text=True)
        with limited_app.app_context():
            scans.flush()  # the warning reads written sources
    assert "Mã này có thể đã bị sao chép" not in html
    html = _get(client, gac.path, "10.2.99.1").get_data(as_text=True)
    with limited_app.app_context():
        scans.flush()
    html = _get(client, gac.path, "10.2.99.1").get_data(as_text=True)
    assert "Đã quét 4 lần" in html
    assert "Mã này có thể đã bị sao chép" in html
    assert "không được ký" in html  # marked as unsigned advice
    with limited_app.app_context():
        found = anomalies.anomalies(db.session()).rows
    assert [(a.kind, a.serial, a.count) for a in found if a.kind == "over_scanned"] == [
        ("over_scanned", gac.serial, 4)
    ]


def test_a_flood_from_one_client_is_capped(demo_client, demo_app, gac):
    for _ in range(scans.BURST + 40):
        html = _get(demo_client, gac.path, "10.3.3.3").get_data(as_text=True)
    assert "Đã quét 1 lần" in html
    assert "Mã này có thể đã bị sao chép" not in html
    recorded = scan_rows(demo_app, serial=gac.serial)
    assert scans.BURST <= len(recorded) <= scans.BURST + 2  # the burst, and what refilled meanwhile
    assert _get(demo_client, gac.path, "10.3.3.4").status_code == 200  # others are not affected
    assert len(scan_rows(demo_app, serial=gac.serial)) == len(recorded) + 1


def test_location_needs_a_scan_and_numbers(demo_client, gac):
    none_yet = demo_client.post(
        f"/p/{gac.serial}/location",
        json={"latitude": 10, "longitude": 106},
        environ_base={"REMOTE_ADDR": "10.5.0.1"},
        headers={"Accept": "application/json"},
    )
    assert none_yet.status_code == 422
    _get(demo_client, gac.path, "10.5.0.1")
    bad = demo_client.post(
        f"/p/{gac.serial}/location",
        json={"latitude": "north", "longitude": 106},
        environ_base={"REMOTE_ADDR": "10.5.0.1"},
        headers={"Accept": "application/json"},
    )
    assert bad.status_code == 422 and bad.get_json()["field"] == "latitude"


def test_anomalies_for_inspectors_and_producers(demo_client, demo_app, demo, gac, sausage):
    _get(demo_client, "/01/08935049500018/10/LFAKE00001/21/AAAAAAAAAAAA", "10.6.0.1")
    _get(demo_client, "/01/08935049500018/10/LFAKE00001/21/BBBBBBBBBBBB", "10.6.1.1")
    _get(demo_client, sausage.path, "10.6.0.2")
    with demo_app.app_context():
        scans.flush()
        session = db.session()
        everything = anomalies.anomalies(session)
        kinds = {a.kind for a in everything.rows}
        assert {"unknown_code", "recalled_scanned"} <= kinds
        assert everything.total == len(everything.rows) and everything.pages == 1
        [unknown] = [a for a in everything.rows if a.kind == "unknown_code"]  # both codes: one row
        assert unknown.product_name == "Dầu gấc Mỹ Cẩm" and unknown.province == "Trà Vinh"
        assert (unknown.codes, unknown.count) == (2, 2)
        assert set(unknown.examples) == {
            "/01/08935049500018/10/LFAKE00001/21/AAAAAAAAAAAA",
            "/01/08935049500018/10/LFAKE00001/21/BBBBBBBBBBBB",
        }
        assert {a.kind for a in anomalies.anomalies(session, province="Long An").rows} == {"recalled_scanned"}
        mine = anomalies.anomalies(session, organisation_id=unknown.organisation_id).rows
        assert {a.kind for a in mine} == {"unknown_code"}
        future = datetime.now(UTC) + timedelta(hours=1)
        assert anomalies.anomalies(session, since=future).rows == []
        assert anomalies.anomalies(session, since=future).total == 0
        assert len(anomalies.anomalies(session, until=future).rows) == len(everything.rows)


def test_expired_certificate_shows_no_stars(demo_client, demo_app, demo):
    lychee = packages(demo_app, demo.lots["lychee"])[0]
    html = demo_client.get(f"/p/{lychee.serial}").get_data(as_text=True)
    assert "Giấy chứng nhận OCOP đã hết hiệu lực" in html
    assert "★" not in html
    assert "Vải thiều sấy khô Lục Ngạn" in html


def test_english_on_request(demo_client, gac):
    html = demo_client.get(gac.path + "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Journey" in html and "OCOP 4 stars" in html
    html = demo_client.get(gac.path, headers={"Accept-Language": "en-US,en;q=0.8"}).get_data(as_text=True)
    assert "Product origin" in html
    assert "Hành trình" in demo_client.get(gac.path).get_data(as_text=True)


def test_cached_journey_follows_a_recall(demo_client, demo_app, demo, gac):
    assert "Sản phẩm đã bị thu hồi" not in demo_client.get(gac.path).get_data(as_text=True)
    from tests.support.accounts import GAC_PRODUCER, actor

    producer = actor(demo_app, GAC_PRODUCER)
    with demo_app.app_context(), db.writer() as session:
        record(
            session=session,
            actor=producer,
            command=c.Recall(lot_ids=[demo.lots["gac_fruit"]], reason="Kiểm tra phát hiện nấm mốc"),
        )
    html = demo_client.get(gac.path).get_data(as_text=True)
    assert "Sản phẩm đã bị thu hồi" in html and "Kiểm tra phát hiện nấm mốc" in html


PAYLOAD = "<script>alert('x')</script>\"'><img src=x onerror=alert(1)>"
UNIT = "<img src=x onerror=alert(1)>"  # a unit and a net content are a count of it (the mass balance)


def test_producer_text_is_escaped_everywhere(demo_client, demo_app):
    with demo_app.app_context(), db.writer() as session:
        org = onboard_organisation(
            session=session,
            actor=SYSTEM,
            command=NewOrganisation(
                name="HTX " + PAYLOAD,
                kind="htx",
                commune="Xã " + PAYLOAD,
                district="Huyện " + PAYLOAD,
                province="Trà Vinh",
                address=PAYLOAD,
                phone="0294 <b>1</b>",
                email="a@b.vn",
            ),
        )
        assert isinstance(org, Organisation) and org.id is not None
        product = create_product(
            session=session,
            actor=SYSTEM,
            organisation_id=org.id,
            command=NewProduct(
                name="Sản phẩm " + PAYLOAD,
                ocop_group="thuc_pham",
                unit="hộp",
                description=PAYLOAD,
                gtin="8935049500049",
            ),
        )
        user = create_user(
            session=session,
            email="xss@example.vn",
            full_name=PAYLOAD,
            role=Role.PRODUCER,
            password="a-long-password-1",
            organisation_id=org.id,
        )
        producer = actor_for(user)
        day = today() - timedelta(days=5)
        zone = record(
            session=session,
            actor=producer,
            command=c.RegisterZone(
                name="Vùng " + PAYLOAD,
                address=PAYLOAD,
                commune=PAYLOAD,
                district=PAYLOAD,
                province=PAYLOAD,
                crop=PAYLOAD,
                certifications=[PAYLOAD[:50]],
                latitude=Decimal("10.1"),
                longitude=Decimal("106.2"),
                polygon={
                    "type": "Polygon",
                    "coordinates": [[[106.2, 10.1], [106.3, 10.1], [106.3, 10.2], [106.2, 10.1]]],
                    "name": PAYLOAD,
                },
            ),
        ).body["zone"]
        raw = record(
            session=session,
            actor=producer,
            command=c.Harvest(
                zone_id=zone["id"], name=PAYLOAD, quantity=Decimal("10"), unit=UNIT, harvested_on=day
            ),
        ).body
        made = record(
            session=session,
            actor=producer,
            command=c.Transform(
                step=PAYLOAD,
                facility=PAYLOAD,
                processed_on=day,
                inputs=[c.TransformInput(lot_id=raw["lot"]["id"], quantity=Decimal("10"))],
                outputs=[
                    c.TransformOutput(name=PAYLOAD, quantity=Decimal("5"), unit=UNIT, product_id=product.id)
                ],
            ),
        ).body["outputs"][0]
        record(
            session=session,
            actor=producer,
            command=c.Package(
                lot_id=made["id"], product_id=product.id, count=2, net_content=f"1 {UNIT}", packed_on=day
            ),
        )
        record(
            session=session,
            actor=producer,
            command=c.Ship(
                lot_id=made["id"],
                shipped_on=day,
                sale_point=c.SalePoint(name=PAYLOAD, address=PAYLOAD, province=PAYLOAD),
            ),
        )
    pkg = packages(demo_app, made["id"])[0]
    for lang in ("vi", "en"):
        html = demo_client.get(f"{pkg.path}?lang={lang}").get_data(as_text=True)
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "onerror=alert(1)>" not in html
        assert "&lt;script&gt;alert(" in html
        assert "<b>1</b>" not in html
        assert html.count("<script") == 1  # our own deferred origin.js, nothing else
    linkset = demo_client.get(pkg.path + "?linkType=linkset")
    assert linkset.mimetype == "application/linkset+json"  # data, never rendered as HTML (nosniff)
    assert PAYLOAD in linkset.get_json()["linkset"][0]["https://gs1.org/voc/defaultLink"][0]["title"]
