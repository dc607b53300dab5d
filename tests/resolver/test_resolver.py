"""The GS1-Conformant Resolver behaviours, one test each, on both databases."""

from __future__ import annotations

from tests.resolver.conftest import count_scans, packages, scan_rows

GS1 = "https://gs1.org/voc/"
LINKSET = "application/linkset+json"


def test_resolver_description(demo_client):
    response = demo_client.get("/.well-known/gs1resolver")
    assert response.status_code == 200
    body = response.get_json()
    assert body["resolverRoot"] == "https://trace.example.vn"
    assert body["supportedPrimaryKeys"] == ["01"]
    assert body["supportedLinkType"][0]["prefix"] == "gs1:"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_browser_gets_the_origin_page(demo_client, gac):
    response = demo_client.get(gac.path, headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "Dầu gấc Mỹ Cẩm" in html
    assert "Vườn gấc ấp số 2" in html
    assert "OCOP 4 sao" in html
    assert 'rel="linkset"' in response.headers["Link"]


def test_linkset_by_accept_header(demo_client, gac):
    response = demo_client.get(gac.path, headers={"Accept": LINKSET})
    assert response.status_code == 200
    assert response.mimetype == LINKSET
    entry, lot, product = response.get_json()["linkset"]  # the package, then each level above it
    assert entry["anchor"] == "https://trace.example.vn" + gac.path
    assert entry["itemDescription"] == f"Dầu gấc Mỹ Cẩm, lô {gac.lot}, gói {gac.serial}"
    assert entry[GS1 + "defaultLink"] == [  # only href and title (GS1's linkset schema)
        {"href": "https://trace.example.vn" + gac.path, "title": "Nguồn gốc sản phẩm: Dầu gấc Mỹ Cẩm"}
    ]
    assert lot["anchor"] == f"https://trace.example.vn/01/{gac.gtin}/10/{gac.lot}"
    assert lot[GS1 + "recallStatus"][0]["title"] == "Không bị thu hồi"
    assert product["anchor"] == f"https://trace.example.vn/01/{gac.gtin}"
    assert product[GS1 + "defaultLink"][0]["href"] == product["anchor"]
    assert {link["hreflang"][0] for link in entry[GS1 + "pip"]} == {"vi", "en"}
    assert entry[GS1 + "traceability"] == [
        {
            "href": f"https://trace.example.vn/api/v1/epcis/events?lot={gac.lot}",
            "type": "application/ld+json",
            "title": f"Sự kiện truy xuất của lô {gac.lot} (EPCIS 2.0)",
        }
    ]
    assert "OCOP 4 sao" in entry[GS1 + "certificationInfo"][0]["title"]
    assert entry[GS1 + "recallStatus"][0]["title"] == "Không bị thu hồi"
    assert all(link["title"] for links in entry.values() if isinstance(links, list) for link in links)


def test_linkset_by_query_parameter(demo_client, gac):
    response = demo_client.get(gac.path + "?linkType=linkset", headers={"Accept-Language": "en"})
    assert response.mimetype == LINKSET
    entry = response.get_json()["linkset"][0]
    assert entry[GS1 + "recallStatus"][0]["title"] == "Not recalled"


def test_link_type_redirects_with_307(demo_client, gac):
    response = demo_client.get(gac.path + "?linkType=gs1:pip", headers={"Accept-Language": "en"})
    assert response.status_code == 307
    assert response.headers["Location"] == f"https://trace.example.vn{gac.path}?lang=en"
    response = demo_client.get(gac.path + "?linkType=gs1:traceability")
    assert response.status_code == 307
    assert response.headers["Location"].endswith(f"/api/v1/epcis/events?lot={gac.lot}")


def test_link_type_we_do_not_have_is_404(demo_client, gac):
    response = demo_client.get(gac.path + "?linkType=gs1:smpc", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_head_answers_without_body_or_scan(demo_client, demo_app, gac):
    before = count_scans(demo_app)
    response = demo_client.head(gac.path)
    assert response.status_code == 200
    assert response.get_data() == b""
    assert "Link" in response.headers
    assert count_scans(demo_app) == before


def test_options_is_a_cors_preflight(demo_client, gac):
    response = demo_client.options(
        gac.path, headers={"Origin": "https://scanner.example", "Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]
    assert "GET" in response.headers["Allow"]


def test_cors_headers_expose_link(demo_client, gac):
    response = demo_client.get(gac.path, headers={"Origin": "https://scanner.example", "Accept": LINKSET})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Link" in response.headers["Access-Control-Expose-Headers"]


def test_bad_syntax_is_400_page_or_problem(demo_client, gac):
    bad = gac.path.replace("08935049500018", "08935049500019")  # wrong check digit
    page = demo_client.get(bad, headers={"Accept": "text/html"})
    assert page.status_code == 400
    assert "Đây không phải là mã sản phẩm hợp lệ" in page.get_data(as_text=True)
    problem = demo_client.get(bad, headers={"Accept": "application/problem+json"})
    assert problem.status_code == 400
    assert problem.mimetype == "application/problem+json"
    assert "check digit" in problem.get_json()["detail"]
    assert demo_client.get("/01/08935049500018/21/ABC/10/LOT").status_code == 400  # wrong order


def test_unknown_code_is_404_counterfeit_page_and_recorded(demo_client, demo_app):
    path = "/01/08935049500018/10/LNOTOURS01/21/ZZZZZZZZZZZZ"
    response = demo_client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert "Mã này không do hệ thống phát hành và có thể là hàng giả" in response.get_data(as_text=True)
    [scan] = scan_rows(demo_app, outcome="unknown")
    assert scan.serial is None
    assert scan.code == path
    problem = demo_client.get(path, headers={"Accept": "application/json"})
    assert problem.status_code == 404
    assert problem.mimetype == "application/problem+json"


def test_real_serial_under_another_gtin_is_not_ours(demo_client, demo_app, gac, demo):
    cacao = packages(demo_app, demo.lots["cacao_powder"])[0]
    forged = f"/01/{cacao.gtin}/10/{cacao.lot}/21/{gac.serial}"
    assert demo_client.get(forged).status_code == 404
    wrong_lot = f"/01/{gac.gtin}/10/{cacao.lot}/21/{gac.serial}"
    assert demo_client.get(wrong_lot).status_code == 404
    assert len(scan_rows(demo_app, outcome="unknown")) == 2


def test_short_form_resolves_and_is_typed_by_hand(demo_client, demo_app, demo):
    turmeric = packages(demo_app, demo.lots["turmeric"])[0]
    assert turmeric.gtin is None and turmeric.path == f"/p/{turmeric.serial}"
    response = demo_client.get(f"/p/{turmeric.serial.lower()}")
    assert response.status_code == 200
    assert "Tinh bột nghệ Cầu Kè" in response.get_data(as_text=True)


def test_every_get_records_a_genuine_scan(demo_client, demo_app, gac):
    demo_client.get(gac.path, headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) Zalo/24 Chrome/120"})
    [scan] = scan_rows(demo_app, serial=gac.serial)
    assert scan.outcome == "genuine"
    assert scan.user_agent_family == "Zalo"
    assert len(scan.client_hash) == 64 and "127.0.0.1" not in scan.client_hash


def test_recalled_package_shows_banner_and_is_recorded(demo_client, demo_app, sausage):
    html = demo_client.get(sausage.path).get_data(as_text=True)
    assert "Sản phẩm đã bị thu hồi" in html
    assert "vượt ngưỡng nitrit" in html
    assert scan_rows(demo_app, serial=sausage.serial)[0].outcome == "recalled"
    linkset = demo_client.get(sausage.path + "?linkType=linkset").get_json()["linkset"][0]
    assert linkset[GS1 + "recallStatus"][0]["title"].startswith("Đã bị thu hồi")
