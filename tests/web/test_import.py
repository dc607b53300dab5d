"""CSV import of harvests: a good file imports every line; one bad line imports nothing and is named."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlmodel import select

from tests.api.helpers import assert_provable
from tests.web.conftest import ledger_size, query, save_form, text
from tests.web.test_console_forms import gac
from tracer.events.rules import today
from tracer.ledger.merkle import leaf_hash
from tracer.ledger.schema import ledger_checkpoints
from tracer.models.lots import Lot
from tracer.platform import journal
from tracer.platform.services import services


def upload(client, content: bytes, name: str = "thu-hoach.csv"):
    return save_form(
        client,
        "/console/harvest/import",
        {"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_a_good_file_imports_every_line(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    day = today().strftime("%d/%m/%Y")
    iso = today().isoformat()
    content = (
        f'zone_id,name,quantity,unit,harvested_on\n{zone.id},Quả gấc chín đợt 1,"120,5",kg,{day}\n'
        f'{zone.id},Quả gấc chín đợt 2,80,kg,{iso}\n\n{zone.id},"Gấc, loại 2",15,kg,{iso}\n'
    ).encode()
    size, checkpoints = ledger_size(producer), len(query(demo_app, select(ledger_checkpoints.c.size)))
    response = upload(producer, "\ufeff".encode() + content)  # with the BOM spreadsheets write
    assert response.status_code == 200, text(response)
    assert "Đã nhập 3 lần thu hoạch" in text(response)
    assert ledger_size(producer) == size + 3
    # appended together: one signed checkpoint for the file, against which every line is provable
    assert len(query(demo_app, select(ledger_checkpoints.c.size))) == checkpoints + 1
    with demo_app.app_context(), services(demo_app).engine.connect() as conn:
        journal.store().verify_store(conn)
        leaves = [(i, leaf_hash(journal.store().entry(conn, i))) for i in range(size, size + 3)]
    assert_provable(demo_app, leaves, size + 3)
    names = {lot.name for lot in query(demo_app, select(Lot).where(Lot.zone_id == zone.id))}
    assert {"Quả gấc chín đợt 1", "Quả gấc chín đợt 2", "Gấc, loại 2"} <= names


def test_semicolons_and_decimal_commas_as_spreadsheets_write_them(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    content = f"zone_id;name;quantity;unit;harvested_on\n{zone.id};Gấc;12,5;kg;{today():%d/%m/%Y}\n".encode()
    assert upload(producer, content).status_code == 200
    lot = query(demo_app, select(Lot).where(Lot.zone_id == zone.id, Lot.name == "Gấc"))[0]
    assert str(lot.quantity) == "12.5"


def test_one_bad_line_imports_nothing_and_is_named(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    iso = today().isoformat()
    content = (
        f"zone_id,name,quantity,unit,harvested_on\n{zone.id},Gấc tốt,10,kg,{iso}\n"
        f"{zone.id},Gấc hỏng,-3,kg,{iso}\n{zone.id},Gấc tốt 2,10,kg,{iso}\n"
    ).encode()
    before = len(query(demo_app, select(Lot)))
    size = ledger_size(producer)
    response = upload(producer, content)
    assert response.status_code == 422
    html = text(response)
    assert "Chưa nhập dòng nào" in html
    assert '<tr><td>3</td><td class="mono">quantity</td><td>Phải lớn hơn 0.</td></tr>' in html
    assert ledger_size(producer) == size
    assert len(query(demo_app, select(Lot))) == before


def test_a_line_the_domain_refuses_imports_nothing(producer, demo_app):
    _org, zone, _product = gac(demo_app)
    iso = today().isoformat()
    content = (
        f"zone_id,name,quantity,unit,harvested_on\n{zone.id},Gấc,10,kg,{iso}\n"
        f"ZNOTMINE00,Gấc,10,kg,{iso}\n{zone.id},Gấc,10,kg,{today() + timedelta(days=3):%d/%m/%Y}\n"
    ).encode()
    size = ledger_size(producer)
    response = upload(producer, content)
    assert response.status_code == 422
    html = text(response)
    assert '<tr><td>3</td><td class="mono">zone_id</td>' in html
    assert (
        '<tr><td>4</td><td class="mono">harvested_on</td><td>Ngày này nằm trong tương lai.</td></tr>' in html
    )
    assert ledger_size(producer) == size


def test_a_file_that_is_not_a_harvest_table(producer):
    response = upload(producer, b"ten,so luong\nGac,1\n")
    assert response.status_code == 422
    assert "Dòng đầu tiên thiếu cột zone_id" in text(response)
    response = upload(
        producer, "zone_id,name,quantity,unit,harvested_on\nZ1,Gấc,1,kg,2024-01-01\n".encode("utf-16")
    )
    assert "không phải văn bản UTF-8" in text(response)
