"""The console's zone page and farm diary form (issue #19, item 6), on both databases: an entry signed and
listed; the harvest form refusing a harvest inside a pre-harvest interval next to its date field, in
Vietnamese, with the day it becomes allowed; bad input answered next to its field with nothing saved;
another organisation's zone not found."""

from __future__ import annotations

import re
from datetime import timedelta

from tests.support.accounts import CACAO_PRODUCER
from tests.web.conftest import error_of, ledger_size, save_form, sign_in_as, text
from tests.web.test_console_forms import gac, receipt_index
from tracer.events.rules import today


def _iso(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


def _spray(client, zone_id: str, offset: int, phi: str = "7", **extra: str):  # type: ignore[no-untyped-def]
    data = {
        "kind": "protection",
        "applied_on": _iso(offset),
        "product": "Amistar Top 325SC",
        "dose": "10 ml / bình 16 l",
        "phi_days": phi,
        **extra,
    }
    return save_form(client, f"/console/zones/{zone_id}", data)


def _harvest(client, zone_id: str, offset: int):  # type: ignore[no-untyped-def]
    data = {
        "zone_id": zone_id,
        "name": "Quả gấc chín",
        "quantity": "20",
        "unit": "kg",
        "harvested_on": _iso(offset),
    }
    return save_form(client, "/console/harvest", data)


def test_a_spraying_is_signed_listed_and_closes_the_zone_to_harvests(producer, demo_app) -> None:
    _org, zone, _product = gac(demo_app)
    page = text(producer.get("/console/zones"))
    assert f'href="/console/zones/{zone.id}"' in page
    index = receipt_index(_spray(producer, zone.id, -10, day_note := "7"))
    assert day_note == "7"
    receipt = text(producer.get(f"/console/receipts/{index}"))
    assert "Mục nhật ký canh tác" in receipt
    zone_page = text(producer.get(f"/console/zones/{zone.id}"))
    allowed = (today() + timedelta(days=-3)).strftime("%d/%m/%Y")
    assert "Amistar Top 325SC" in zone_page and "10 ml / bình 16 l" in zone_page
    assert f"thời gian cách ly 7 ngày, được thu hoạch từ {allowed}" in zone_page
    size = ledger_size(producer)
    refused = _harvest(producer, zone.id, -4)  # day PHI-1
    assert refused.status_code == 422
    assert error_of(text(refused), "harvested_on") == (
        f"Chưa hết thời gian cách ly: được thu hoạch từ ngày {allowed}."
    )
    assert ledger_size(producer) == size
    receipt_index(_harvest(producer, zone.id, -3))  # day PHI


def test_bad_entries_are_answered_next_to_the_field(producer, demo_app) -> None:
    _org, zone, _product = gac(demo_app)
    size = ledger_size(producer)
    missing = _spray(producer, zone.id, -1, phi="")
    assert missing.status_code == 422
    assert "thời gian cách ly" in text(missing)
    for phi, field_id in (("7,5", "phi_days"), ("-1", "phi_days"), ("99999999999999999999", "phi_days")):
        response = _spray(producer, zone.id, -1, phi=phi)
        assert response.status_code == 422, phi
        assert error_of(text(response), field_id), (phi, text(response)[:2000])
    future = _spray(producer, zone.id, 5)
    assert future.status_code == 422 and error_of(text(future), "applied_on")
    nul = _spray(producer, zone.id, -1, product="Amistar\x00")  # no request may carry a control character
    assert nul.status_code == 400 and "Traceback" not in text(nul)
    script = _spray(producer, zone.id, -1, notes="<script>alert(1)</script>")
    index = receipt_index(script)
    page = text(producer.get(f"/console/zones/{zone.id}"))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert ledger_size(producer) == size + 1 and index == size


def test_another_organisations_zone_is_not_found_and_a_form_needs_its_token(
    demo_client, demo, demo_app
) -> None:
    _org, zone, _product = gac(demo_app)
    client = sign_in_as(demo_client, demo, CACAO_PRODUCER)
    assert client.get(f"/console/zones/{zone.id}").status_code == 404
    assert client.get("/console/zones/Z%00").status_code in (400, 404)
    size = ledger_size(client)
    no_token = client.post(f"/console/zones/{zone.id}", data={"kind": "care", "applied_on": _iso(0)})
    assert no_token.status_code in (400, 404)
    assert ledger_size(client) == size


def test_the_zone_page_without_signing_in_goes_to_the_login(demo_client, demo_app) -> None:
    _org, zone, _product = gac(demo_app)
    response = demo_client.get(f"/console/zones/{zone.id}")
    assert response.status_code == 302 and re.search(r"/login\?next=", response.headers["Location"])
