"""The resolver against GS1's own texts (issue #22): GS1's linkset schema for every linkset we serve, the
levels above an item, the query string passed on when redirecting, link types in every namespace of the GS1
Web Vocabulary, data attributes and AI 22, compressed URIs, the resolver description and its JSON-LD context,
and RFC 9457 titles. Both databases.

GS1-Conformant Resolver 1.2 conformance statements (gs1/GS1DL-resolver-testsuite, ``Conformance1_2.txt``) are
quoted where a test checks one.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient

import tracer
from tests.codes.test_compression import compress
from tests.resolver.conftest import Pkg, count_scans, packages, scan_rows
from tests.resolver.test_ids import GAC_ZONE, MY_CAM, _org_id, _zone_id
from tracer.platform.errors import PROBLEM_TITLES, NotFound, TracerError

STANDARDS = Path(__file__).resolve().parents[2].parent / "shared" / "standards" / "gs1"
GS1_SCHEMA = jsonschema.Draft7Validator(json.loads((STANDARDS / "gs1-linkset-schema.json").read_text()))
RFC_SCHEMA = jsonschema.Draft7Validator(json.loads((STANDARDS / "linkset-schema.json").read_text()))
BASE = "https://trace.example.vn"
GS1 = "https://gs1.org/voc/"
LINKSET = "application/linkset+json"
CONTEXT = "https://ref.gs1.org/standards/resolver/1.2.0/linkset-context"


def _linkset(client: FlaskClient, path: str, lang: str = "vi") -> list[dict[str, object]]:
    """The linkset of ``path``, checked against GS1's linkset schema and the plain RFC 9264 one."""
    response = client.get(path, headers={"Accept": LINKSET, "Accept-Language": lang})
    assert response.status_code == 200, (path, response.status_code)
    assert response.mimetype == LINKSET
    body = response.get_json()
    errors = [f"{list(e.path)}: {e.message}" for e in GS1_SCHEMA.iter_errors(body)]
    assert not errors, (path, errors)
    # Without GS1's required itemDescription (which the plain schema does not know), it is RFC 9264's too.
    plain = {"linkset": [{k: v for k, v in e.items() if k != "itemDescription"} for e in body["linkset"]]}
    assert not list(RFC_SCHEMA.iter_errors(plain)), path
    assert f'<{CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"' in response.headers["Link"]
    return list(body["linkset"])


@pytest.fixture
def turmeric(demo_app: Flask, demo) -> Pkg:  # type: ignore[no-untyped-def]
    return packages(demo_app, demo.lots["turmeric"])[0]


def test_every_linkset_we_serve_validates_against_gs1s_schema(demo_client, demo_app, demo, gac, turmeric):
    """ "A JSON schema against which linksets returned from a GS1-Conformant resolver SHALL validate"
    (Resolver 1.2.0 artefacts): packages (with and without a GTIN), lots, products, a walked-up lot, a
    variant, and the /id/ identifiers, in both languages."""
    paths = [
        gac.path, turmeric.path, f"/01/{gac.gtin}/10/{gac.lot}", f"/01/{gac.gtin}",
        f"/01/{gac.gtin}/10/LNOTOURS01", f"/01/{gac.gtin}/22/ABC",
        f"/id/lot/{gac.lot}", f"/id/lot/{demo.lots['gac_fruit']}",
        f"/id/zone/{_zone_id(demo_app, GAC_ZONE)}", f"/id/org/{_org_id(demo_app, MY_CAM)}",
        f"/{compress({'01': gac.gtin, '10': gac.lot, '21': gac.serial})}",
    ]  # fmt: skip
    for path in paths:
        for lang in ("vi", "en"):
            entries = _linkset(demo_client, path, lang)
            for entry in entries:
                assert entry["itemDescription"], (path, entry)
                assert set().union(*(link.keys() for link in entry[GS1 + "defaultLink"])) == {"href", "title"}  # type: ignore[attr-defined]


def test_a_packages_linkset_lists_each_level_up_to_the_gtin(demo_client, gac, turmeric):
    """ "If the request GS1 Digital Link URI includes one or more key qualifiers, any links associated with
    each level up to the primary key SHALL be included." """
    anchors = [e["anchor"] for e in _linkset(demo_client, gac.path)]
    assert anchors == [BASE + gac.path, f"{BASE}/01/{gac.gtin}/10/{gac.lot}", f"{BASE}/01/{gac.gtin}"]
    # A product without a GTIN: its lot's own identifier is the level above; there is no GTIN level.
    assert [e["anchor"] for e in _linkset(demo_client, turmeric.path)] == [
        BASE + turmeric.path,
        f"{BASE}/id/lot/{turmeric.lot}",
    ]
    english = _linkset(demo_client, gac.path, "en")
    assert english[0]["itemDescription"] == f"Dầu gấc Mỹ Cẩm, lot {gac.lot}, package {gac.serial}"
    assert english[1]["itemDescription"] == f"Lot {gac.lot} of Dầu gấc Mỹ Cẩm"


