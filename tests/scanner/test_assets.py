"""The scanner's files as served (``tracer.web.scanner_assets``): content-hashed names cached as immutable,
precompressed gzip and Brotli chosen by ``Accept-Encoding`` with ``Vary``, references rewritten to the
hashed names, the service worker precaching exactly those, and jsQR left out of the first visit."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from pathlib import Path

import brotli

from tracer.web.scanner_assets import FILES, ON_DEMAND, build

SCANNER = Path(__file__).resolve().parents[2] / "scanner_page"
HASHED = re.compile(r"/scan/[\w/.-]+\.[0-9a-f]{12}\.[a-z]+")
FIRST_VISIT_LIMIT = 120 * 1024


def hashed_urls(html: str) -> list[str]:
    return sorted(set(HASHED.findall(html)))


def test_every_file_gets_a_name_from_its_content_and_references_follow():
    bundle = build(SCANNER)
    assert set(bundle.names) == set(FILES)
    for source, served in bundle.names.items():
        asset = bundle.assets[served]
        digest = hashlib.sha256(asset.raw).hexdigest()[:12]
        assert served == re.sub(r"(\.[a-z]+)$", rf".{digest}\1", source), source
    app = bundle.assets[bundle.names["app.js"]].raw.decode()
    for module in ("verify.js", "i18n.js", "trust.js", "witness.js", "decode.js"):
        assert f'"./{bundle.names[module]}"' in app
        assert f'"./{module}"' not in app
    decode = bundle.assets[bundle.names["decode.js"]].raw.decode()
    assert f'"./{bundle.names["vendor/jsQR.js"]}"' in decode
    manifest = json.loads(bundle.assets[bundle.names["manifest.webmanifest"]].raw)
    assert {icon["src"] for icon in manifest["icons"]} == {
        bundle.url("icons/icon-192.png"),
        bundle.url("icons/icon-512.png"),
    }
    # The same files give the same names: a second process serves the same URLs.
    assert build(SCANNER).names == bundle.names


def test_a_change_in_a_module_renames_what_imports_it(tmp_path):
    copy = tmp_path / "page"
    for name in FILES:
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        (copy / name).write_bytes((SCANNER / name).read_bytes())
    before = build(copy).names
    (copy / "trust.js").write_text((copy / "trust.js").read_text() + "\n// changed\n")
    after = build(copy).names
    changed = {name for name in FILES if before[name] != after[name]}
    assert changed == {"trust.js", "app.js"}


def test_hashed_assets_are_immutable_and_precompressed(demo_client):
    html = demo_client.get("/scan").get_data(as_text=True)
    urls = hashed_urls(html)
    assert any("/scan/app." in url for url in urls) and any(url.endswith(".css") for url in urls)
    assert "/scan/app.js" not in html and "jsQR" not in html
    for url in urls:
        plain = demo_client.get(url, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200, url
        assert plain.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert "Content-Encoding" not in plain.headers
        if url.endswith((".js", ".css", ".webmanifest")):
            assert plain.headers["Vary"] == "Accept-Encoding"
            br = demo_client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
            assert br.headers["Content-Encoding"] == "br"
            assert brotli.decompress(br.get_data()) == plain.get_data()
            gz = demo_client.get(url, headers={"Accept-Encoding": "gzip"})
            assert gz.headers["Content-Encoding"] == "gzip"
            assert gzip.decompress(gz.get_data()) == plain.get_data()
            refused = demo_client.get(url, headers={"Accept-Encoding": "br;q=0, gzip"})
            assert refused.headers["Content-Encoding"] == "gzip"
            assert len(br.get_data()) < len(plain.get_data())
        again = demo_client.get(url, headers={"If-None-Match": plain.headers["ETag"], "Accept-Encoding": ""})
        assert again.status_code == 304


def test_the_page_and_the_service_worker_are_revalidated_and_compressed(demo_client):
    for path in ("/scan", "/scan/sw.js"):
        response = demo_client.get(path, headers={"Accept-Encoding": "br"})
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.headers["Content-Encoding"] == "br"
        assert response.headers["Vary"] == "Accept-Encoding"
    assert demo_client.get("/scan/sw.js").headers["Service-Worker-Allowed"] == "/scan"


def test_the_service_worker_precaches_the_hashed_shell_but_not_jsqr(demo_client):
    html = demo_client.get("/scan").get_data(as_text=True)
    source = demo_client.get("/scan/sw.js").get_data(as_text=True)
    shell = json.loads(re.search(r"^const SHELL = (\[.*\]);$", source, re.M).group(1))
    bundle = build(SCANNER)
    assert shell == ["/scan", *(bundle.url(name) for name in FILES if name not in ON_DEMAND)]
    assert set(hashed_urls(html)) <= set(shell)
    assert not any("jsQR" in url for url in shell)
    assert re.search(rf'^const SHELL_CACHE = "ocop-scan-{bundle.version}";$', source, re.M)
    for url in shell:
        assert demo_client.get(url).status_code == 200, url


def test_a_first_visit_fits_the_budget_in_brotli(demo_client):
    """What a first visit fetches (the page, the shell the service worker precaches, the service worker)
    in Brotli; printed, and under 120 KB even with jsQR on a phone without BarcodeDetector."""
    source = demo_client.get("/scan/sw.js").get_data(as_text=True)
    shell = json.loads(re.search(r"^const SHELL = (\[.*\]);$", source, re.M).group(1))
    jsqr = build(SCANNER).url("vendor/jsQR.js")
    sizes = {}
    for url in [*shell, "/scan/sw.js", jsqr]:
        sizes[url] = len(demo_client.get(url, headers={"Accept-Encoding": "br"}).get_data())
    total = sum(sizes.values())
    print(f"\n[scanner] first visit in Brotli: {total - sizes[jsqr]} bytes, {total} with jsQR")
    assert total < FIRST_VISIT_LIMIT


def test_unhashed_names_still_answer_for_old_pages(demo_client):
    response = demo_client.get("/scan/app.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    assert b'"./verify.js"' in gzip.decompress(response.get_data())
