"""A producer of one organisation can neither see nor act on another's lots, on any console route."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.accounts import CACAO_PRODUCER
from tests.web.conftest import ledger_size, save_form, text
from tracer.events.rules import today

TODAY = today().isoformat()
LATER = (today() + timedelta(days=400)).isoformat()

# The gấc producer (HTX Mỹ Cẩm) is signed in; {other} is the cacao cooperative's powder lot.
READS = [
    "/console/lots/{other}",
    "/console/process?lot={other}",
    "/console/package?lot={other}",
    "/console/ship?lot={other}",
    "/console/recall?lot={other}",
]
WRITES = [
    (
        "/console/process",
        {
            "step": "Ép",
            "processed_on": TODAY,
            "inputs-0-lot_id": "{other}",
            "inputs-0-quantity": "1",
            "outputs-0-name": "Bột",
            "outputs-0-quantity": "1",
            "outputs-0-unit": "kg",
        },
        "inputs-0-lot_id",
    ),
    (
        "/console/package",
        {
            "lot_id": "{other}",
            "product_id": "{product}",
            "count": "5",
            "net_content": "200 g",
            "packed_on": TODAY,
        },
        "lot_id",
    ),
    (
        "/console/ship",
        {
            "lot_id": "{other}",
            "shipped_on": TODAY,
            "destination": "sale_point",
            "sale_point_name": "Chợ",
            "sale_point_province": "Trà Vinh",
        },
        "lot_id",
    ),
    ("/console/recall", {"lot_ids": "{other}", "reason": "Thu hồi thử"}, "lot_ids"),
    ("/console/receive", {"lot_id": "{other}", "received_on": TODAY}, "lot_id"),
]


@pytest.mark.parametrize("path", READS)
def test_another_organisations_lot_is_not_found(producer, demo, path):
    response = producer.get(path.format(other=demo.lots["cacao_powder"]))
    assert response.status_code == 404
    assert demo.lots["cacao_powder"] in text(response)
    assert "Bột cacao" not in text(response)
    # the domain's refusal in the reader's language, by its message id; never the API's English detail
    assert f"Không có lô {demo.lots['cacao_powder']} trong các lô hàng của tổ chức bạn." in text(response)
    assert "among your organisation" not in text(response)


@pytest.mark.parametrize(("path", "data", "field"), WRITES, ids=[w[0] for w in WRITES])
def test_another_organisations_lot_cannot_be_acted_on(producer, demo, path, data, field):
    other = demo.lots["cacao_powder"]
    filled = {k: v.format(other=other, product="1") for k, v in data.items()}
    size = ledger_size(producer)
    response = save_form(producer, path, filled)
    assert response.status_code == 422
    assert f'id="{field}-error"' in text(response)
    assert ledger_size(producer) == size


def test_the_dashboard_lists_only_my_lots(producer, demo):
    html = text(producer.get("/console"))
    assert demo.lots["gac_oil"] in html
    for key in ("cacao_powder", "sausage_recalled", "turmeric", "lychee"):
        assert demo.lots[key] not in html


def test_choices_offer_only_my_lots(producer, demo):
    for path in ("/console/process", "/console/package", "/console/ship", "/console/recall"):
        html = text(producer.get(path))
        assert demo.lots["cacao_powder"] not in html, path


def test_labels_of_another_organisation_are_not_offered(demo_app, demo):
    from tests.web.conftest import sign_in_as

    cacao = sign_in_as(demo_app.test_client(), demo, CACAO_PRODUCER)
    assert cacao.get(f"/console/lots/{demo.lots['gac_oil']}").status_code == 404


def test_a_refusal_without_message_id_shows_its_heading_not_the_english(producer):
    """current_actor's role refusal has no message id: the page says what the status means, in Vietnamese,
    and never the API's English detail (which problem+json clients still get)."""
    page = producer.get("/inspector")
    assert page.status_code == 403
    assert "Tài khoản của bạn không được mở phần này" in text(page)
    assert "may not do this" not in text(page)
    api = producer.get("/inspector", headers={"Accept": "application/problem+json"})
    assert api.status_code == 403 and "may not do this" in api.get_json()["detail"]
