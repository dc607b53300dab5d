"""Mass balance through the API (issue #19, item 2): each laundering path of the issue is refused with a 422
problem+json naming the numbers, and nothing is written; what balances is accepted; old entries that would
not balance stay valid (``ledger verify``). Both databases (the ``demo_app`` fixture is parametrised)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Flask
from sqlmodel import Session

from tests.api.helpers import Api, day
from tests.support.accounts import GAC_PRODUCER
from tracer.accounts.actors import SYSTEM
from tracer.events import balance
from tracer.events.onboarding import NewProduct, create_product
from tracer.models.lots import Lot
from tracer.platform.services import services


def _gac_zone(api: Api) -> str:
    return str(api.get(GAC_PRODUCER, "/zones").get_json()["items"][0]["id"])


def _gac_org(api: Api) -> int:
    return int(api.get(GAC_PRODUCER, "/zones").get_json()["items"][0]["organisation_id"])


def _gac_oil(api: Api) -> int:
    return int(next(p["id"] for p in api.all_items(None, "/products") if "Dầu gấc" in p["name"]))


def _harvest(api: Api, quantity: str, unit: str = "kg") -> str:
    body = {"type": "harvest", "zone_id": _gac_zone(api), "name": "Quả gấc chín", "quantity": quantity,
            "unit": unit, "harvested_on": day(-2)}  # fmt: skip
    return str(api.record(GAC_PRODUCER, body)["created"]["lot_ids"][0])


def _process(api: Api, lot: str, taken: str, made: str, unit: str = "lít", product: int | None = None,
             status: int = 201) -> dict[str, Any]:  # fmt: skip
    output: dict[str, Any] = {"name": "Dầu gấc nguyên chất", "quantity": made, "unit": unit}
    if product is not None:
        output["product_id"] = product
    body = {"type": "process", "step": "Ép dầu gấc", "processed_on": day(-1),
            "inputs": [{"lot_id": lot, "quantity": taken}], "outputs": [output]}  # fmt: skip
    return api.record(GAC_PRODUCER, body, status)


def _refused(api: Api, body: dict[str, Any], *numbers: str) -> dict[str, Any]:
    before = api.size()
    response = api.post(GAC_PRODUCER, "/events", body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"].endswith("/out-of-balance") and problem["title"] == "Out of balance", problem
    for number in numbers:
        assert number in problem["detail"], problem["detail"]
    assert api.size() == before  # nothing signed
    return problem  # type: ignore[no-any-return]


def _package(lot: str, product: int, count: int, net: str | None, used: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"type": "package", "lot_id": lot, "product_id": product, "count": count,
                            "packed_on": day()}  # fmt: skip
    if net is not None:
        body["net_content"] = net
    if used is not None:
        body["quantity_used"] = used
    return body


def test_one_kilogram_cannot_become_500000_litres(api: Api) -> None:
    raw = _harvest(api, "1")
    body = {"type": "process", "step": "Ép dầu gấc", "processed_on": day(-1),
            "inputs": [{"lot_id": raw, "quantity": "0.000001"}],
            "outputs": [{"name": "Dầu gấc", "quantity": "500000", "unit": "l"}]}  # fmt: skip
    problem = _refused(api, body, "500000 l", "0.000001", "at most 0.000001 l")
    assert problem["field"] == "outputs[0].quantity"
    with services(api.app).engine.connect() as conn, Session(bind=conn) as session:
        assert session.get(Lot, raw).remaining == Decimal(1)  # type: ignore[union-attr]


def test_packages_beyond_what_is_used_are_refused(api: Api) -> None:
    oil = str(_process(api, _harvest(api, "100"), "100", "25")["created"]["lot_ids"][0])
    product = _gac_oil(api)
    # 10,000 x 100 ml from 0.000001 l: the laundering
    problem = _refused(api, _package(oil, product, 10_000, "100 ml", "0.000001"),
                       "10000 packages x 100 ml = 1000 lít", "0.000001 lít")  # fmt: skip
    assert problem["field"] == "count"
    # 300 x 100 ml from a 25 l lot (all of it used): 30 l
    _refused(api, _package(oil, product, 300, "100 ml", None), "= 30 lít", "25 lít")
    # what fits is packed: 250 x 100 ml is the whole 25 l
    api.record(GAC_PRODUCER, _package(oil, product, 250, "100 ml", None))


def test_a_net_content_is_a_quantity_in_the_lots_measure(api: Api) -> None:
    oil = str(_process(api, _harvest(api, "100"), "100", "25")["created"]["lot_ids"][0])
    product = _gac_oil(api)
    for net, slug in (("một chai", "invalid-input"), ("2 quả", "invalid-input"), (None, "invalid-input")):
        response = api.post(GAC_PRODUCER, "/events", _package(oil, product, 1, net, "1"))
        assert response.status_code == 422 and response.get_json()["type"].endswith(slug), net
        assert response.get_json()["field"] == "net_content"


def test_fresh_produce_is_packaged_without_a_processing_step(api: Api) -> None:
    fruit = _harvest(api, "10")
    product = _gac_oil(api)
    _refused(api, _package(fruit, product, 21, "500 g", None), "21 packages x 500 g = 10.5 kg")
    receipt = api.record(GAC_PRODUCER, _package(fruit, product, 20, "0,5 kg", None))
    assert receipt["created"]["serial_count"] == 20


def test_a_declared_yield_bounds_the_step(api: Api) -> None:
    with api.app.app_context(), Session(services(api.app).engine) as session:
        command = NewProduct(name="Dầu gấc ép lạnh 250 ml", ocop_group="thuc_pham", unit="chai",
                             net_content="250 ml", max_yield="0,06 l/kg")  # fmt: skip
        product = create_product(
            session=session, actor=SYSTEM, organisation_id=_gac_org(api), command=command
        )
        product_id, declared = int(product.id), product.max_yield  # type: ignore[arg-type]
        session.commit()
    assert declared == "0.06 l/kg"  # canonical, as signed
    raw = _harvest(api, "50")
    body = {"type": "process", "step": "Ép dầu gấc", "processed_on": day(-1),
            "inputs": [{"lot_id": raw, "quantity": "50"}],
            "outputs": [{"name": "Dầu gấc", "quantity": "3.5", "unit": "lít",
                         "product_id": product_id}]}  # fmt: skip
    _refused(api, body, "3.5 lít", "at most 3 lít", "50 kg", "0.06 l/kg")
    # the same in millilitres, and counted outputs against a yield in litres, are refused the same way
    body["outputs"][0].update(quantity="3500", unit="ml")  # type: ignore[index]
    _refused(api, body, "at most 3000 ml")
    body["outputs"][0].update(quantity="3", unit="chai")  # type: ignore[index]
    assert api.post(GAC_PRODUCER, "/events", body).get_json()["type"].endswith("/out-of-balance")
    body["outputs"][0].update(quantity="3", unit="lít")  # type: ignore[index]
    oil = str(api.record(GAC_PRODUCER, body)["created"]["lot_ids"][0])
    # its net content is the product's: 12 x 250 ml = 3 l
    _refused(api, _package(oil, product_id, 13, None, None), "13 packages x 250 ml = 3.25 lít")
    receipt = api.record(GAC_PRODUCER, _package(oil, product_id, 12, None, None))
    assert receipt["event"]["net_content"] == "250 ml"


def test_outputs_share_the_inputs(api: Api) -> None:
    raw = _harvest(api, "10")
    body = {"type": "process", "step": "Tách", "processed_on": day(-1),
            "inputs": [{"lot_id": raw, "quantity": "10"}],
            "outputs": [{"name": "Thịt gấc", "quantity": "6", "unit": "kg"},
                        {"name": "Hạt gấc", "quantity": "5000", "unit": "g"}]}  # fmt: skip
    _refused(api, body, "at most 4000 g")
    body["outputs"][1]["quantity"] = "4000"  # type: ignore[index]
    api.record(GAC_PRODUCER, body)


def test_counted_outputs_need_a_declared_yield(api: Api) -> None:
    raw = _harvest(api, "10")
    body = {"type": "process", "step": "Làm bánh", "processed_on": day(-1),
            "inputs": [{"lot_id": raw, "quantity": "10"}],
            "outputs": [{"name": "Bánh gấc", "quantity": "5", "unit": "cái"}]}  # fmt: skip
    problem = _refused(api, body)
    assert problem["field"] == "outputs[0].unit" and "cái" in problem["detail"]


def test_a_harvest_beyond_its_zone_is_refused(api: Api) -> None:
    zone = api.get(GAC_PRODUCER, "/zones").get_json()["items"][0]
    assert zone["area_ha"] == "4.5" and zone["crop"] == "Gấc"  # 4.5 ha x 60 t/ha = 270 t a year
    body = {"type": "harvest", "zone_id": zone["id"], "name": "Quả gấc", "quantity": "1000", "unit": "tấn",
            "harvested_on": day(-1)}  # fmt: skip
    _refused(api, body, "1000 tấn", "4.5 ha of Gấc", "60 t/ha", "270000 kg")
    # the year's harvests add up: 1,200 kg (the demo's) + 268,000 kg fits, leaving 800 kg: 801 kg is refused
    api.record(GAC_PRODUCER, {**body, "quantity": "268000", "unit": "kg"})
    problem = _refused(api, {**body, "quantity": "801", "unit": "kg"}, "269200 kg was harvested")
    assert problem["field"] == "quantity"
    # counted produce is weighed at 10 g a piece: 80,001 pieces are 800.01 kg, more than the 800 kg left
    _refused(api, {**body, "quantity": "80001", "unit": "quả"})


def test_default_ceilings() -> None:
    assert balance.crop_ceiling("Vải thiều Lục Ngạn") == 30
    assert balance.crop_ceiling("GẤC") == 60
    assert balance.crop_ceiling("Cây lạ") == balance.DEFAULT_CEILING == 150


def test_old_entries_that_do_not_balance_stay_valid(api: Api, demo_app: Flask, monkeypatch: Any) -> None:
    raw = _harvest(api, "1")
    with monkeypatch.context() as patched:  # an entry signed before the rules existed
        patched.setattr(balance, "check_process", lambda *_args: None)
        _process(api, raw, "0.000001", "500000", unit="l")
    _process(api, _harvest(api, "1"), "1", "500000", unit="l", status=422)  # a new one is refused
    result = demo_app.test_cli_runner().invoke(args=["tracer", "ledger", "verify"])
    assert result.exit_code == 0, result.output


def test_a_batch_cannot_add_up_what_each_event_could_not(api: Api) -> None:
    """A batch (``POST /events`` with an array) meets the same rules, event by event, and writes nothing when
    one is refused: two harvests that fit alone but not together, the second named by its place."""
    zone = _gac_zone(api)
    harvest = {"type": "harvest", "zone_id": zone, "name": "Quả gấc", "quantity": "200", "unit": "tấn",
               "harvested_on": day(-1)}  # fmt: skip
    before = api.size()
    response = api.post(GAC_PRODUCER, "/events", [harvest, harvest])
    assert response.status_code == 422, response.get_data(as_text=True)
    problem = response.get_json()
    assert problem["type"].endswith("/out-of-balance") and problem["field"].startswith("[1]"), problem
    assert api.size() == before
