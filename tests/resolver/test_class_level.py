"""Class-level codes: ``/01/{gtin}`` (a product) and ``/01/{gtin}/10/{lot}`` (one of its lots), answered by
the resolver's Flask route (never the package fast path) with a page, JSON or a linkset, and never counted as
scans. Both databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update
from sqlmodel import col

from tests.resolver.conftest import Pkg, count_scans, packages, scan_rows
from tests.resolver.test_fastpath import _flask_requests
from tests.support.accounts import GAC_PRODUCER, bearer
from tracer.codes.gs1 import gtin_check_digit
from tracer.models.products import Product
from tracer.models.scans import ScanCount
from tracer.platform import db

GS1 = "https://gs1.org/voc/"
LINKSET = "application/linkset+json"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
NOTE = "Mỗi gói hàng có mã riêng: hãy quét mã trên gói để kiểm tra gói hàng đó có phải hàng thật không."
UNKNOWN_GTIN = "0893504950009" + str(gtin_check_digit("0893504950009"))


def _product(pkg: Pkg) -> str:
    return f"/01/{pkg.gtin}"


def _lot(pkg: Pkg) -> str:
    return f"/01/{pkg.gtin}/10/{pkg.lot}"


def test_product_page_names_product_producer_and_stars(demo_client, gac):
    response = demo_client.get(_product(gac), headers=HTML)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert response.headers["Content-Language"] == "vi"
    html = response.get_data(as_text=True)
    assert "<h1>Dầu gấc Mỹ Cẩm</h1>" in html
    assert "Hợp tác xã Nông nghiệp Mỹ Cẩm" in html
    assert "OCOP 4 sao" in html
    assert "Mã này chỉ sản phẩm, không phải một gói hàng cụ thể" in html and NOTE in html
    assert "Mã thật" not in html and gac.serial not in html  # no package's verdict, no serial
    assert (
        f'<https://trace.example.vn/01/{gac.gtin}?linkType=linkset>; rel="linkset"'
        in response.headers["Link"]
    )
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_product_page_in_english(demo_client, gac):
    html = demo_client.get(_product(gac) + "?lang=en").get_data(as_text=True)
    assert "This code names the product, not one package" in html
    assert "OCOP 4 stars" in html


def test_product_json(demo_client, gac):
    response = demo_client.get(_product(gac), headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["level"] == "product" and "lot" not in body
    assert body["uri"] == f"https://trace.example.vn/01/{gac.gtin}"
    assert body["product"]["name"] == "Dầu gấc Mỹ Cẩm"
    assert body["producer"]["name"] == "Hợp tác xã Nông nghiệp Mỹ Cẩm"
    assert body["ocop"]["stars"] == 4 and body["ocop"]["valid"] is True
    assert body["note"] == NOTE


@pytest.mark.parametrize(("suffix", "headers"), [("", {"Accept": LINKSET}), ("?linkType=all", {})])
def test_product_linkset(demo_client, gac, suffix, headers):
    response = demo_client.get(_product(gac) + suffix, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == LINKSET
    [entry] = response.get_json()["linkset"]
    uri = f"https://trace.example.vn/01/{gac.gtin}"
    assert entry["anchor"] == uri
    assert {link["hreflang"][0] for link in entry[GS1 + "pip"]} == {"vi", "en"}
    assert entry[GS1 + "pip"][0]["title"] == "Sản phẩm: Dầu gấc Mỹ Cẩm"
    assert entry[GS1 + "certificationInfo"][0]["href"] == uri + "#ocop"
    assert "OCOP 4 sao" in entry[GS1 + "certificationInfo"][0]["title"]
    assert GS1 + "traceability" not in entry and GS1 + "recallStatus" not in entry


def test_product_link_type_redirects_or_is_404(demo_client, gac):
    response = demo_client.get(_product(gac) + "?linkType=gs1:pip", headers={"Accept-Language": "en"})
    assert response.status_code == 307
    assert response.headers["Location"] == f"https://trace.example.vn/01/{gac.gtin}?lang=en"
    missing = demo_client.get(
        _product(gac) + "?linkType=gs1:traceability", headers={"Accept": "application/json"}
    )
    assert missing.status_code == 404
    assert missing.mimetype == "application/problem+json"


def test_lot_page_tells_the_journey(demo_client, gac):
    response = demo_client.get(_lot(gac), headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Dầu gấc Mỹ Cẩm" in html
    assert f"<code>{gac.lot}</code>" in html and "Dầu gấc nguyên chất" in html  # lot id and name
    for step in ("Vùng nguyên liệu", "Vườn gấc ấp số 2", "Chế biến", "Đóng gói"):
        assert step in html
    assert "Tình trạng thu hồi" in html and "Không bị thu hồi" in html
    assert "Sản phẩm đã bị thu hồi" not in html
    assert NOTE in html and "Mã thật" not in html and gac.serial not in html


def test_lot_json_and_linkset(demo_client, gac):
    body = demo_client.get(_lot(gac), headers={"Accept": "application/json"}).get_json()
    assert body["level"] == "lot"
    assert body["lot"]["id"] == gac.lot and body["lot"]["recalled"] is False
    assert [s["step"] for s in body["lot"]["journey"]][:4] == ["zone", "harvest", "process", "package"]
    response = demo_client.get(_lot(gac), headers={"Accept": LINKSET})
    assert response.mimetype == LINKSET
    entry, product = response.get_json()["linkset"]  # the lot, then the level above it: its GTIN
    assert entry["anchor"] == f"https://trace.example.vn{_lot(gac)}"
    assert entry["itemDescription"] == f"Lô {gac.lot} của Dầu gấc Mỹ Cẩm"
    assert product["anchor"] == f"https://trace.example.vn/01/{gac.gtin}"
    assert product["itemDescription"] == "Dầu gấc Mỹ Cẩm"
    assert (
        GS1 + "traceability" not in product and "OCOP 4 sao" in product[GS1 + "certificationInfo"][0]["title"]
    )
    assert (
        entry[GS1 + "traceability"][0]["href"]
        == f"https://trace.example.vn/api/v1/epcis/events?lot={gac.lot}"
    )
    assert entry[GS1 + "recallStatus"][0]["title"] == "Không bị thu hồi"
    assert "OCOP 4 sao" in entry[GS1 + "certificationInfo"][0]["title"]
    assert demo_client.get(_lot(gac) + "?linkType=all").get_json() == response.get_json()


def test_recalled_lot_shows_the_recall(demo_client, sausage):
    html = demo_client.get(_lot(sausage), headers=HTML).get_data(as_text=True)
    assert '<div id="status"><div class="banner bad" role="alert"><strong>Sản phẩm đã bị thu hồi' in html
    assert "vượt ngưỡng nitrit" in html
    body = demo_client.get(_lot(sausage), headers={"Accept": "application/json"}).get_json()
    assert body["lot"]["recalled"] is True and "nitrit" in body["lot"]["recallReason"]
    entry = demo_client.get(_lot(sausage) + "?linkType=all").get_json()["linkset"][0]
    assert entry[GS1 + "recallStatus"][0]["title"].startswith("Đã bị thu hồi")


@pytest.mark.parametrize("level", [_product, _lot])
def test_head_answers_without_body(demo_client, gac, level):
    response = demo_client.head(level(gac))
    assert response.status_code == 200
    assert response.get_data() == b""
    assert 'rel="linkset"' in response.headers["Link"]


def test_unknown_gtin_is_404_page_or_problem(demo_client, demo_app):
    page = demo_client.get(f"/01/{UNKNOWN_GTIN}", headers=HTML)
    assert page.status_code == 404
    assert "Không có sản phẩm OCOP nào mang mã này" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    problem = demo_client.get(f"/01/{UNKNOWN_GTIN}/10/L1", headers={"Accept": "application/json"})
    assert problem.status_code == 404
    assert problem.mimetype == "application/problem+json"
    assert demo_client.get(f"/01/{UNKNOWN_GTIN}?linkType=all").status_code == 404
    assert count_scans(demo_app) == 0  # not recorded: only a package's code is a scan


def test_unknown_lot_of_a_known_gtin_walks_up_to_the_product(demo_client, demo_app, demo, gac):
    """GS1-Conformant Resolver 1.2: a lot without links of its own is answered at the GTIN's level (the page,
    JSON and linkset of the product), the page saying the lot is not one of the product's; never a 404."""
    cacao = packages(demo_app, demo.lots["cacao_powder"])[0]
    for lot in (cacao.lot, "LNOTOURS01", demo.lots["gac_fruit"]):  # another product's, none, never packaged
        page = demo_client.get(f"/01/{gac.gtin}/10/{lot}", headers=HTML)
        assert page.status_code == 200, lot
        html = page.get_data(as_text=True)
        assert "<h1>Dầu gấc Mỹ Cẩm</h1>" in html
        assert f"Lô {lot} không phải là lô của sản phẩm này" in html
        body = demo_client.get(f"/01/{gac.gtin}/10/{lot}", headers={"Accept": "application/json"}).get_json()
        assert body["level"] == "product" and body["unknownLot"] == lot and "lot" not in body
        [entry] = demo_client.get(f"/01/{gac.gtin}/10/{lot}?linkType=linkset").get_json()["linkset"]
        assert entry["anchor"] == f"https://trace.example.vn/01/{gac.gtin}"
    english = demo_client.get(f"/01/{gac.gtin}/10/LNOTOURS01?lang=en").get_data(as_text=True)
    assert "Lot LNOTOURS01 is not a lot of this product that OCOP Tracer knows" in english
    assert count_scans(demo_app) == 0  # a class-level code is never a scan


