"""The identifiers of EPCIS documents that are not GS1 keys, ``/id/lot/{lot}``, ``/id/zone/{zone}`` and
``/id/org/{id}``, dereference: a page or JSON-LD showing only what the origin pages show, 404 for an unknown
identifier, 400 for a malformed one, never a scan, never the package fast path. Both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update
from sqlmodel import col, select

from tests.resolver.conftest import count_scans, packages
from tests.resolver.test_fastpath import _flask_requests
from tests.support.accounts import GAC_PRODUCER, bearer
from tracer.models.accounts import User
from tracer.models.lots import Lot
from tracer.models.organisations import Organisation
from tracer.models.zones import Zone
from tracer.platform import db

BASE = "https://trace.example.vn"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
JSON = {"Accept": "application/json"}
JSON_LD = {"Accept": "application/ld+json"}
DEMO_LOTS = ["gac_oil", "gac_fruit", "cacao_powder", "sausage_recalled", "turmeric", "lychee"]
MY_CAM = "Hợp tác xã Nông nghiệp Mỹ Cẩm"
GAC_ZONE = "Vườn gấc ấp số 2"


def _zone_id(app: Flask, name: str) -> str:
    with app.app_context():
        return db.session().exec(select(Zone.id).where(Zone.name == name)).one()


def _org_id(app: Flask, name: str) -> int:
    with app.app_context():
        found = db.session().exec(select(Organisation.id).where(Organisation.name == name)).one()
        assert found is not None
        return found


def _html(client: FlaskClient, path: str, **headers: str) -> str:
    response = client.get(path, headers={**HTML, **headers})
    assert response.status_code == 200, (path, response.status_code)
    assert response.mimetype == "text/html"
    return response.get_data(as_text=True)


# Lots


def test_raw_lot_page_names_producer_zone_and_date(demo_client, demo_app, demo):
    lot_id = demo.lots["gac_fruit"]
    response = demo_client.get(f"/id/lot/{lot_id}", headers=HTML)
    assert response.status_code == 200
    assert response.headers["Content-Language"] == "vi"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"
    assert f'<{BASE}/id/lot/{lot_id}?linkType=linkset>; rel="linkset"' in response.headers["Link"]
    html = response.get_data(as_text=True)
    with demo_app.app_context():
        lot = db.session().get(Lot, lot_id)
        assert lot is not None
        produced = lot.produced_on.strftime("%d/%m/%Y")
    assert "<h1>Quả gấc chín</h1>" in html and f"<code>{lot_id}</code>" in html
    assert f"<dt>Ngày sản xuất</dt><dd>{produced}</dd>" in html
    zone = _zone_id(demo_app, GAC_ZONE)
    assert f'<dt>Vùng nguyên liệu</dt><dd><a href="/id/zone/{zone}">{GAC_ZONE}</a></dd>' in html
    assert f'<a href="/id/org/{_org_id(demo_app, MY_CAM)}">{MY_CAM}</a>' in html
    assert "Không bị thu hồi" in html and "Sản phẩm đã bị thu hồi" not in html
    assert "/01/" not in html  # no package of a GTIN product was packed from the raw fruit


def test_lot_page_in_english(demo_client, demo):
    html = _html(demo_client, f"/id/lot/{demo.lots['gac_fruit']}?lang=en")
    assert '<html lang="en">' in html
    assert "Produced on" in html and "Not recalled" in html and "Raw-material zone" in html


def test_lot_with_packages_of_a_gtin_links_its_class_page(demo_client, demo):
    lot_id = demo.lots["gac_oil"]
    html = _html(demo_client, f"/id/lot/{lot_id}")
    path = f"/01/08935049500018/10/{lot_id}"
    assert f'<dt>Sản phẩm</dt><dd><a href="{path}">Dầu gấc Mỹ Cẩm</a></dd>' in html
    assert "/id/zone/" not in html  # made by processing, not harvested: no zone of its own
    assert demo_client.get(path, headers=HTML).status_code == 200
    body = demo_client.get(f"/id/lot/{lot_id}", headers=JSON).get_json()
    assert body["sameAs"] == [BASE + path]


def test_recalled_lot_shows_the_recall(demo_client, demo):
    lot_id = demo.lots["sausage_recalled"]
    html = _html(demo_client, f"/id/lot/{lot_id}")
    assert '<div id="status"><div class="banner bad" role="alert"><strong>Sản phẩm đã bị thu hồi' in html
    assert "vượt ngưỡng nitrit" in html and "<strong>Đã thu hồi</strong>" in html
    body = demo_client.get(f"/id/lot/{lot_id}", headers=JSON_LD).get_json()
    assert body["ocop:recalled"] is True and "nitrit" in body["ocop:recallReason"]
    entry = demo_client.get(f"/id/lot/{lot_id}?linkType=all").get_json()["linkset"][0]
    assert entry["https://gs1.org/voc/recallStatus"][0]["title"].startswith("Đã bị thu hồi")


@pytest.mark.parametrize("accept", [JSON, JSON_LD])
def test_lot_json_ld(demo_client, demo_app, demo, accept):
    lot_id = demo.lots["gac_fruit"]
    response = demo_client.get(f"/id/lot/{lot_id}", headers=accept)
    assert response.status_code == 200
    assert response.mimetype == accept["Accept"]
    body = response.get_json()
    assert body["@context"]["@vocab"] == "http://schema.org/"
    assert body["@context"]["gs1"] == "https://gs1.org/voc/"
    assert body["@id"] == f"{BASE}/id/lot/{lot_id}"
    assert body["@type"] == ["SomeProducts", "ocop:Lot"]
    assert body["name"] == "Quả gấc chín" and body["gs1:hasBatchLotNumber"] == lot_id
    org = _org_id(demo_app, MY_CAM)
    assert body["manufacturer"] == {
        "@id": f"{BASE}/id/org/{org}",
        "@type": ["Organization", "gs1:Organization"],
        "name": MY_CAM,
    }
    assert body["ocop:harvestedFrom"]["@id"] == f"{BASE}/id/zone/{_zone_id(demo_app, GAC_ZONE)}"
    assert body["ocop:recalled"] is False and "sameAs" not in body
    assert "quantity" not in json.dumps(body) and "1200" not in json.dumps(body)


def test_lot_linkset(demo_client, demo):
    lot_id = demo.lots["turmeric"]  # a product without a GTIN: only /id/lot/ names its lot
    response = demo_client.get(f"/id/lot/{lot_id}", headers={"Accept": "application/linkset+json"})
    assert response.mimetype == "application/linkset+json"
    [entry] = response.get_json()["linkset"]
    assert entry["anchor"] == f"{BASE}/id/lot/{lot_id}"
    assert {link["hreflang"][0] for link in entry["https://gs1.org/voc/pip"]} == {"vi", "en"}
    assert entry["https://gs1.org/voc/traceability"][0]["href"] == f"{BASE}/api/v1/epcis/events?lot={lot_id}"


# Zones


def test_zone_page_shows_place_crop_certifications_and_map(demo_client, demo_app):
    zone = _zone_id(demo_app, GAC_ZONE)
    html = _html(demo_client, f"/id/zone/{zone}")
    assert f"<h1>{GAC_ZONE}</h1>" in html
    # the 2025 units, the signed (older) address beside them (issue #19, item 5)
    assert "Ấp số 2, Xã Càng Long, Vĩnh Long" in html
    assert "(trước đây: Xã Mỹ Cẩm, Huyện Càng Long, Trà Vinh)" in html
    assert "VietGAP" in html and "Gấc" in html and "4,5 ha" in html
    assert "(9.987, 106.1895)" in html and "openstreetmap.org/?mlat=9.987&amp;mlon=106.1895" in html
    assert 'class="show-map"' in html and "origin.js" in html
    assert f'<a href="/id/org/{_org_id(demo_app, MY_CAM)}">{MY_CAM}</a>' in html
    english = _html(demo_client, f"/id/zone/{zone}?lang=en")
    assert "Crop: Gấc" in english and "Certifications: VietGAP" in english and "Where it grew" in english


def test_zone_json_ld_is_a_place_with_address_and_geo(demo_client, demo_app):
    zone = _zone_id(demo_app, GAC_ZONE)
    response = demo_client.get(f"/id/zone/{zone}", headers=JSON_LD)
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    body = response.get_json()
    assert body["@id"] == f"{BASE}/id/zone/{zone}" and body["@type"] == ["Place", "gs1:Place"]
    assert body["name"] == GAC_ZONE
    assert body["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Ấp số 2",
        "gs1:addressSuburb": "Xã Mỹ Cẩm",
        "addressLocality": "Huyện Càng Long",
        "addressRegion": "Trà Vinh",
        "addressCountry": "VN",
    }
    assert body["geo"] == {"@type": "GeoCoordinates", "latitude": "9.987", "longitude": "106.1895"}
    assert body["ocop:crop"] == "Gấc" and body["ocop:certifications"] == ["VietGAP"]
    assert body["ocop:organization"]["@id"] == f"{BASE}/id/org/{_org_id(demo_app, MY_CAM)}"


def test_zone_without_coordinates_has_no_geo(demo_client, demo_app):
    zone = _zone_id(demo_app, "Vườn vải thiều Hồng Giang")
    html = _html(demo_client, f"/id/zone/{zone}")
    assert "VietGAP, GlobalGAP" in html and 'class="show-map"' not in html
    body = demo_client.get(f"/id/zone/{zone}", headers=JSON).get_json()
    assert "geo" not in body and body["ocop:certifications"] == ["VietGAP", "GlobalGAP"]


# Organisations


def test_org_page_is_the_producer_card(demo_client, demo_app):
    org = _org_id(demo_app, MY_CAM)
    html = _html(demo_client, f"/id/org/{org}")
    assert '<section class="card producer"><h1>Tổ chức</h1>' in html
    assert f"<strong>{MY_CAM}</strong>" in html and "Hợp tác xã (HTX)" in html
    assert "Ấp số 2, Xã Mỹ Cẩm, Huyện Càng Long, Trà Vinh" in html
    assert '<a href="tel:02943880123">0294 3880 123</a>' in html
    assert "2107000123" not in html  # the registration number is not on the producer card


@pytest.mark.parametrize("accept", [JSON, JSON_LD])
def test_org_json_ld(demo_client, demo_app, accept):
    org = _org_id(demo_app, MY_CAM)
    response = demo_client.get(f"/id/org/{org}", headers=accept)
    assert response.status_code == 200 and response.mimetype == accept["Accept"]
    body = response.get_json()
    assert body["@id"] == f"{BASE}/id/org/{org}"
    assert body["@type"] == ["Organization", "gs1:Organization"]
    assert body["name"] == body["gs1:organizationName"] == MY_CAM
    assert body["ocop:kind"] == "htx" and body["telephone"] == "0294 3880 123"
    assert body["address"]["addressRegion"] == "Trà Vinh"


def test_org_email_is_not_shown(demo_client, demo_app):
    org = _org_id(demo_app, MY_CAM)
    with demo_app.app_context(), db.writer() as session:
        session.execute(
            update(Organisation).where(col(Organisation.id) == org).values(email="lienhe@mycam.example.vn")
        )
    for headers in (HTML, JSON):
        text = demo_client.get(f"/id/org/{org}", headers=headers).get_data(as_text=True)
        assert "lienhe@mycam.example.vn" not in text and "mailto:" not in text


@pytest.mark.parametrize("path", ["/id/lot/{lot}", "/id/zone/{zone}", "/id/org/{org}"])
def test_head_answers_without_body(demo_client, demo_app, demo, path):
    ids = {
        "lot": demo.lots["gac_fruit"],
        "zone": _zone_id(demo_app, GAC_ZONE),
        "org": _org_id(demo_app, MY_CAM),
    }
    response = demo_client.head(path.format(**ids))
    assert response.status_code == 200 and response.get_data() == b""
    assert 'rel="linkset"' in response.headers["Link"]


# The EPCIS documents' identifiers dereference


def _ids(value: Any) -> Iterator[str]:
    """Every identifier an EPCIS event gives a lot, a zone or an organisation (not packages or events)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in ("outputEPCList", "epcList", "eventID", "ocop:ledgerEntry"):
                yield from _ids(item)
    elif isinstance(value, list):
        for item in value:
            yield from _ids(item)
    elif isinstance(value, str) and value.startswith(BASE + "/"):
        yield value


