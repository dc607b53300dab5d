"""The programme console: office staff onboard organisations, people, tokens, certificates and keys;
producers and inspectors get a 403 page."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlmodel import select

from tests.support.accounts import AUTHORITY, GAC_PRODUCER, INSPECTOR
from tests.web.conftest import (
    confirm,
    confirm_page,
    error_of,
    ledger_size,
    post_form,
    query,
    sign_in,
    sign_in_as,
    text,
)
from tracer.events.certify import add_months
from tracer.events.rules import today
from tracer.ledger.dsse import Envelope
from tracer.models.organisations import Organisation
from tracer.models.products import Certificate, Product
from tracer.platform import journal
from tracer.platform.services import services

PAGES = [
    "/programme",
    "/programme/organisations/new",
    "/programme/organisations/1",
    "/programme/users",
    "/programme/users/1",
    "/programme/inspectors/new",
    "/programme/certificates",
]


@pytest.fixture
def office(demo_app, demo):
    return sign_in_as(demo_app.test_client(), demo, AUTHORITY)


@pytest.mark.parametrize("email", [GAC_PRODUCER, INSPECTOR])
@pytest.mark.parametrize("path", PAGES)
def test_the_programme_console_is_forbidden_to_others(demo_app, demo, email, path):
    client = sign_in_as(demo_app.test_client(), demo, email)
    response = client.get(path)
    assert response.status_code == 403
    assert "Văn phòng điều phối OCOP" in text(response)


def test_writes_are_forbidden_to_producers(producer):
    size = ledger_size(producer)
    token = re.search(r'name="csrf_token" value="([^"]+)"', text(producer.get("/console"))).group(1)
    for path in ("/programme/organisations/2/rotate-key", "/programme/certificates", "/programme/users"):
        assert producer.post(path, data={"csrf_token": token}).status_code == 403
    assert ledger_size(producer) == size


def test_onboard_an_organisation_with_a_registered_key(office, demo_app):
    size = ledger_size(office)
    response = post_form(
        office,
        "/programme/organisations/new",
        {
            "name": "Hợp tác xã Lạp xưởng Bến Lức",
            "kind": "htx",
            "registration_no": "1100999888",
            "commune": "Thị trấn Bến Lức",
            "district": "Huyện Bến Lức",
            "province": "Long An",
        },
    )
    assert response.status_code == 302
    assert ledger_size(office) == size + 2  # its org.register and key.register entries
    page = text(office.get(response.headers["Location"]))
    assert "Hợp tác xã Lạp xưởng Bến Lức" in page
    assert len(re.findall(r'<td class="mono">[0-9a-f]{8,}</td>', page)) == 1
    listing = text(office.get("/programme"))
    assert "Hợp tác xã Lạp xưởng Bến Lức" in listing


def test_bad_organisation_is_answered_on_the_form(office):
    size = ledger_size(office)
    response = post_form(
        office,
        "/programme/organisations/new",
        {"name": "", "kind": "htx", "commune": "X", "district": "Y", "province": ""},
    )
    assert response.status_code == 422
    assert error_of(text(response), "name") == "Bắt buộc nhập."
    assert error_of(text(response), "province") == "Bắt buộc nhập."
    assert ledger_size(office) == size


def test_rotate_a_key(office, demo_app):
    """A reason is asked for, the rotation is shown to confirm, then the reason is signed with it."""
    org = query(demo_app, select(Organisation).where(Organisation.name == "Hợp tác xã Nông nghiệp Mỹ Cẩm"))[0]
    size = ledger_size(office)
    path = f"/programme/organisations/{org.id}/rotate-key"
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', text(office.get(f"/programme/organisations/{org.id}"))
    )
    no_reason = office.post(path, data={"csrf_token": token.group(1)})
    assert no_reason.status_code == 422 and error_of(text(no_reason), "reason")
    review = office.post(path, data={"csrf_token": token.group(1), "reason": "Điện thoại bị mất"})
    assert confirm_page(review) and ledger_size(office) == size
    assert "Lý do: “Điện thoại bị mất”" in text(review) and org.name in text(review)
    response = confirm(office, review)
    assert response.status_code == 302
    # the new key registered, the reason signed by the authority, the old key revoked
    assert ledger_size(office) == size + 3
    with demo_app.app_context(), services(demo_app).engine.connect() as conn:
        note = json.loads(Envelope.from_json(journal.store().entry(conn, size + 1)).payload)
    assert note["type"] == "key.rotation" and note["rotation"]["reason"] == "Điện thoại bị mất"
    assert note["rotation"]["owner"] == f"org:{org.id}"
    verified = demo_app.test_cli_runner().invoke(args=["tracer", "ledger", "verify"])
    assert verified.exit_code == 0, verified.output
    html = text(office.get(response.headers["Location"]))
    assert "Đã đăng ký khóa mới" in html
    assert len(re.findall(r'<td class="mono">[0-9a-f]{8,}</td>', html)) == 2


def test_users_get_a_first_password_shown_once(office, demo_app):
    org = query(demo_app, select(Organisation).where(Organisation.name == "Hợp tác xã Nông nghiệp Mỹ Cẩm"))[0]
    response = post_form(
        office,
        "/programme/users",
        {
            "email": "thanhvien.moi@example.vn",
            "full_name": "Nguyễn Văn Bé",
            "role": "producer",
            "organisation_id": str(org.id),
        },
    )
    assert response.status_code == 200
    password = re.search(r'id="secret">([^<]+)<', text(response)).group(1)
    newcomer = demo_app.test_client()
    assert sign_in(newcomer, "thanhvien.moi@example.vn", password).headers["Location"] == "/console"
    duplicate = post_form(
        office,
        "/programme/users",
        {
            "email": "thanhvien.moi@example.vn",
            "full_name": "X",
            "role": "producer",
            "organisation_id": str(org.id),
        },
    )
    assert duplicate.status_code == 422
    assert "Đã có tài khoản cho thanhvien.moi@example.vn" in error_of(text(duplicate), "email")
    orphan = post_form(
        office,
        "/programme/users",
        {"email": "a@example.vn", "full_name": "A", "role": "producer", "organisation_id": ""},
    )
    assert "Người sản xuất phải thuộc một tổ chức." in error_of(text(orphan), "organisation_id")


def test_register_an_inspector_with_a_key(office):
    size = ledger_size(office)
    response = post_form(
        office,
        "/programme/inspectors/new",
        {"email": "qltt.travinh@example.vn", "full_name": "Lâm Thị Thu", "organisation_id": ""},
    )
    assert response.status_code == 200
    assert ledger_size(office) == size + 1
    assert re.search(r'id="secret">ocop-', text(response))


def test_the_office_cannot_make_tokens_for_people_but_can_revoke_theirs(office, demo_app, demo):
    """Changed with issue #18: the office used to issue tokens for anyone, and a token acts with its user's
    key (an inspector's signs inspections). Now the page offers no such form, the route answers 403 and
    stores nothing; the office can still revoke a token the person made."""
    from tracer.models.accounts import ApiToken, User

    user = query(demo_app, select(User).where(User.email == GAC_PRODUCER))[0]
    page = text(office.get(f"/programme/users/{user.id}"))
    assert f"/programme/users/{user.id}/tokens" not in page
    assert "Mã truy cập API là của riêng từng người" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    before = len(query(demo_app, select(ApiToken)))
    refused = office.post(f"/programme/users/{user.id}/tokens", data={"csrf_token": token, "name": "Kho"})
    assert refused.status_code == 403
    assert "Mã truy cập API là của riêng từng người" in text(refused)
    assert len(query(demo_app, select(ApiToken))) == before

    producer = sign_in_as(demo_app.test_client(), demo, GAC_PRODUCER)
    made = post_form(producer, "/account/tokens", {"name": "Phần mềm kho"})
    plaintext = re.search(r'id="secret">(oct_[^<]+)<', text(made)).group(1)
    api = demo_app.test_client()
    assert api.get("/console", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 200
    page = text(office.get(f"/programme/users/{user.id}"))
    assert plaintext not in page  # shown once, to its maker
    revoke = re.search(r'action="(/programme/tokens/\d+/revoke)"', page).group(1)
    assert office.post(revoke, data={"csrf_token": token}).status_code == 302
    assert api.get("/console", headers={"Authorization": f"Bearer {plaintext}"}).status_code == 401


def test_record_a_certificate_valid_36_months_by_default(office, demo_app):
    product = query(demo_app, select(Product).where(Product.name == "Tinh bột nghệ Cầu Kè"))[0]
    issued = today()
    response = post_form(
        office,
        "/programme/certificates",
        {
            "product_id": str(product.id),
            "stars": "4",
            "decision_no": "2024/QĐ-UBND",
            "issuing_level": "tinh",
            "issued_on": issued.strftime("%d/%m/%Y"),
            "valid_until": "",
        },
    )
    assert confirm_page(response)  # reviewed before it is signed
    until = add_months(issued, 36).strftime("%d/%m/%Y")
    sentence = (f"Chứng nhận Tinh bột nghệ Cầu Kè đạt 4 sao OCOP (quyết định 2024/QĐ-UBND), cấp ngày "
                f"{issued:%d/%m/%Y}, hiệu lực đến {until}.")  # fmt: skip
    assert sentence in text(response)
    response = confirm(office, response)
    assert response.status_code == 302
    receipt = text(office.get(response.headers["Location"]))
    assert sentence in receipt
    assert re.search(r'id="leaf-hash">[0-9a-f]{64}<', receipt)
    cert = query(demo_app, select(Certificate).where(Certificate.decision_no == "2024/QĐ-UBND"))[0]
    assert cert.stars == 4 and cert.valid_until == add_months(issued, 36)
    bad = post_form(
        office,
        "/programme/certificates",
        {
            "product_id": str(product.id),
            "stars": "6",
            "decision_no": "",
            "issuing_level": "tinh",
            "issued_on": issued.isoformat(),
            "valid_until": date(2000, 1, 1).isoformat(),
        },
    )
    assert bad.status_code == 422
    assert error_of(text(bad), "stars") == "Không được lớn hơn 5."
    assert error_of(text(bad), "decision_no") == "Bắt buộc nhập."


def test_add_a_product_to_an_organisation(office, demo_app):
    org = query(demo_app, select(Organisation).where(Organisation.name == "Hợp tác xã Nghệ Cầu Kè"))[0]
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', text(office.get(f"/programme/organisations/{org.id}"))
    )
    url = f"/programme/organisations/{org.id}/products"
    bad = office.post(
        url,
        data={
            "csrf_token": token.group(1),
            "name": "Nghệ viên",
            "ocop_group": "thao_duoc",
            "gtin": "8935049500019",
            "unit": "hũ",
        },
    )
    assert bad.status_code == 422
    assert "Chữ số kiểm tra của mã GTIN 8935049500019 không đúng (phải là 8)" in error_of(text(bad), "gtin")
    good = office.post(
        url,
        data={
            "csrf_token": token.group(1),
            "name": "Nghệ viên mật ong",
            "ocop_group": "thao_duoc",
            "unit": "hũ",
            "shelf_life_days": "365",
        },
    )
    assert good.status_code == 302
    assert "Nghệ viên mật ong" in text(office.get(f"/programme/organisations/{org.id}"))


def test_a_product_declares_its_net_content_and_yield_in_its_signed_registration(office, demo_app):
    org = query(demo_app, select(Organisation).where(Organisation.name == "Hợp tác xã Nghệ Cầu Kè"))[0]
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', text(office.get(f"/programme/organisations/{org.id}"))
    ).group(1)
    url = f"/programme/organisations/{org.id}/products"
    fields = {"csrf_token": token, "name": "Tinh bột nghệ 200 g", "ocop_group": "thao_duoc", "unit": "hũ"}
    for key, value in (("max_yield", "nhiều"), ("net_content", "một hũ")):
        bad = office.post(url, data={**fields, key: value})
        assert bad.status_code == 422 and error_of(text(bad), key), key
    good = office.post(url, data={**fields, "net_content": "200 g", "max_yield": "0,2 kg/kg"})
    assert good.status_code == 302
    product = query(demo_app, select(Product).where(Product.name == "Tinh bột nghệ 200 g"))[0]
    assert (product.net_content, product.max_yield) == ("200 g", "0.2 kg/kg")
    with demo_app.app_context(), services(demo_app).engine.connect() as conn:
        signed = json.loads(Envelope.from_json(journal.store().entry(conn, product.ledger_index)).payload)
    assert signed["product"]["net_content"] == "200 g" and signed["product"]["max_yield"] == "0.2 kg/kg"
    verified = demo_app.test_cli_runner().invoke(args=["tracer", "ledger", "verify"])
    assert verified.exit_code == 0, verified.output