def test_consumer_product_variant_walks_up_to_the_product(demo_client, gac):
    """AI 22 is a key qualifier (URI syntax 1.2): OCOP Tracer records no variants, so /22/ walks up to the
    GTIN, with or without a lot; no longer a 400."""
    for path in (f"/01/{gac.gtin}/22/ABC", f"/01/{gac.gtin}/22/ABC/10/{gac.lot}"):
        page = demo_client.get(path, headers=HTML)
        assert page.status_code == 200, path
        assert "<h1>Dầu gấc Mỹ Cẩm</h1>" in page.get_data(as_text=True)
        body = demo_client.get(path, headers={"Accept": "application/json"}).get_json()
        assert body["level"] == "product"


def test_unknown_gtin_is_404(demo_client):
    page = demo_client.get(f"/01/{UNKNOWN_GTIN}/10/L1", headers=HTML)
    assert page.status_code == 404
    assert demo_client.get(f"/01/{UNKNOWN_GTIN}/22/V").status_code == 404


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/01/08935049500019", "bad check digit"),
        ("/01/08935049500019/10/L1", "bad check digit"),
        ("/01/08935049500018/10/L%C3%B4", "bad character"),
        ("/01/08935049500018/17/261231", "unknown AI 17"),
    ],
)
def test_bad_syntax_is_400(demo_client, path, reason):
    page = demo_client.get(path, headers=HTML)
    assert page.status_code == 400
    assert "Đây không phải là mã sản phẩm hợp lệ" in page.get_data(as_text=True)
    problem = demo_client.get(path, headers={"Accept": "application/problem+json"})
    assert problem.status_code == 400
    assert reason in problem.get_json()["detail"]


