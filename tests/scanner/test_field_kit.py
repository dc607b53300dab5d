"""The inspector's field kit on the server (issue #21): inspections sent again from an offline queue are
recorded once (``client_id``), the dashboard filters by where a code was scanned or reported, photos come as
thumbnails with links, and the review queues take a signed decision that a database edit cannot forge."""

from __future__ import annotations

import base64
import io
import json
import re
import uuid
from datetime import UTC, datetime

import pytest
from PIL import Image
from sqlalchemy import func, select, update
from sqlmodel import Session

from tests.scanner.conftest import serials_of
from tests.scanner.test_inspector import jpeg
from tests.support.accounts import ADMIN, AUTHORITY, GAC_PRODUCER, INSPECTOR, actor
from tests.web.conftest import sign_in_as
from tracer.events.onboarding import rotate_key
from tracer.events.projection import rebuild
from tracer.ledger.schema import ledger_entries, ledger_keys
from tracer.models.events import Inspection, ReviewDecision
from tracer.models.scans import FakeReport, ScanFlag
from tracer.platform import db, journal
from tracer.platform.services import services
from tracer.scans import recorder as scans
from tracer.scans.places import PROVINCES, province_at

VISIT = {"Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}  # a person opening the page


def csrf(client) -> dict[str, str]:
    return {"X-CSRFToken": client.get("/scan/session").get_json()["csrf_token"]}


def ledger_size(app) -> int:
    with Session(services(app).engine) as session:
        return int(
            session.connection().execute(select(func.count()).select_from(ledger_entries)).scalar_one()
        )


def count(app, model, **where) -> int:
    with Session(services(app).engine) as session:
        query = select(func.count()).select_from(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return int(session.exec(query).one()[0])


# -- inspections sent more than once --


def test_an_inspection_sent_again_with_its_client_id_is_recorded_once(demo_app, demo_client, demo):
    serial = serials_of(demo_app, demo.lots["gac_oil"])[0]
    sign_in_as(demo_client, demo, INSPECTOR)
    headers = csrf(demo_client)
    client_id = str(uuid.uuid4())
    command = {
        "type": "inspect",
        "serial": serial,
        "result": "pass",
        "place": "Chợ Vĩnh Long",
        "province": "Vĩnh Long",
        "client_id": client_id,
    }
    first = demo_client.post("/api/v1/events", json=command, headers=headers)
    assert first.status_code == 201, first.get_data(as_text=True)
    size = ledger_size(demo_app)
    # The same request replayed (a lost answer, the offline queue sent again): the same receipt, nothing new.
    for _ in range(3):
        again = demo_client.post("/api/v1/events", json=command, headers=headers)
        assert again.status_code == 201
        assert again.get_json()["ledger_index"] == first.get_json()["ledger_index"]
        assert again.get_json()["leaf_hash"] == first.get_json()["leaf_hash"]
        assert again.get_json()["event"]["client_id"] == client_id
    # With an Idempotency-Key too, and in a batch holding it twice.
    keyed = demo_client.post(
        "/api/v1/events", json=command, headers={**headers, "Idempotency-Key": client_id}
    )
    assert keyed.get_json()["ledger_index"] == first.get_json()["ledger_index"]
    batch = demo_client.post("/api/v1/events", json=[command, command], headers=headers)
    assert batch.status_code == 201
    assert {r["ledger_index"] for r in batch.get_json()["events"]} == {first.get_json()["ledger_index"]}
    assert ledger_size(demo_app) == size
    assert count(demo_app, Inspection, client_id=client_id) == 1

    # The same id for another finding is a client's bug, refused, and nothing is written.
    changed = demo_client.post("/api/v1/events", json={**command, "result": "fail"}, headers=headers)
    assert changed.status_code == 409
    assert changed.get_json()["field"] == "client_id"
    assert ledger_size(demo_app) == size

    # A new inspection in one batch with its own twin: recorded once, both receipts the same.
    fresh = {**command, "client_id": str(uuid.uuid4()), "notes": "Lần hai"}
    twins = demo_client.post("/api/v1/events", json=[fresh, fresh], headers=headers).get_json()["events"]
    assert twins[0]["ledger_index"] == twins[1]["ledger_index"]
    assert ledger_size(demo_app) == size + 1

    # The id is signed in the entry, so the rule survives a rebuild from the ledger alone.
    with db_session(demo_app) as session:
        entries = [
            (row.idx, bytes(row.envelope))
            for row in session.connection().execute(
                select(ledger_entries.c.idx, ledger_entries.c.envelope).order_by(ledger_entries.c.idx)
            )
        ]
        rebuild(session, entries)
        session.commit()
    assert count(demo_app, Inspection, client_id=client_id) == 1
    again = demo_client.post("/api/v1/events", json=command, headers=headers)
    assert again.get_json()["ledger_index"] == first.get_json()["ledger_index"]


@pytest.mark.parametrize(
    "bad", ["not-a-uuid", "A" * 36, "", 12, "0" * 8 + "-0000-0000-0000-" + "0" * 11 + "\x00"]
)
def test_a_malformed_client_id_is_refused(demo_app, demo_client, demo, bad):
    serial = serials_of(demo_app, demo.lots["gac_oil"])[0]
    sign_in_as(demo_client, demo, INSPECTOR)
    command = {"type": "inspect", "serial": serial, "result": "pass", "place": "Chợ", "client_id": bad}
    response = demo_client.post("/api/v1/events", json=command, headers=csrf(demo_client))
    assert response.status_code == 422
    assert response.get_json()["field"] == "client_id"


class db_session:  # noqa: N801 - a context manager used like a function
    def __init__(self, app) -> None:
        self.session = Session(services(app).engine)

    def __enter__(self) -> Session:
        return self.session

    def __exit__(self, *exc: object) -> None:
        self.session.close()


# -- where a code was scanned or reported --


def test_a_coarse_location_names_its_province():
    assert len(PROVINCES) == 63
    assert province_at(10.3, 106.0) == "Vĩnh Long"
    assert province_at(21.0, 105.8) == "Hà Nội"
    assert province_at(1.3, 103.8) is None  # Singapore: no province within reach
    assert province_at(90, 180) is None


def test_the_dashboard_filters_by_where_a_code_was_scanned(demo_app, demo_client, demo):
    recalled = serials_of(demo_app, demo.lots["sausage_recalled"])[0]
    visitor = {"REMOTE_ADDR": "10.7.0.1"}
    opened = demo_client.get(f"/p/{recalled}", environ_base=visitor, headers=VISIT)
    assert opened.status_code == 200  # the lạp xưởng, made in Long An, on sale in Vĩnh Long
    with demo_app.app_context():
        scans.flush()
    place = {"latitude": "10.25", "longitude": "105.97"}
    shared = demo_client.post(f"/p/{recalled}/location", json=place, environ_base=visitor)
    assert shared.status_code == 200, shared.get_data(as_text=True)
    sign_in_as(demo_client, demo, INSPECTOR)
    found = demo_client.get("/inspector?place=Vĩnh Long").get_data(as_text=True)
    assert "anomaly-recalled_scanned" in found and recalled in found
    assert 'name="place" value="Vĩnh Long"' in found
    elsewhere = demo_client.get("/inspector?place=Hà Nội").get_data(as_text=True)
    assert "anomaly-recalled_scanned" not in elsewhere
    # The producer's province is another filter: Long An finds it, Vĩnh Long (where it was sold) does not.
    assert "anomaly-recalled_scanned" in demo_client.get("/inspector?province=Long An").get_data(as_text=True)
    csv_text = demo_client.get("/inspector/anomalies.csv?place=Vĩnh Long").get_data().decode("utf-8-sig")
    assert recalled in csv_text
    assert recalled not in demo_client.get("/inspector/anomalies.csv?place=Hà Nội").get_data().decode(
        "utf-8-sig"
    )


def test_reports_filter_by_where_they_were_made(demo_app, demo_client, demo):
    with demo_app.app_context(), db.writer() as session:
        session.add(
            FakeReport(code="X1", what="Tem in mờ", place="Chợ Vĩnh Long", province="Vĩnh Long", source="a")
        )
        session.add(
            FakeReport(code="X2", what="Nắp lỏng", place="Chợ Hà Đông", province="Hà Nội", source="b")
        )
    sign_in_as(demo_client, demo, INSPECTOR)
    html = demo_client.get("/inspector?place=Vĩnh Long").get_data(as_text=True)
    assert "Tem in mờ" in html and "Nắp lỏng" not in html


# -- photos --


def test_inspection_photos_are_thumbnails_linking_to_the_photo(demo_app, demo_client, demo):
    serial = serials_of(demo_app, demo.lots["gac_oil"])[0]
    sign_in_as(demo_client, demo, INSPECTOR)
    headers = csrf(demo_client)
    big = jpeg((1600, 1200))
    digest = demo_client.post(
        "/scan/photos", data=big, content_type="image/jpeg", headers=headers
    ).get_json()["sha256"]
    command = {
        "type": "inspect",
        "serial": serial,
        "result": "suspect",
        "place": "Chợ",
        "photo_sha256": digest,
    }
    assert demo_client.post("/api/v1/events", json=command, headers=headers).status_code == 201
    html = demo_client.get("/inspector").get_data(as_text=True)
    assert f'href="/inspector/photos/sha256/{digest}"' in html
    assert f'src="/inspector/photos/sha256/{digest}/thumb"' in html
    assert f"ảnh {digest[:12]}" not in html
    thumb = demo_client.get(f"/inspector/photos/sha256/{digest}/thumb")
    assert thumb.status_code == 200 and thumb.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(thumb.get_data())).size) <= 240
    assert demo_client.get(f"/inspector/photos/sha256/{digest}").get_data() == big
    assert demo_client.get(f"/inspector/photos/sha256/{'0' * 64}/thumb").status_code == 404
    assert demo_client.get("/inspector/photos/sha256/..%2F..%2Fsecret/thumb").status_code == 404
    producer = sign_in_as(demo_app.test_client(), demo, GAC_PRODUCER)
    assert producer.get(f"/inspector/photos/sha256/{digest}/thumb").status_code == 403


