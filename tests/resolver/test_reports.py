"""Shoppers report a suspected fake (issue #20, item 6): from the counterfeit page and any package page, no
account, CSRF-protected, limited per network prefix, into the inspectors' queue; never public."""

from __future__ import annotations

import io
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlmodel import select

from tests.resolver.conftest import Pkg
from tests.support.accounts import INSPECTOR, actor, open_session
from tests.web.conftest import csrf
from tracer.models.scans import FakeReport
from tracer.platform import db


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


PNG = _png()


def _report(client: FlaskClient, address: str, **fields: object) -> object:
    token = csrf(client, "/report")
    data = {"csrf_token": token, "what": "Tem mờ, nắp không niêm phong", "place": "Chợ Bến Thành",
            "province": "Thành phố Hồ Chí Minh", **fields}  # fmt: skip
    return client.post("/report", data=data, environ_base={"REMOTE_ADDR": address},
                       content_type="multipart/form-data")  # fmt: skip


def _reports(app: Flask) -> list[FakeReport]:
    with app.app_context():
        return list(db.session().exec(select(FakeReport)).all())


def test_the_pages_lead_to_the_form(demo_client: FlaskClient, gac: Pkg) -> None:
    fake = demo_client.get(f"/01/{gac.gtin}/21/AAAAAAAAAAAA")
    assert fake.status_code == 404 and 'id="report-link"' in fake.get_data(as_text=True)
    page = demo_client.get(gac.path).get_data(as_text=True)
    assert f'href="/report?code={gac.serial}"' in page  # the cached page gets each package's own serial
    form = demo_client.get(f"/report?code={gac.serial}").get_data(as_text=True)
    assert f'value="{gac.serial}"' in form and "Báo nghi ngờ hàng giả" in form


def test_a_report_reaches_the_inspectors_and_only_them(demo_app: Flask, demo_client: FlaskClient,
                                                       gac: Pkg) -> None:  # fmt: skip
    answer = _report(demo_client, "203.0.113.5", code=gac.serial, photo=(io.BytesIO(PNG), "tem.png"))
    assert answer.status_code == 200 and 'id="report-done"' in answer.get_data(as_text=True)
    [saved] = _reports(demo_app)
    assert saved.serial == gac.serial and saved.photo_sha256 and saved.province == "Thành phố Hồ Chí Minh"
    assert saved.source and "203.0.113" not in saved.source  # the prefix, hashed
    inspector = demo_app.test_client()
    open_session(demo_app, inspector, actor(demo_app, INSPECTOR).user_id)
    dashboard = inspector.get("/inspector").get_data(as_text=True)
    assert "Tem mờ, nắp không niêm phong" in dashboard and f"/scan?s={gac.serial}" in dashboard
    photo = inspector.get(f"/inspector/photos/sha256/{saved.photo_sha256}")
    assert photo.status_code == 200 and photo.data == PNG
    assert demo_client.get(f"/inspector/photos/sha256/{saved.photo_sha256}").status_code in (302, 401, 403)
    assert "Tem mờ" not in demo_client.get(gac.path).get_data(as_text=True)  # never public


def test_bad_reports_are_answered_on_the_form(demo_app: Flask, demo_client: FlaskClient) -> None:
    for fields in ({"what": ""}, {"what": "x" * 1001}, {"what": "a\x00b"}, {"place": "\u202egiả"},
                   {"photo": (io.BytesIO(b"<?php echo 1; ?>"), "x.png")},
                   {"photo": (io.BytesIO(b"GIF89a" + b"0" * 10), "x.gif")}):  # fmt: skip
        answer = _report(demo_client, "203.0.113.6", **fields)
        assert answer.status_code in (400, 422), fields
        assert "field-error" in answer.get_data(as_text=True) or answer.status_code == 400
    assert _reports(demo_app) == []
    # A refused report keeps nothing, not even its (valid) photo.
    answer = _report(demo_client, "203.0.113.6", what="", photo=(io.BytesIO(PNG), "tem.png"))
    assert answer.status_code == 422
    photos = Path(demo_app.instance_path) / "photos"
    assert not photos.exists() or not any(photos.iterdir())
    no_token = demo_client.post("/report", data={"what": "x"}, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert no_token.status_code in (400, 422) and _reports(demo_app) == []


def test_one_network_prefix_cannot_bury_the_queue(demo_app: Flask, demo_client: FlaskClient) -> None:
    for i in range(5):
        assert _report(demo_client, f"198.51.100.{i + 1}").status_code == 200
    refused = _report(demo_client, "198.51.100.77")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "<html" in refused.get_data(as_text=True)  # a readable page
    assert _report(demo_client, "2001:db8:5::1").status_code == 200  # another network is not held
    assert len(_reports(demo_app)) == 6
