"""The package page in plain words for shoppers (issue #20, item 7): the auditors' table folded under
"Dành cho cán bộ kiểm tra" without script, times in Vietnam time, numbers as the reader writes them."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask
from flask.testing import FlaskClient

from tests.resolver.conftest import Pkg
from tracer.platform.i18n import format_amounts, format_clock, format_day


def test_numbers_as_the_reader_writes_them(demo_app: Flask) -> None:
    with demo_app.test_request_context("/"):
        assert format_amounts("1200 kg") == "1.200 kg"
        assert format_amounts("Dầu gấc nguyên chất (60.5 lít)") == "Dầu gấc nguyên chất (60,5 lít)"
        assert format_amounts("4.5") == "4,5"
        assert format_amounts("Quyết định 1868/QĐ-UBND") == "Quyết định 1868/QĐ-UBND"  # not an amount
        assert format_amounts("ấp số 2, lô A1") == "ấp số 2, lô A1"
    with demo_app.test_request_context("/?lang=en"):
        assert format_amounts("1200.5 kg") == "1,200.5 kg"


def test_moments_in_vietnam_time() -> None:
    late = datetime(2026, 11, 30, 20, 30, tzinfo=UTC)  # 03:30 on 1 December in Vietnam
    assert (format_day(late), format_clock(late)) == ("01/12/2026", "03:30")


def test_the_auditors_table_is_folded_and_the_page_speaks_vietnamese(
    demo_client: FlaskClient, gac: Pkg
) -> None:
    html = demo_client.get(gac.path).get_data(as_text=True)
    folded = '<details class="card trust" id="trust"><summary><h2>Dành cho cán bộ kiểm tra</h2>'
    assert folded in html and "<script" not in html.split(folded)[1]
    assert "(giờ Việt Nam)" in html and " UTC" not in html
    assert "1.200 kg" in html  # the harvest, as a Vietnamese reader writes it
    english = demo_client.get(gac.path + "?lang=en").get_data(as_text=True)
    assert "For inspectors and auditors" in english and "1,200 kg" in english and "(Vietnam time)" in english