def test_every_identifier_of_the_demo_epcis_documents_dereferences(demo_client, demo_app, demo):
    auth = bearer(demo_app, GAC_PRODUCER)
    seen: set[str] = set()
    for name in DEMO_LOTS:
        response = demo_client.get(f"/api/v1/epcis/events?lot={demo.lots[name]}", headers=auth)
        assert response.status_code == 200
        seen |= set(_ids(response.get_json()["epcisBody"]["eventList"]))
    paths = sorted(uri.removeprefix(BASE) for uri in seen)
    kinds = {path.split("/")[2] if path.startswith("/id/") else "01" for path in paths}
    assert kinds == {"lot", "zone", "org", "01"}, paths
    assert all("/21/" not in path and not path.startswith("/p/") for path in paths)  # no package codes
    for path in paths:
        page = demo_client.get(path, headers=HTML)
        assert page.status_code == 200, path
        assert page.mimetype == "text/html"
        document = demo_client.get(path, headers=JSON)
        assert document.status_code == 200, path
        if path.startswith("/id/"):
            assert document.get_json()["@id"] == BASE + path
    assert count_scans(demo_app) == 0  # following identifiers is not scanning packages


# Unknown and malformed identifiers


@pytest.mark.parametrize(
    "path", ["/id/lot/L000000000", "/id/zone/Z000000000", "/id/org/999999", "/id/org/2147483648"]
)
def test_unknown_identifier_is_404(demo_client, demo_app, path):
    page = demo_client.get(path, headers=HTML)
    assert page.status_code == 404 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Không có gì trong OCOP Tracer mang mã định danh này" in html
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Access-Control-Allow-Origin"] == "*"
    for accept in (JSON, JSON_LD):
        problem = demo_client.get(path, headers=accept)
        assert problem.status_code == 404 and problem.mimetype == "application/problem+json"
        assert problem.get_json()["status"] == 404
    assert demo_client.get(path + "?linkType=all").status_code == 404
    assert count_scans(demo_app) == 0