def test_a_redirect_passes_the_query_string_on(demo_client, gac):
    """ "By default, SHALL pass on all key=value pairs in the query string of the request URI (if present)
    when redirecting." ``linkType`` chose the link, and the target's own ``lang`` stays the target's."""
    response = demo_client.get(gac.path + "?linkType=gs1:pip&foo=bar&x=a%26b")
    assert response.status_code == 307
    assert response.headers["Location"] == f"{BASE}{gac.path}?lang=vi&foo=bar&x=a%26b"
    english = demo_client.get(f"{gac.path}?foo=bar&linkType=gs1:pip&lang=en")
    assert english.headers["Location"] == f"{BASE}{gac.path}?lang=en&foo=bar"
    product = demo_client.get(f"/01/{gac.gtin}?linkType=gs1:certificationInfo&utm_source=shelf")
    assert product.headers["Location"] == f"{BASE}/01/{gac.gtin}?utm_source=shelf#ocop"  # before the #
    plain = demo_client.get(f"/01/{gac.gtin}?linkType=gs1:defaultLink")
    assert plain.headers["Location"] == f"{BASE}/01/{gac.gtin}"  # nothing to pass on: nothing added


NAMESPACES = ["gs1:", "https://gs1.org/voc/", "https://ref.gs1.org/voc/", "https://www.gs1.org/voc/",
              "http://gs1.org/voc/"]  # fmt: skip


@pytest.mark.parametrize("namespace", NAMESPACES)
def test_link_types_are_accepted_in_every_namespace_of_the_vocabulary(demo_client, gac, namespace):
    """``gs1:pip``, ``https://gs1.org/voc/pip``, ``https://ref.gs1.org/voc/pip`` and
    ``https://www.gs1.org/voc/pip`` are one link type (the GS1 Web Vocabulary's equivalent properties), for
    every link type we serve."""
    entry = _linkset(demo_client, gac.path)[0]
    for rel in ("pip", "defaultLink", "traceability", "certificationInfo", "recallStatus"):
        response = demo_client.get(f"{gac.path}?linkType={namespace}{rel}")
        assert response.status_code == 307, (namespace, rel)
        assert response.headers["Location"] in {link["href"] for link in entry[GS1 + rel]}


def test_a_link_type_we_do_not_serve_is_404(demo_client, gac):
    for link_type in ("gs1:allergenInfo", "https://example.com/voc/pip", "pip"):
        response = demo_client.get(f"{gac.path}?linkType={link_type}", headers={"Accept": "application/json"})
        assert response.status_code == 404 and response.get_json()["title"] == "Not found"
    # A product has no traceability link of its own, and nothing above it: 404. Its lot has one.
    assert demo_client.get(f"/01/{gac.gtin}?linkType=gs1:traceability").status_code == 404
    lot = demo_client.get(f"/01/{gac.gtin}/10/{gac.lot}?linkType=https://ref.gs1.org/voc/traceability")
    assert lot.headers["Location"] == f"{BASE}/api/v1/epcis/events?lot={gac.lot}"


@pytest.mark.parametrize(
    "query", ["3103=000100", "17=261231", "17=261231&3103=000100&15=270101", "11=250101"]
)
def test_data_attributes_in_the_query_are_valid(demo_client, demo_app, gac, query):
    """GS1 Digital Link URI syntax: data attributes go in the query string; a package's page answers."""
    page = demo_client.get(f"{gac.path}?{query}")
    assert page.status_code == 200 and "Dầu gấc Mỹ Cẩm" in page.get_data(as_text=True)
    assert demo_client.get(f"/01/{gac.gtin}?{query}").status_code == 200
    assert scan_rows(demo_app, serial=gac.serial)[-1].code == f"{gac.path}?{query}"


@pytest.mark.parametrize(
    ("query", "detail"),
    [
        ("3103=0001", "AI 3103 value '0001' does not have the format N6"),
        ("10=LOT", "AI 10 is a key or key qualifier: it belongs in the path, not the query"),
        ("9999=1", "unknown AI 9999 in the query"),
    ],
)
def test_malformed_data_attributes_are_400(demo_client, gac, query, detail):
    problem = demo_client.get(f"{gac.path}?{query}", headers={"Accept": "application/json"})
    assert problem.status_code == 400 and detail in problem.get_json()["detail"]
    page = demo_client.get(f"{gac.path}?{query}", headers={"Accept": "text/html"})
    assert page.status_code == 400


def test_a_package_code_with_a_product_variant_is_not_ours(demo_client, demo_app, gac):
    """AI 22 parses, but OCOP Tracer issues no variants: the package code is unknown (our counterfeit signal:
    404, recorded as an unknown scan), never walked up."""
    path = f"/01/{gac.gtin}/22/ABC/10/{gac.lot}/21/{gac.serial}"
    page = demo_client.get(path)
    assert page.status_code == 404
    assert [r.outcome for r in scan_rows(demo_app, code=path)] == ["unknown"]


