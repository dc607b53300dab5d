"""Link previews and sharing (issue #20, item 5): Open Graph tags on package, product and catalogue pages, and
a share button; a shared link names the product or the lot, never the package's serial."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.resolver.conftest import Pkg


def _og(html: str) -> dict[str, str]:
    return dict(re.findall(r'<meta property="og:([a-z_:]+)" content="([^"]*)">', html))


def test_package_page_previews_the_product_not_the_serial(demo_client: FlaskClient, gac: Pkg) -> None:
    html = demo_client.get(gac.path).get_data(as_text=True)
    og = _og(html)
    assert og["title"].startswith("Dầu gấc Mỹ Cẩm") and "OCOP 4★" in og["title"]
    assert "Mỹ Cẩm" in og["description"] and og["locale"] == "vi_VN"
    assert og["url"].endswith(f"/01/{gac.gtin}/10/{gac.lot}")
    assert all(gac.serial not in value for value in og.values())
    assert 'class="share-link"' in html
    # The page is cached per lot: a second package of the lot gets the same preview, with its own serial in
    # the page.
    assert 'name="twitter:card" content="summary"' in html


def test_product_and_catalogue_pages_preview_too(demo_client: FlaskClient, gac: Pkg) -> None:
    product = demo_client.get(f"/01/{gac.gtin}").get_data(as_text=True)
    og = _og(product)
    assert og["title"].startswith("Dầu gấc Mỹ Cẩm") and og["url"].endswith(f"/01/{gac.gtin}")
    assert 'class="share-link"' in product
    english = _og(demo_client.get(f"/01/{gac.gtin}?lang=en").get_data(as_text=True))
    assert english["locale"] == "en_US"
    catalogue = _og(demo_client.get("/products").get_data(as_text=True))
    assert catalogue["title"] == "Sản phẩm OCOP đã được chứng nhận" and catalogue["url"].endswith("/products")
