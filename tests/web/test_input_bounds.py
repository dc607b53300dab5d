"""Issue 18's reproductions against the pages, each once a server error: the inspector's dates, the
programme's organisation choice, NUL in the login e-mail, the console forms, the CSV import, the province
filter and a scanned code; now a 4xx page (or problem+json) naming the field, nothing written, on SQLite and
PostgreSQL. Spoofing characters in producer text are refused next to their field."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlmodel import func, select

from tests.support.accounts import AUTHORITY, GAC_PRODUCER, INSPECTOR, password_of
from tests.web.conftest import csrf, error_of, ledger_size, query, save_form, sign_in_as, text
from tests.web.test_console_forms import gac
from tracer.models.accounts import User
from tracer.models.lots import Lot, Package
from tracer.models.organisations import Organisation
from tracer.models.products import Product
from tracer.platform.clock import today

TODAY = today().isoformat()
NOT_DIGITS = ["abc", "²", "٣", "1e3", " ", "-1", "0", str(2**31), str(2**63)]


def users_count(app: Any) -> int:
    return int(query(app, select(func.count()).select_from(User))[0])


def problem_of(response: Any, status: int, field: str) -> dict[str, Any]:
    assert response.status_code == status, text(response)[:2000]
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["field"] == field, problem
    return problem  # type: ignore[no-any-return]


# -- the inspector's filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/inspector", "/inspector/anomalies.csv", "/inspector/inspections.csv"])
def test_inspector_dates_from_year_1_or_to_9999_are_refused_naming_the_field(demo_client, demo, path):
    sign_in_as(demo_client, demo, INSPECTOR)
    for parameter, value in [("since", "0001-01-01"), ("until", "9999-12-31"), ("until", "0001-01-02"),
                             ("since", "1999-12-31")]:  # fmt: skip
        url = f"{path}?{parameter}={value}"
        problem = problem_of(demo_client.get(url, headers={"Accept": "application/json"}), 422, parameter)
        assert value in problem["detail"]
        page = demo_client.get(url)
        assert page.status_code == 422 and page.mimetype == "text/html"
        assert f"Ngày {value}" in text(page)  # said in Vietnamese, naming the date
    reversed_ = demo_client.get(
        f"{path}?since=2024-02-01&until=2024-01-01", headers={"Accept": "application/json"}
    )
    problem_of(reversed_, 422, "since")
    assert demo_client.get(f"{path}?since=2000-01-01&until={TODAY}").status_code == 200


def test_a_nul_in_the_province_filter_is_400_naming_it(demo_client, demo):
    sign_in_as(demo_client, demo, INSPECTOR)
    problem_of(demo_client.get("/inspector?province=Tr%00", headers={"Accept": "application/json"}), 400,
               "province")  # fmt: skip
    page = demo_client.get("/inspector?province=Tr%00")
    assert page.status_code == 400 and page.mimetype == "text/html"
    assert "province" in text(page) and "U+0000" in text(page) and "ký tự điều khiển" in text(page)


# -- the programme console -----------------------------------------------------------------------------------


@pytest.fixture
def office(demo_app, demo) -> FlaskClient:
    return sign_in_as(demo_app.test_client(), demo, AUTHORITY)


@pytest.mark.parametrize(
    ("path", "fields"),
    [
        ("/programme/users", {"email": "moi@example.vn", "full_name": "Người Mới", "role": "producer"}),
        ("/programme/inspectors/new", {"email": "qltt@example.vn", "full_name": "Lâm Thu"}),
    ],
)
def test_an_organisation_that_is_not_an_id_is_answered_on_the_form(office, demo_app, path, fields):
    people, size = users_count(demo_app), ledger_size(office)
    for value in NOT_DIGITS:
        response = save_form(office, path, {**fields, "organisation_id": value})
        assert response.status_code == 422, (value, text(response)[:2000])
        assert error_of(text(response), "organisation_id"), value
    assert users_count(demo_app) == people and ledger_size(office) == size


def test_spoofing_characters_in_an_organisation_are_answered_on_the_form(office, demo_app):
    fields = {"name": "HTX Gấc\u202e", "kind": "htx", "commune": "Mỹ Cẩm", "district": "Càng Long",
              "province": "Trà Vinh"}  # fmt: skip
    count = len(query(demo_app, select(Organisation)))
    response = save_form(office, "/programme/organisations/new", fields)
    assert response.status_code == 422
    assert "U+202E" in error_of(text(response), "name") and "vô hình" in error_of(text(response), "name")
    response = save_form(
        office, "/programme/organisations/new", {**fields, "name": "HTX", "commune": "M\u200by"}
    )
    assert response.status_code == 422 and "U+200B" in error_of(text(response), "commune")
    assert len(query(demo_app, select(Organisation))) == count


def test_a_certificate_valid_until_9999_is_answered_on_the_form(office, demo_app):
    product = query(demo_app, select(Product))[0]
    size = ledger_size(office)
    response = save_form(office, "/programme/certificates", {
        "product_id": str(product.id), "stars": "3", "decision_no": "1/QĐ", "issuing_level": "tinh",
        "issued_on": "01/01/0001", "valid_until": "31/12/9999"})  # fmt: skip
    assert response.status_code == 422
    assert "0001-01-01" in error_of(text(response), "issued_on")
    assert "9999-12-31" in error_of(text(response), "valid_until")
    for product_id in ("²", str(2**63), "abc"):
        bad = save_form(office, "/programme/certificates", {"product_id": product_id, "stars": "3",
                        "decision_no": "1/QĐ", "issuing_level": "tinh", "issued_on": TODAY})  # fmt: skip
        assert bad.status_code == 422 and error_of(text(bad), "product_id")
    assert ledger_size(office) == size


@pytest.mark.parametrize("number", [str(2**31), str(2**63), "99999999999999999999", "٣"])
def test_urls_with_ids_beyond_32_bits_or_other_digits_are_404(office, number):
    for path in (f"/programme/organisations/{number}", f"/programme/users/{number}",
                 f"/programme/receipts/{number}"):  # fmt: skip
        assert office.get(path).status_code == 404, path


# -- signing in and the producer's console -------------------------------------------------------------------


def test_a_nul_in_the_login_email_is_400_naming_the_field(demo_client, demo):
    token = csrf(demo_client, "/login")
    for email, field in [("htx.mycam@example.vn\x00", "email"), ("a\x00b", "email"), ("x\x01", "email")]:
        response = demo_client.post(
            "/login", data={"csrf_token": token, "email": email, "password": "x" * 12}
        )
        assert response.status_code == 400 and response.mimetype == "text/html"
        assert field in text(response) and "ký tự điều khiển" in text(response)
        as_json = demo_client.post("/login", data={"csrf_token": token, "email": email, "password": "x" * 12},
                                   headers={"Accept": "application/json"})  # fmt: skip
        problem_of(as_json, 400, field)
    password = password_of(demo, GAC_PRODUCER)
    response = demo_client.post(
        "/login", data={"csrf_token": token, "email": GAC_PRODUCER, "password": password}
    )
    assert response.status_code == 302  # a control character in one attempt does not lock anyone out


@pytest.fixture
def producer(demo_client, demo) -> FlaskClient:
    return sign_in_as(demo_client, demo, GAC_PRODUCER)


def _harvest_form(zone: str, **changes: str) -> dict[str, str]:
    return {"zone_id": zone, "name": "Quả gấc chín", "quantity": "12", "unit": "kg", "harvested_on": TODAY,
            **changes}  # fmt: skip


@pytest.mark.parametrize("field", ["name", "unit", "quantity", "zone_id", "harvested_on", "product_id"])
def test_a_nul_in_a_console_form_is_400_and_stores_nothing(producer, demo_app, field):
    _org, zone, _product = gac(demo_app)
    size = ledger_size(producer)
    data = _harvest_form(zone.id, **{field: "Gấc\x00"})
    response = save_form(producer, "/console/harvest", data)
    assert response.status_code == 400, text(response)[:2000]
    assert field in text(response) and "U+0000" in text(response)
    assert ledger_size(producer) == size


def test_spoofing_characters_in_console_forms_are_answered_next_to_the_field(producer, demo_app):
    _org, zone, product = gac(demo_app)
    size = ledger_size(producer)
    for name, code in [("Gấc\u202e", "U+202E"), ("G\u200bấc", "U+200B"), ("Gấc\u2066", "U+2066"),
                       ("\ufeffGấc", "U+FEFF")]:  # fmt: skip
        response = save_form(producer, "/console/harvest", _harvest_form(zone.id, name=name))
        assert response.status_code == 422
        assert code in error_of(text(response), "name") and "vô hình" in error_of(text(response), "name")
    lot = query(demo_app, select(Lot).where(Lot.organisation_id == zone.organisation_id))[0]
    response = save_form(producer, "/console/process", {
        "step": "Ép dầu", "processed_on": TODAY, "inputs-0-lot_id": lot.id, "inputs-0-quantity": "1",
        "outputs-0-name": "Dầu gấc\u202e", "outputs-0-quantity": "1", "outputs-0-unit": "l"})  # fmt: skip
    assert response.status_code == 422 and "U+202E" in error_of(text(response), "outputs-0-name")
    response = save_form(producer, "/console/zones", {"name": "Vườn", "crop": "Gấc", "commune": "Mỹ\u200dCẩm",
                         "district": "Càng Long", "province": "Trà Vinh"})  # fmt: skip
    assert response.status_code == 422 and "U+200D" in error_of(text(response), "commune")
    for product_id in ("²", str(2**63)):
        response = save_form(producer, "/console/harvest", _harvest_form(zone.id, product_id=product_id))
        assert response.status_code == 422 and error_of(text(response), "product_id")
    response = save_form(producer, "/console/harvest", _harvest_form(zone.id, harvested_on="01/01/0001"))
    assert response.status_code == 422 and "0001-01-01" in error_of(text(response), "harvested_on")
    assert ledger_size(producer) == size
    assert product.id  # the demo's product is left as it was


def test_vietnamese_typed_with_combining_marks_is_stored_precomposed(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    typed = unicodedata.normalize("NFD", "Quả gấc chín đỏ")
    response = save_form(producer, "/console/harvest", _harvest_form(zone.id, name=typed))
    assert response.status_code == 302, text(response)[:2000]
    names = {lot.name for lot in query(demo_app, select(Lot).where(Lot.zone_id == zone.id))}
    assert "Quả gấc chín đỏ" in names and typed not in names


# -- the CSV import ------------------------------------------------------------------------------------------


def _upload(client: FlaskClient, content: bytes) -> Any:
    return save_form(client, "/console/harvest/import", {"file": (io.BytesIO(content), "thu-hoach.csv")},
                     content_type="multipart/form-data")  # fmt: skip


def _report(response: Any) -> list[tuple[str, str, str]]:
    return re.findall(r'<tr><td>(\d+)</td><td class="mono">([^<]*)</td><td>([^<]*)</td></tr>', text(response))


@pytest.mark.parametrize(
    ("cell", "column", "says"),
    [
        ("product_id=" + str(2**70), "product_id", "2147483647"),
        ("product_id=" + str(2**31), "product_id", "2147483647"),
        ("product_id=²", "product_id", "số nguyên"),
        ("name=" + "x" * 131_073, "name", "2000 ký tự"),
        ("unit=" + "k" * 2001, "unit", "2000 ký tự"),
        ("name=Gấc\x00", "name", "U+0000"),
        ("name=Gấc\u202e", "name", "U+202E"),
        ("zone_id=Z\x00", "zone_id", ""),
        ("harvested_on=01/01/0001", "harvested_on", "0001-01-01"),
        ("harvested_on=9999-12-31", "harvested_on", "9999-12-31"),
    ],
)
def test_a_csv_cell_out_of_bounds_is_named_by_line_and_column(producer, demo_app, cell, column, says):
    _org, zone, product = gac(demo_app)
    name, value = cell.split("=", 1)
    good = {"zone_id": zone.id, "name": "Gấc", "quantity": "10", "unit": "kg", "harvested_on": TODAY,
            "product_id": str(product.id)}  # fmt: skip
    bad = {**good, name: value}
    header = ",".join(good)
    content = f"{header}\n{','.join(good.values())}\n{','.join(bad.values())}\n".encode()
    size = ledger_size(producer)
    response = _upload(producer, content)
    assert response.status_code == 422, text(response)[:2000]
    report = _report(response)
    assert [(line, col) for line, col, _ in report] == [("3", column)], report
    assert says in report[0][2]
    assert ledger_size(producer) == size


def test_a_csv_file_cut_short_inside_quotes_imports_nothing(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    size = ledger_size(producer)
    content = f'zone_id,name,quantity,unit,harvested_on\n{zone.id},Gấc,10,kg,{TODAY}\n"{"x" * 200_000}'
    response = _upload(producer, content.encode())
    assert response.status_code == 422 and _report(response)
    assert ledger_size(producer) == size


# -- a scanned code ------------------------------------------------------------------------------------------


def test_a_nul_in_a_scanned_code_is_404_on_the_fast_path_and_in_flask(demo_client, demo_app):
    with_gtin = select(Package, Product.gtin).join(Product, Product.id == Package.product_id)
    package, gtin = query(demo_app, with_gtin.where(Product.gtin.is_not(None)))[0]
    for path in ["/p/AB%00CD", f"/01/{gtin}/10/{package.lot_id}/21/{package.serial}%00",
                 f"/01/{gtin}/21/AB%00CD", f"/01/{gtin}%00", "/p/AB%00CD?lang=en"]:  # fmt: skip
        for accept in ("text/html", "application/json"):
            response = demo_client.get(path, headers={"Accept": accept})
            assert response.status_code in (400, 404), (path, response.status_code)
            assert "Traceback" not in text(response)
    assert demo_client.get(f"/01/{gtin}/10/{package.lot_id}/21/{package.serial}").status_code == 200