# -- signed decisions on the review queues --


def add_report(app) -> int:
    with app.app_context(), db.writer() as session:
        report = FakeReport(
            code="https://x.test/p/ZZ",
            what="Bao bì khác màu",
            place="Chợ Cái Bè",
            province="Tiền Giang",
            source="s",
        )
        session.add(report)
        session.flush()
        return int(report.id)


def decide(client, fields: dict[str, str]) -> object:
    html = client.get("/inspector").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    return client.post("/inspector/decisions", data={"csrf_token": token, **fields})


def report_row(html: str, report_id: int) -> str:
    found = re.search(rf'<td id="report-{report_id}">(.*?)</td>', html, re.S)
    assert found is not None
    return found.group(1)


def test_a_signed_decision_closes_a_report_and_a_database_edit_cannot_forge_one(demo_app, demo_client, demo):
    report_id = add_report(demo_app)
    sign_in_as(demo_client, demo, INSPECTOR)
    html = demo_client.get("/inspector").get_data(as_text=True)
    digest = re.search(
        rf'name="report_id" value="{report_id}"><input type="hidden" name="report_sha256" '
        r'value="([0-9a-f]{64})"',
        html,
    ).group(1)
    answer = decide(
        demo_client,
        {
            "subject": "fake_report",
            "report_id": str(report_id),
            "report_sha256": digest,
            "decision": "confirmed_fake",
            "notes": "Tem giả, đã lập biên bản",
        },
    )
    assert answer.status_code == 303, answer.get_data(as_text=True)
    index = int(re.search(r"decided=(\d+)", answer.headers["Location"]).group(1))
    cell = report_row(demo_client.get("/inspector").get_data(as_text=True), report_id)
    assert "Đã xác nhận hàng giả" in cell and "Tem giả, đã lập biên bản" in cell and str(index) in cell
    assert "<form" not in cell

    engine = services(demo_app).engine
    # 1. Edit the projection: the page reads the signed entry, not the row.
    with engine.begin() as conn:
        conn.execute(update(ReviewDecision.__table__).values(decision="cleared", notes="đã xong"))
    cell = report_row(demo_client.get("/inspector").get_data(as_text=True), report_id)
    assert "Đã xác nhận hàng giả" in cell and "đã xong" not in cell

    # 2. Point a forged row at another genuine entry (an inspection by the same inspector): not believed.
    serial = serials_of(demo_app, demo.lots["gac_oil"])[0]
    inspected = demo_client.post(
        "/api/v1/events",
        headers=csrf(demo_client),
        json={"type": "inspect", "serial": serial, "result": "pass", "place": "Chợ"},
    ).get_json()["ledger_index"]
    with engine.begin() as conn:
        conn.execute(update(ReviewDecision.__table__).values(ledger_index=inspected))
    cell = report_row(demo_client.get("/inspector").get_data(as_text=True), report_id)
    assert "không kiểm chứng được" in cell and "decision-confirmed_fake" not in cell and "<form" in cell
    with engine.begin() as conn:
        conn.execute(update(ReviewDecision.__table__).values(ledger_index=index))

    # 3. Rewrite the entry's payload: the signature fails.
    with engine.begin() as conn:
        raw = conn.execute(
            select(ledger_entries.c.envelope).where(ledger_entries.c.idx == index)
        ).scalar_one()
        doc = json.loads(raw)
        original = bytes(raw)
        payload = json.loads(base64.b64decode(doc["payload"]))
        payload["decision"] = "cleared"
        doc["payload"] = base64.b64encode(json.dumps(payload).encode()).decode()
        conn.execute(
            update(ledger_entries)
            .where(ledger_entries.c.idx == index)
            .values(envelope=json.dumps(doc).encode())
        )
    cell = report_row(demo_client.get("/inspector").get_data(as_text=True), report_id)
    assert "không kiểm chứng được" in cell and "decision-confirmed_fake" not in cell
    with engine.begin() as conn:
        conn.execute(update(ledger_entries).where(ledger_entries.c.idx == index).values(envelope=original))

    # 4. Swap the inspector's public key on record: the master key no longer vouches for it.
    keyid = json.loads(original)["signatures"][0]["keyid"]
    with engine.begin() as conn:
        saved = conn.execute(
            select(ledger_keys.c.public_key).where(ledger_keys.c.keyid == keyid)
        ).scalar_one()
        conn.execute(update(ledger_keys).where(ledger_keys.c.keyid == keyid).values(public_key=b"\x01" * 32))
    with demo_app.app_context():
        journal.store()._private_keys.clear()  # a fresh process: nothing remembered
    cell = report_row(demo_client.get("/inspector").get_data(as_text=True), report_id)
    assert "không kiểm chứng được" in cell
    with engine.begin() as conn:
        conn.execute(update(ledger_keys).where(ledger_keys.c.keyid == keyid).values(public_key=saved))
    assert "Đã xác nhận hàng giả" in report_row(
        demo_client.get("/inspector").get_data(as_text=True), report_id
    )

    # 5. Edit the report itself after the decision: the decision no longer covers what is shown.
    with engine.begin() as conn:
        conn.execute(
            update(FakeReport.__table__)
            .where(FakeReport.__table__.c.id == report_id)
            .values(what="Không có gì bất thường")
        )
    cell = report_row(demo_client.get("/inspector").get_data(as_text=True), report_id)
    assert "không kiểm chứng được" in cell and "decision-confirmed_fake" not in cell


