"""``/products``: the public catalogue of certified OCOP products (issue #20, item 1), without JavaScript."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tracer.reads.catalogue import fold


def _names(html: str) -> list[str]:
    return re.findall(r'<li class="product">\s*<h3>(?:<a href="[^"]*">)?([^<]+)', html)


def test_only_products_certified_today_best_first(demo_client: FlaskClient) -> None:
    answer = demo_client.get("/products")
    assert answer.status_code == 200 and answer.mimetype == "text/html"
    html = answer.get_data(as_text=True)
    names = _names(html)
    assert "Dầu gấc Mỹ Cẩm" in names and "Bột cacao nguyên chất Ea Kly" in names
    assert not any("Vải thiều" in n for n in names)  # the lychee's certificate has expired
    assert (
        names.index("Dầu gấc Mỹ Cẩm") < names.index("Tinh bột nghệ Nghĩa Đàn")
        if "Tinh bột nghệ Nghĩa Đàn" in names
        else True
    )
    assert "Cửa hàng OCOP Trà Vinh (Trà Vinh)" in html  # where to buy, from the signed shipment
    assert 'href="/01/' in html  # each product links to its own page


def test_search_ignores_case_and_diacritics(demo_client: FlaskClient) -> None:
    assert fold("Dầu GẤC  Đắk") == "dau gac dak"
    for typed in ("dau gac", "DẦU GẤC", "my cam"):  # the producer's name counts too
        assert _names(demo_client.get("/products", query_string={"q": typed}).get_data(as_text=True)) == [
            "Dầu gấc Mỹ Cẩm"
        ], typed
    html = demo_client.get("/products", query_string={"q": "không có"}).get_data(as_text=True)
    assert _names(html) == [] and "Không có sản phẩm" in html


def test_filters_by_province_group_and_stars(demo_client: FlaskClient) -> None:
    assert _names(demo_client.get("/products?province=Đắk Lắk").get_data(as_text=True)) == [
        "Bột cacao nguyên chất Ea Kly"
    ]
    four = _names(demo_client.get("/products?stars=4").get_data(as_text=True))
    assert "Dầu gấc Mỹ Cẩm" in four and all("Lạp xưởng" not in n for n in four)  # 3 stars
    assert _names(demo_client.get("/products?stars=5").get_data(as_text=True)) == []
    everything = _names(demo_client.get("/products").get_data(as_text=True))
    food = _names(demo_client.get("/products?group=thuc_pham").get_data(as_text=True))
    assert food and set(food) <= set(everything)


def test_bad_choices_are_a_readable_page_never_an_error(demo_client: FlaskClient) -> None:
    for query in ("stars=abc", "stars=9", "page=0", "page=99999999999999999999", "q=" + "x" * 101,
                  "stars=%C2%B2"):  # fmt: skip
        answer = demo_client.get("/products?" + query)
        assert answer.status_code == 400, query
        assert 'id="catalogue-error"' in answer.get_data(as_text=True)
    assert demo_client.get("/products?page=50").status_code == 200  # past the end: the last page
    assert demo_client.get("/products?province=%00").status_code == 400  # the request guard's refusal


def test_english_and_escaping(demo_client: FlaskClient) -> None:
    html = demo_client.get("/products", query_string={"lang": "en", "q": "<script>x</script>"}).get_data(
        as_text=True
    )
    assert "Certified OCOP products" in html
    assert "<script>x</script>" not in html and "&lt;script&gt;x&lt;/script&gt;" in html


def test_the_home_page_leads_to_it(demo_app: Flask, demo_client: FlaskClient) -> None:
    assert '<a href="/products" id="catalogue-link">' in demo_client.get("/").get_data(as_text=True)
