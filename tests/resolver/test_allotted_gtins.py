"""GTINs the programme allots under its GS1 Company Prefix (``TRACER_GS1_COMPANY_PREFIX``) to products
registered without one, so that every package gets a GS1 Digital Link (issue #22, item 8). Both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import col, select

from config.settings import Settings, SettingsError
from tests.resolver.conftest import packages
from tracer.accounts.actors import SYSTEM
from tracer.codes.gs1 import DEMO_COMPANY_PREFIX, GS1Error, allot_gtin
from tracer.demo import programme as demo_data
from tracer.events.onboarding import NewOrganisation, NewProduct, create_product, onboard_organisation
from tracer.models.products import Product
from tracer.platform import db
from tracer.platform.errors import Conflict


def test_allotted_gtins_have_their_check_digit() -> None:
    # 952000000001, weights 3,1,3... from the right: 1x3 + 2x1 + 5x3 + 9x1 = 29, check digit 1 (mod 10).
    assert allot_gtin(DEMO_COMPANY_PREFIX, 1) == "09520000000011"
    assert (
        allot_gtin("893123456", 999) == "08931234569990"
    )  # 8x1+9x3+3x1+1x3+2x1+3x3+4x1+5x3+6x1+9x3+9x1+9x3 = 140
    with pytest.raises(GS1Error, match="every GTIN under company prefix 952000000000 is allotted"):
        allot_gtin("952000000000", 1)  # a 12-digit prefix has one GTIN-13: item reference 0


def test_the_prefix_setting_is_checked(tmp_path: Path) -> None:
    env = {"TRACER_INSTANCE_PATH": str(tmp_path)}
    assert Settings.from_env(env).gs1_company_prefix is None  # no allotment unless configured
    assert Settings.from_env({**env, "TRACER_GS1_COMPANY_PREFIX": "8935049"}).gs1_company_prefix == "8935049"
    for bad in ("12345", "8935049x", "1234567890123", "８９３５０４９"):
        with pytest.raises(SettingsError, match="TRACER_GS1_COMPANY_PREFIX must be a GS1 Company Prefix"):
            Settings.from_env({**env, "TRACER_GS1_COMPANY_PREFIX": bad})


def _org(session):  # type: ignore[no-untyped-def]
    command = NewOrganisation(
        name="HTX Cầu Kè", kind="htx", commune="Xã Hòa Ân", district="Huyện Cầu Kè", province="Trà Vinh"
    )
    return onboard_organisation(session=session, actor=SYSTEM, command=command)


def _product(session, org, name, gtin=None, prefix=None):  # type: ignore[no-untyped-def]
    command = NewProduct(name=name, ocop_group="thuc_pham", unit="hũ", gtin=gtin)
    return create_product(
        session=session, actor=SYSTEM, organisation_id=org.id, command=command, company_prefix=prefix
    )


def test_products_without_a_gtin_are_allotted_the_next_one(app) -> None:  # type: ignore[no-untyped-def]
    with app.app_context(), db.writer() as session:
        org = _org(session)
        made = [
            _product(session, org, f"Sản phẩm {i}", gtin, "8939999")
            for i, gtin in enumerate([None, None, "8935049500049", None])
        ]
        without = _product(session, org, "Không mã")
    assert [p.gtin for p in made] == [
        allot_gtin("8939999", 1),
        allot_gtin("8939999", 2),
        "08935049500049",
        allot_gtin("8939999", 3),
    ]
    assert without.gtin is None  # no prefix: no GTIN (its packages get /p/ codes)
    with app.app_context(), db.writer() as session:
        org = _org(session)
        full = "893999999999"  # 12 digits: one GTIN-13, item reference 0, taken by nobody but never allotted
        with pytest.raises(Conflict, match=f"every GTIN under company prefix {full} is allotted"):
            _product(session, org, "Đầy", None, full)


def test_the_demo_prints_a_digital_link_on_every_package(app, client) -> None:  # type: ignore[no-untyped-def]
    """With a prefix (``tracer demo`` uses GS1's demonstration prefix when none is set) no package of the demo
    gets a /p/ code: the GTIN-less products are allotted GTINs, and their packages resolve by them."""
    with app.app_context(), db.writer() as session:
        result = demo_data.load(session, small=True, company_prefix=DEMO_COMPANY_PREFIX)
    with app.app_context():
        gtins = db.session().exec(select(Product.gtin).order_by(col(Product.id))).all()
    assert all(gtins) and any(g.startswith("0952") for g in gtins if g)
    for lot in result.lots.values():
        for package in packages(app, lot):
            assert package.gtin is not None and package.path.startswith("/01/")
            assert client.get(package.path).status_code == 200