def test_a_decision_needs_an_inspector_csrf_and_the_report_as_shown(demo_app, demo_client, demo):
    report_id = add_report(demo_app)
    fields = {
        "subject": "fake_report",
        "report_id": str(report_id),
        "report_sha256": "0" * 64,
        "decision": "cleared",
    }
    sign_in_as(demo_client, demo, INSPECTOR)
    assert demo_client.post("/inspector/decisions", data=fields).status_code == 400  # no CSRF token
    stale = decide(demo_client, fields)
    assert stale.status_code == 409  # the digest is not the report's: read it again
    for bad in (
        {"decision": "maybe"},
        {"subject": "copy_flag"},
        {"report_id": "99999999999999999999"},
        {"report_id": "1.000"},
        {"notes": "a\x00b"},
    ):
        refused = decide(demo_client, {**fields, **bad})
        assert 400 <= refused.status_code < 500, bad
    assert count(demo_app, ReviewDecision) == 0
    office = sign_in_as(demo_app.test_client(), demo, AUTHORITY)
    html = office.get("/inspector").get_data(as_text=True)
    assert 'action="/inspector/decisions"' not in html  # the office sees the queue; inspectors sign
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert demo_client.post(
        "/inspector/decisions", data={**fields, "csrf_token": token.group(1) if token else ""}
    ).status_code in (400, 403)