def test_class_level_visits_are_not_scans(demo_client, demo_app, gac):
    demo_client.get(gac.path, headers=HTML)  # one scan of the package
    before = count_scans(demo_app)
    for path in (_product(gac), _lot(gac), _product(gac) + "?linkType=all"):
        assert demo_client.get(path, headers=HTML).status_code == 200
        assert demo_client.get(path, headers={"Accept": "application/json"}).status_code == 200
    assert count_scans(demo_app) == before == 1
    assert len(scan_rows(demo_app, serial=gac.serial)) == 1
    with demo_app.app_context():
        count = db.session().get(ScanCount, gac.serial)
        assert count is not None and count.scans == 1


def test_fast_path_leaves_class_level_codes_to_flask(demo_client, demo_app, gac):
    flask_seen = _flask_requests(demo_app)
    product, lot = demo_client.get(_product(gac)), demo_client.get(_lot(gac))  # plain GETs, HTML
    assert flask_seen == [_product(gac), _lot(gac)]
    assert product.status_code == lot.status_code == 200
    assert "Mã này chỉ sản phẩm" in product.get_data(as_text=True)
    assert "Vườn gấc ấp số 2" in lot.get_data(as_text=True)
    demo_client.get(gac.path)  # a package's code still skips Flask
    assert flask_seen == [_product(gac), _lot(gac)]


def test_everything_shown_is_escaped(demo_client, demo_app, gac):
    with demo_app.app_context(), db.writer() as session:
        session.execute(update(Product).where(col(Product.gtin) == gac.gtin).values(name="<b>Gấc</b>"))
    for path in (_product(gac), _lot(gac)):
        html = demo_client.get(path, headers=HTML).get_data(as_text=True)
        assert "&lt;b&gt;Gấc&lt;/b&gt;" in html and "<b>Gấc</b>" not in html


def test_lot_of_the_product_with_nothing_packed_yet_redirects_to_its_id(demo_client, demo_app, gac):
    """EPCIS names a lot of a GTIN product ``/01/{gtin}/10/{lot}`` from the moment it is made; until packages
    give it a journey, that code redirects to the lot's own identifier page."""
    headers = bearer(demo_app, GAC_PRODUCER)
    zone = demo_client.get("/api/v1/zones", headers=headers).get_json()["items"][0]["id"]
    with demo_app.app_context():
        product_id = db.session().execute(select(Product.id).where(Product.gtin == gac.gtin)).scalar_one()
    body = {"type": "harvest", "zone_id": zone, "name": "Gấc chín chờ ép", "quantity": "40", "unit": "kg",
            "harvested_on": date.today().isoformat(), "product_id": product_id}  # fmt: skip
    created = demo_client.post("/api/v1/events", json=body, headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    lot = created.get_json()["created"]["lot_ids"][0]
    response = demo_client.get(f"/01/{gac.gtin}/10/{lot}?lang=en", headers=HTML)
    assert response.status_code == 307
    assert response.headers["Location"] == f"/id/lot/{lot}?lang=en"
    page = demo_client.get(response.headers["Location"], headers=HTML)
    assert page.status_code == 200 and "Gấc chín chờ ép" in page.get_data(as_text=True)
    assert count_scans(demo_app) == 0
