"""The catalogue's province filter on the 2025 units (issue #19, item 5), on both databases: the choices are
the new provinces, a producer registered under an old one is listed under its new province with the old in
brackets, and a link or search by the old name still finds it."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def test_provinces_are_the_2025_ones_and_old_names_still_find(demo_client: FlaskClient) -> None:
    html = demo_client.get("/products").get_data(as_text=True)
    options = re.search(r'<select id="province" name="province">(.*?)</select>', html, re.S).group(1)
    assert 'value="Vĩnh Long"' in options and 'value="Trà Vinh"' not in options
    assert 'value="Tây Ninh"' in options and 'value="Long An"' not in options
    assert 'Vĩnh Long <span class="muted">(trước đây: Trà Vinh)</span>' in html
    new = demo_client.get("/products?province=Vĩnh Long").get_data(as_text=True)
    old = demo_client.get("/products?province=Trà Vinh").get_data(as_text=True)
    assert "Dầu gấc Mỹ Cẩm" in new and "Dầu gấc Mỹ Cẩm" in old
    assert "Bột cacao" not in old
    assert '<option value="Vĩnh Long" selected>' in old
    assert "Dầu gấc Mỹ Cẩm" not in demo_client.get("/products?province=Tây Ninh").get_data(as_text=True)
    english = demo_client.get("/products?lang=en").get_data(as_text=True)
    assert "(formerly Trà Vinh)" in english