@pytest.mark.parametrize(
    "path",
    [
        "/id/lot/L123",  # too short
        "/id/lot/" + "L" * 60,  # too long
        "/id/lot/l000000000",  # lower case
        "/id/lot/LOOOOOOOOO",  # O is not a Crockford character
        "/id/lot/Z000000000",  # a zone's prefix
        "/id/zone/Z%C3%B4%C3%B4%C3%B4%C3%B4%C3%B4%C3%B4%C3%B4%C3%B4%C3%B4",  # ô
        "/id/zone/Z000000000/more",
        "/id/org/0",
        "/id/org/007",
        "/id/org/abc",
        "/id/org/-1",
        "/id/org/12345678901",  # eleven digits
        "/id/org/%3Cscript%3E",
    ],
)
def test_bad_identifier_is_400(demo_client, demo_app, path):
    page = demo_client.get(path, headers=HTML)
    assert page.status_code == 400 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assert "Mã định danh này không hợp lệ" in html and "<script>" not in html
    assert page.headers["Access-Control-Allow-Origin"] == "*"
    problem = demo_client.get(path, headers=JSON)
    assert problem.status_code == 400 and problem.mimetype == "application/problem+json"
    assert problem.get_json()["type"].endswith("/bad-id")
    assert "not a well-formed" in problem.get_json()["detail"]
    assert count_scans(demo_app) == 0


