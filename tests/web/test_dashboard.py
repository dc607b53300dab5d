"""The producer's dashboard: lots and their state, scans per day as a server-drawn SVG, scans by province,
certificates expiring within 90 days."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from tests.web.conftest import sign_in_as, text
from tracer.models.lots import Package
from tracer.models.scans import Scan
from tracer.platform.services import services


def add_scans(app, lot_id: str, when: list[tuple[int, str | None]], outcome: str = "genuine") -> None:
    with Session(services(app).engine) as session:
        serial = session.exec(select(Package.serial).where(Package.lot_id == lot_id)).first()
        for days_ago, province in when:
            session.add(
                Scan(
                    serial=serial,
                    code=f"/p/{serial}",
                    outcome=outcome,
                    client_hash="0" * 64,
                    scanned_at=datetime.now(UTC) - timedelta(days=days_ago),
                    province=province,
                )
            )
        session.commit()


def test_scans_per_day_and_by_province(producer, demo_app, demo):
    add_scans(
        demo_app, demo.lots["gac_oil"], [(0, "Trà Vinh"), (0, "Trà Vinh"), (3, "Cần Thơ"), (45, "Hà Nội")]
    )
    add_scans(demo_app, demo.lots["cacao_powder"], [(0, "Đắk Lắk")])  # someone else's product
    html = text(producer.get("/console"))
    assert "3 lượt quét trong 30 ngày qua." in html
    svg = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    assert len(re.findall(r"<rect ", svg)) == 30
    today_label = datetime.now(UTC).astimezone().strftime("%d/%m/%Y")
    assert re.search(r"<title>\d\d/\d\d/\d{4}: 2</title>", svg), today_label
    assert "Trà Vinh" in html and "Cần Thơ" in html
    assert "Hà Nội" not in html and "Đắk Lắk" not in html


def test_lot_states_are_shown(producer, demo):
    html = text(producer.get("/console"))
    assert "đã dùng hết" in html  # the fruit pressed into oil
    assert demo.lots["gac_oil"] in html


def test_certificates_expiring_within_90_days(demo_app, demo):
    lychee = sign_in_as(demo_app.test_client(), demo, "nongsan.lucngan@example.vn")
    html = text(lychee.get("/console"))
    assert "Giấy chứng nhận hết hạn trong 90 ngày tới" in html
    assert "321/QĐ-UBND" in html
    gac = sign_in_as(demo_app.test_client(), demo, "htx.mycam@example.vn")
    assert "Giấy chứng nhận hết hạn" not in text(gac.get("/console"))


def test_anomalies_on_my_products(producer, demo_app, demo):
    # scans answered "recalled" are a warning (tracer.scans.anomalies): a recalled package still on sale
    add_scans(demo_app, demo.lots["gac_oil"], [(0, "Trà Vinh")] * 2, outcome="recalled")
    add_scans(demo_app, demo.lots["cacao_powder"], [(0, "Đắk Lắk")] * 2, outcome="recalled")
    html = text(producer.get("/console"))
    section = html[html.find("Cảnh báo về sản phẩm của tôi") :]
    assert 'class="plain anomalies"' in section
    assert "Dầu gấc Mỹ Cẩm" in section
    assert "Bột cacao" not in section
    assert "Không có cảnh báo" not in section


def test_no_anomalies_said_plainly(producer):
    assert "Không có cảnh báo: chưa thấy dấu hiệu mã bị sao chép." in text(producer.get("/console"))
