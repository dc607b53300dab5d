"""Organisations and products are signed ledger entries (issue #16, item 1): the names a verdict shows come
from them, the packaging signer is bound to the product's organisation, and rows made before registrations
existed are brought into the ledger by ``tracer init``, signed by the authority."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text
from sqlmodel import select

from tests.scanner.conftest import log_key, serials_of
from tests.support.accounts import GAC_PRODUCER, actor
from tracer.accounts.actors import SYSTEM
from tracer.events.onboarding import NewProduct, create_product
from tracer.events.registrations import ORG_FIELDS, PRODUCT_FIELDS
from tracer.ledger import keystore
from tracer.ledger.dsse import Envelope
from tracer.models.organisations import Organisation
from tracer.models.products import Product
from tracer.platform import db, journal
from tracer.platform.services import services
from tracer.proofs.verdict import PackageProofError, verify_package_bundle


def _cli(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["tracer", *args])
    return result.exit_code, result.output


def _entry(app: Flask, index: int) -> tuple[dict[str, Any], str]:
    """The body of ledger entry ``index`` and the owner of the key that signed it."""
    with app.app_context(), db.engine().connect() as conn:
        envelope = Envelope.from_json(journal.store().entry(conn, index))
        keyid = envelope.signatures[0].keyid
        return json.loads(envelope.payload), keystore.records(conn, {keyid})[keyid].owner


def test_every_demo_organisation_and_product_is_registered_as_its_row_says(demo_app: Flask) -> None:
    with demo_app.app_context():
        orgs = db.session().exec(select(Organisation)).all()
        products = db.session().exec(select(Product)).all()
    assert orgs and products
    for org in orgs:
        assert org.ledger_index is not None
        body, owner = _entry(demo_app, org.ledger_index)
        assert body["type"] == "org.register" and owner == "authority"
        assert body["organisation"] == {k: getattr(org, k) for k in ORG_FIELDS if getattr(org, k) is not None}
    for product in products:
        assert product.ledger_index is not None
        body, owner = _entry(demo_app, product.ledger_index)
        assert body["type"] == "product.register"
        assert owner in ("authority", f"org:{product.organisation_id}")
        assert body["product"]["organisation_id"] == product.organisation_id
        assert set(body["product"]) <= set(PRODUCT_FIELDS)
    assert _cli(demo_app, "ledger", "verify")[0] == 0


def test_a_producer_signs_its_own_product(demo_app: Flask) -> None:
    producer = actor(demo_app, GAC_PRODUCER)
    assert producer.organisation_id is not None
    with demo_app.app_context(), db.writer() as session:
        org = producer.organisation_id
        tea = NewProduct(name="Trà gấc", ocop_group="do_uong", unit="hộp")
        product = create_product(session=session, actor=producer, organisation_id=org, command=tea)
        index = product.ledger_index
        powder = NewProduct(name="Bột gấc", ocop_group="thuc_pham", unit="gói")
        office = create_product(session=session, actor=SYSTEM, organisation_id=org, command=powder)
        office_index = office.ledger_index
    assert index is not None and office_index is not None
    assert _entry(demo_app, index)[1] == f"org:{producer.organisation_id}"
    assert _entry(demo_app, office_index)[1] == "authority"
    assert _cli(demo_app, "ledger", "verify")[0] == 0


def test_init_registers_rows_made_before_registrations(demo_app: Flask) -> None:
    """The migration step: rows without a registration (as after upgrading) fail the audit until ``init``
    registers them, signed by the authority; a second ``init`` registers nothing."""
    with services(demo_app).engine.begin() as conn:
        conn.execute(text("UPDATE organisations SET ledger_index = NULL"))
        conn.execute(text("UPDATE products SET ledger_index = NULL"))
        orgs = conn.execute(text("SELECT count(*) FROM organisations")).scalar_one()
        products = conn.execute(text("SELECT count(*) FROM products")).scalar_one()
    code, output = _cli(demo_app, "ledger", "verify")
    assert code == 1 and "no signed registration" in output
    code, output = _cli(demo_app, "init")
    assert code == 0, output
    assert f"registered {orgs} organisations and {products} products" in output
    assert _cli(demo_app, "ledger", "verify")[0] == 0, _cli(demo_app, "ledger", "verify")[1]
    with demo_app.app_context():
        product = db.session().exec(select(Product)).first()
    assert product is not None and product.ledger_index is not None
    body, owner = _entry(demo_app, product.ledger_index)
    assert owner == "authority" and body["by"] == "migration"
    code, output = _cli(demo_app, "init")
    assert code == 0 and "registered" not in output


def _bundle(app: Flask, client: Any, serial: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/packages/{serial}/proof")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()  # type: ignore[no-any-return]


def test_names_in_the_verdict_come_from_signed_registrations(demo_app: Flask, demo: Any) -> None:
    client = demo_app.test_client()
    serial = serials_of(demo_app, demo.lots["gac_oil"])[0]
    verdict = verify_package_bundle(_bundle(demo_app, client, serial), log_key(demo_app))
    assert verdict.status == "genuine"
    assert verdict.facts["product"]["name"] == "Dầu gấc Mỹ Cẩm"
    with demo_app.app_context():
        producer = db.session().get(Organisation, verdict.facts["product"]["organisation_id"])
    assert producer is not None and verdict.facts["producer"]["name"] == producer.name
    assert verdict.facts["product"]["organisation_id"] == verdict.facts["producer"]["id"]


RENAME = (
    "UPDATE organisations SET name = 'HTX Giả Mạo' WHERE id = (SELECT organisation_id FROM products "
    "WHERE id = (SELECT product_id FROM packages WHERE serial = :s))"
)
REBIND = (
    "UPDATE products SET organisation_id = (SELECT max(id) FROM organisations WHERE kind <> 'authority' "
    "AND id <> products.organisation_id) WHERE id = (SELECT product_id FROM packages WHERE serial = :s)"
)


@pytest.mark.parametrize(
    ("sql", "audit"), [(RENAME, "name is 'HTX Giả Mạo'"), (REBIND, "organisation_id is")]
)
def test_renaming_or_rebinding_in_the_database_never_verifies_genuine(
    demo_app: Flask, demo: Any, sql: str, audit: str
) -> None:
    """The issue's attacks: a changed ``organisations.name``, a product moved to another organisation. The
    proof endpoint's bundle then fails verification naming the summary; ``ledger verify`` names the row."""
    client = demo_app.test_client()
    serial = serials_of(demo_app, demo.lots["gac_oil"])[0]
    with services(demo_app).engine.begin() as conn:
        assert conn.execute(text(sql), {"s": serial}).rowcount == 1
    with pytest.raises(PackageProofError) as caught:
        verify_package_bundle(_bundle(demo_app, client, serial), log_key(demo_app))
    assert caught.value.code == "summary" and "producer name" in caught.value.reason
    code, output = _cli(demo_app, "ledger", "verify")
    assert code == 1 and audit in output