def test_unknown_kind_is_plain_404(demo_client):
    assert demo_client.get("/id/product/1", headers=HTML).status_code == 404


# Nothing private, nothing recorded, no fast path


def _every_identifier(app: Flask) -> list[str]:
    with app.app_context():
        session = db.session()
        lots = session.exec(select(Lot.id)).all()
        zones = session.exec(select(Zone.id)).all()
        orgs = session.exec(select(Organisation.id)).all()
    return [f"/id/lot/{x}" for x in lots] + [f"/id/zone/{x}" for x in zones] + [f"/id/org/{x}" for x in orgs]


def test_no_email_user_name_or_quantity_is_shown(demo_client, demo_app, demo):
    with demo_app.app_context():
        session = db.session()
        users = session.exec(select(User)).all()
        orgs = session.exec(select(Organisation.name)).all()
        lots = session.exec(select(Lot)).all()
    # A household is named after its head ("Hộ ông Y Kông Niê"): that name is public as the producer's.
    names = [u.full_name for u in users if not any(u.full_name in org for org in orgs)]
    secrets = [u.email for u in users] + names
    quantities = [f"{lot.quantity.normalize():f} {lot.unit}" for lot in lots]
    assert "1200 kg" in quantities and "Lê Văn Tâm" in secrets and "htx.mycam@example.vn" in secrets
    paths = _every_identifier(demo_app)
    assert len(paths) > 20
    for path in paths:
        for headers in (HTML, JSON, {"Accept": "application/linkset+json"}):
            response = demo_client.get(path, headers=headers)
            assert response.status_code == 200, path
            text = response.get_data(as_text=True)
            leaked = [s for s in secrets + quantities if s in text]
            assert not leaked, (path, leaked)
            assert "@example.vn" not in text and "mailto:" not in text
            if headers is JSON:
                assert "quantity" not in text.lower() and "remaining" not in text.lower()
    assert count_scans(demo_app) == 0