def test_a_copy_warning_gets_a_signed_decision(demo_app, demo_client, demo):
    serial = serials_of(demo_app, demo.lots["gac_oil"])[0]
    with demo_app.app_context(), db.writer() as session:
        now = datetime.now(UTC)
        for source in ("s1", "s2"):
            session.add(
                ScanFlag(
                    serial=serial,
                    kind="travel",
                    source=source,
                    day=int(now.timestamp() // 86400),
                    flagged_at=now,
                    detail="Hà Nội / Cà Mau",
                )
            )
    sign_in_as(demo_client, demo, INSPECTOR)
    html = demo_client.get("/inspector").get_data(as_text=True)
    assert "anomaly-travel" in html
    answer = decide(
        demo_client,
        {
            "subject": "copy_flag",
            "serial": serial,
            "decision": "cleared",
            "notes": "Hàng thật, hai lô bán hai nơi",
        },
    )
    assert answer.status_code == 303
    html = demo_client.get("/inspector").get_data(as_text=True)
    assert "Đã xác minh là thật" in html and "Hàng thật, hai lô bán hai nơi" in html
    assert (
        decide(
            demo_client, {"subject": "copy_flag", "serial": "000000000000", "decision": "cleared"}
        ).status_code
        == 404
    )


def test_a_decision_still_checks_out_after_the_inspector_key_is_rotated(demo_app, demo_client, demo):
    """Rotation revokes the key from then on: what it signed before stays signed."""
    report_id = add_report(demo_app)
    sign_in_as(demo_client, demo, INSPECTOR)
    html = demo_client.get("/inspector").get_data(as_text=True)
    digest = re.search(r'name="report_sha256" value="([0-9a-f]{64})"', html).group(1)
    fields = {
        "subject": "fake_report",
        "report_id": str(report_id),
        "report_sha256": digest,
        "decision": "cleared",
    }
    assert decide(demo_client, fields).status_code == 303
    inspector, admin = actor(demo_app, INSPECTOR), actor(demo_app, ADMIN)
    with demo_app.app_context(), db.writer() as session:
        rotate_key(session=session, actor=admin, owner=f"user:{inspector.user_id}")
    cell = report_row(demo_client.get("/inspector").get_data(as_text=True), report_id)
    assert "decision-cleared" in cell and "không kiểm chứng được" not in cell