def test_a_compressed_uri_is_answered_as_its_uncompressed_one(demo_client, demo_app, gac):
    """ "SHALL be able to decompress a URI to generate a GS1 Digital Link URI"; "If handling a compressed
    request URI, it SHALL expose the uncompressed URI in the Link response header with a rel value of
    owl:sameAs." The segment is what GS1's toolkit makes of the package URI (with its optimisations)."""
    full = "/" + compress({"01": gac.gtin, "10": gac.lot, "21": gac.serial})
    assert full.startswith("/C")  # optimisation 0B (0000 1011...): AI 01 and AI 10 together
    plain, packed = demo_client.get(gac.path + "?lang=vi"), demo_client.get(full + "?lang=vi")
    assert packed.status_code == plain.status_code == 200
    assert f'<{BASE}{gac.path}>; rel="owl:sameAs"' in packed.headers["Link"]
    assert packed.get_data(as_text=True).count(gac.serial) == plain.get_data(as_text=True).count(gac.serial)
    assert [r.outcome for r in scan_rows(demo_app, code=full + "?lang=vi")] == ["genuine"]  # a scan
    for suffix in ("?linkType=gs1:pip", "?linkType=gs1:traceability&foo=bar"):
        assert (
            demo_client.get(full + suffix).headers["Location"]
            == demo_client.get(gac.path + suffix).headers["Location"]
        )
    partial = f"/01/{gac.gtin}/" + compress({"10": gac.lot, "21": gac.serial})
    assert demo_client.get(partial).status_code == 200
    assert _linkset(demo_client, partial)[0]["anchor"] == BASE + gac.path  # the uncompressed URI
    lot = "/" + compress({"01": gac.gtin, "10": gac.lot})
    assert _linkset(demo_client, lot)[0]["anchor"] == f"{BASE}/01/{gac.gtin}/10/{gac.lot}"


def test_compressed_codes_we_never_issued_or_cannot_read(demo_client, demo_app, gac):
    unknown = "/" + compress({"01": gac.gtin, "10": gac.lot, "21": "ZZZZZZZZZZZZ"})
    before = count_scans(demo_app)
    assert demo_client.get(unknown).status_code == 404  # the counterfeit page, and an unknown scan
    assert count_scans(demo_app) == before + 1
    # A root path that does not decompress to a GTIN's code is no page of ours: the site's 404, not a scan.
    for path in ("/abcdefghijklmnop", "/AN2yxDhfaiaw", "/" + "A" * 1001):
        response = demo_client.get(path, headers={"Accept": "application/json"})
        assert response.status_code == 404, path
        assert response.get_json()["title"] == "Not found"
    assert count_scans(demo_app) == before + 1
    # Under /01/{gtin}/ a segment that does not decompress is a malformed Digital Link: 400.
    bad = demo_client.get(f"/01/{gac.gtin}/AQnYUc1gmh", headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "not a compressed GS1 Digital Link" in bad.get_json()["detail"]
    assert "Không đọc được mã nén này" in demo_client.get(f"/01/{gac.gtin}/AQnYUc1gmh").get_data(as_text=True)


def test_the_resolver_description_names_its_context_and_says_why_a_serial_is_404(demo_client):
    body = demo_client.get("/.well-known/gs1resolver").get_json()
    assert body["jsonLdContextLocation"] == CONTEXT
    assert body["supportedContextValuesEnumerated"] == [] and "supportedContextValues" not in body
    assert "404" in body["unknownSerial"] and "counterfeit" in body["unknownSerial"]
    # The members GS1's description-file schema defines have its types.
    assert isinstance(body["resolverRoot"], str) and isinstance(body["name"], str)
    assert set(body["supportedPrimaryKeys"]) <= {"all", "01", "00", "414", "417", "8006"}
    assert all(re.fullmatch(r"[a-zA-Z_][A-Za-z0-9_-]*?:", t["prefix"]) for t in body["supportedLinkType"])
    assert body["linkTypeDefaultCanBeLinkset"] is False
    assert all(urlsplit(f["path"]).path.startswith("/") for f in body["uriForms"])


def test_every_problem_type_has_one_title(client):
    """RFC 9457: a problem type's title does not change from occurrence to occurrence ("Not Found" from the
    router and "Not found" from the domain were one type with two titles)."""
    for module in pkgutil.walk_packages(tracer.__path__, "tracer."):
        if ".migrations." not in module.name and not module.name.endswith(".wsgi"):  # gunicorn entry points
            importlib.import_module(module.name)
    seen: dict[str, str] = {}
    classes = list(TracerError.__subclasses__())
    while classes:
        cls = classes.pop()
        classes += cls.__subclasses__()
        assert cls.title == PROBLEM_TITLES[cls.slug], cls
        assert seen.setdefault(cls.slug, cls.title) == cls.title
    routed = client.get("/api/v1/no-such-thing").get_json()  # the router's 404
    assert routed["title"] == NotFound.title == "Not found" and routed["type"].endswith("/not-found")
    wrong = client.delete("/.well-known/gs1resolver").get_json()
    assert wrong["title"] == "Method not allowed"
    with pytest.raises(TypeError, match="'not-found' is titled 'Not found', not 'Not Found'"):
        type("Shouting", (TracerError,), {"slug": "not-found", "title": "Not Found"})