def test_fast_path_leaves_identifiers_to_flask(demo_client, demo_app, demo):
    gac = packages(demo_app, demo.lots["gac_oil"])[0]
    flask_seen = _flask_requests(demo_app)
    path = f"/id/lot/{demo.lots['gac_fruit']}"
    assert demo_client.get(path).status_code == 200  # a plain GET, HTML: what the fast path would take
    assert flask_seen == [path]
    demo_client.get(gac.path)  # a package's code still skips Flask
    assert flask_seen == [path]
    assert count_scans(demo_app) == 1


def test_everything_shown_is_escaped(demo_client, demo_app, demo):
    zone = _zone_id(demo_app, GAC_ZONE)
    with demo_app.app_context(), db.writer() as session:
        session.execute(update(Zone).where(col(Zone.id) == zone).values(name="<b>Vườn</b>"))
        session.execute(
            update(Organisation).where(col(Organisation.name) == MY_CAM).values(name="<i>HTX</i>")
        )
    org = _org_id(demo_app, "<i>HTX</i>")
    for path in (f"/id/zone/{zone}", f"/id/lot/{demo.lots['gac_fruit']}", f"/id/org/{org}"):
        html = _html(demo_client, path)
        assert "<b>Vườn</b>" not in html and "<i>HTX</i>" not in html
        assert "&lt;i&gt;HTX&lt;/i&gt;" in html  # the organisation's card, on every kind of page
        assert ("&lt;b&gt;Vườn&lt;/b&gt;" in html) == (not path.startswith("/id/org/"))
